/// The affine map of one output unit: z = Σₖ θ[w + k]·xₖ + θ[bias], summed left to right.
@inlinable func affine<S: LossScalar>(
  _ theta: UnsafeBufferPointer<S>, weights w: Int, bias: Int, _ x: UnsafeBufferPointer<Double>
) -> S {
  var z = theta[w] * x[0]
  for k in 1..<x.count { z += theta[w + k] * x[k] }
  return z + theta[bias]
}

/// The affine map over an input held in the loss's own arithmetic (a hidden layer).
@inlinable func affine<S: LossScalar>(
  _ theta: UnsafeBufferPointer<S>, weights w: Int, bias: Int, _ x: UnsafeMutableBufferPointer<S>
) -> S {
  var z = theta[w] * x[0]
  for k in 1..<x.count { z += theta[w + k] * x[k] }
  return z + theta[bias]
}

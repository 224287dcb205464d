/// The affine map of one output unit, z = Σₖ θ[w + k]·xₖ + θ[bias], summed left to right; `weigh(θ[w + k], k)`
/// gives the term θ[w + k]·xₖ of an input held in any arithmetic.
@inlinable func affine<S: LossScalar>(
  _ theta: UnsafeBufferPointer<S>, weights w: Int, bias: Int, inputs n: Int, weigh: (S, Int) -> S
) -> S {
  var z = weigh(theta[w], 0)
  for k in 1..<n { z += weigh(theta[w + k], k) }
  return z + theta[bias]
}

/// The affine map over features in binary64 (a model's first layer).
@inlinable func affine<S: LossScalar>(
  _ theta: UnsafeBufferPointer<S>, weights w: Int, bias: Int, _ x: UnsafeBufferPointer<Double>
) -> S {
  affine(theta, weights: w, bias: bias, inputs: x.count) { $0 * x[$1] }
}

/// The affine map over an input held in the loss's own arithmetic (a hidden layer).
@inlinable func affine<S: LossScalar>(
  _ theta: UnsafeBufferPointer<S>, weights w: Int, bias: Int, _ x: UnsafeMutableBufferPointer<S>
) -> S {
  affine(theta, weights: w, bias: bias, inputs: x.count) { $0 * x[$1] }
}

/// The gradient of a loss of z = w·x + b (θ = [w₁ … w_d, b]) whose derivative in z is r: [r x, r], then
/// the penalty's λw added.
@inlinable func writeAffineGradient(
  residual r: Double, _ x: UnsafeBufferPointer<Double>, penalty: L2Penalty, _ theta: UnsafeBufferPointer<Double>,
  into g: UnsafeMutableBufferPointer<Double>
) {
  for k in 0..<x.count { g[k] = r * x[k] }
  g[x.count] = r
  penalty.addGradient(theta, into: g)
}

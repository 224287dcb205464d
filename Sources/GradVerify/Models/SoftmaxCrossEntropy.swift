/// Cross-entropy of a softmax over K scores, by the log-sum-exp identity (finite for any real scores):
///
/// ```
/// L = −log softmax(z)_y = log Σₖ exp(zₖ − m) − (z_y − m),   m = maxₖ Re zₖ
/// ∂L/∂zₖ = pₖ − [k = y],   pₖ = exp(zₖ − m) / Σⱼ exp(zⱼ − m)
/// ```
@inlinable func softmaxCrossEntropy<S: LossScalar>(_ z: UnsafeMutableBufferPointer<S>, label y: Int) -> S {
  var m = z[0].real
  for k in 1..<z.count { m = Swift.max(m, z[k].real) }
  var total = S.exp(z[0] - m)
  for k in 1..<z.count { total += S.exp(z[k] - m) }
  return S.log(total) - (z[y] - m)
}

/// Overwrites the scores z with ∂L/∂z = p − e_y and returns L.
@inlinable func softmaxCrossEntropyGradient(_ z: UnsafeMutableBufferPointer<Double>, label y: Int) -> Double {
  var m = z[0]
  for k in 1..<z.count { m = Swift.max(m, z[k]) }
  let shiftedTarget = z[y] - m
  var total = 0.0
  for k in 0..<z.count {
    z[k] = Double.exp(z[k] - m)
    total += z[k]
  }
  let loss = Double.log(total) - shiftedTarget
  for k in 0..<z.count { z[k] /= total }
  z[y] -= 1
  return loss
}

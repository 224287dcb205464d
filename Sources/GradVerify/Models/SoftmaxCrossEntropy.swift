/// Cross-entropy of a softmax over K scores, by the log-sum-exp identity (finite for any real scores):
///
/// ```
/// L = −log softmax(z)_y = log1p(Σ_{k≠y} exp(zₖ − z_y))          when z_y is the largest score,
///                       = log Σₖ exp(zₖ − m) − (z_y − m)         otherwise (m = maxₖ Re zₖ)
/// ∂L/∂zₖ = pₖ − [k = y],   pₖ = exp(zₖ − m) / Σⱼ exp(zⱼ − m),   ∂L/∂z_y = −Σ_{k≠y} pₖ
/// ```
/// The first form keeps a confident example's tiny loss, and its complex-step derivative, free of the
/// cancellation in log(1 + s) − 0; both forms are the same analytic function.
@inlinable func softmaxCrossEntropy<S: LossScalar>(_ z: UnsafeMutableBufferPointer<S>, label y: Int) -> S {
  var m = z[0].real
  for k in 1..<z.count { m = Swift.max(m, z[k].real) }
  if z[y].real >= m {
    var others = S(0)
    for k in 0..<z.count where k != y { others += S.exp(z[k] - z[y]) }
    return S.log1p(others)
  }
  var total = S.exp(z[0] - m)
  for k in 1..<z.count { total += S.exp(z[k] - m) }
  return S.log(total) - (z[y] - m)
}

/// The same of K scores zₖ = score(k), held in a temporary buffer: a softmax output layer.
@inlinable func softmaxCrossEntropy<S: LossScalar>(classes: Int, label y: Int, score: (Int) -> S) -> S {
  withUnsafeTemporaryAllocation(of: S.self, capacity: classes) { z in
    for k in 0..<classes { z.initializeElement(at: k, to: score(k)) }
    return softmaxCrossEntropy(z, label: y)
  }
}

/// Overwrites the scores z with ∂L/∂z = p − e_y and returns L (the same forms as `softmaxCrossEntropy`).
@inlinable func softmaxCrossEntropyGradient(_ z: UnsafeMutableBufferPointer<Double>, label y: Int) -> Double {
  var m = z[0]
  for k in 1..<z.count { m = Swift.max(m, z[k]) }
  let targetIsLargest = z[y] >= m
  let shiftedTarget = z[y] - m
  var total = 0.0
  for k in 0..<z.count {
    z[k] = Double.exp(z[k] - m)
    total += z[k]
  }
  // p_y − 1 = −Σ_{k≠y} p_k: summing the small probabilities keeps the digits that p_y − 1 would cancel.
  var others = 0.0
  for k in 0..<z.count where k != y { others += z[k] }
  let loss = targetIsLargest ? Double.log1p(others) : Double.log(total) - shiftedTarget
  for k in 0..<z.count { z[k] /= total }
  z[y] = -others / total
  return loss
}

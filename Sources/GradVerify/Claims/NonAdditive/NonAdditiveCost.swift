
/// Costs that combine per-example losses other than by their mean, for negative control N2.
///
/// ```
/// mean:            C = (1/N) Σ Lᵢ                      ∇C = (1/N) Σ ∇Lᵢ            (additive: the twin)
/// log-mean-exp:    C = log (1/N) Σ e^{Lᵢ}              ∇C = Σ wᵢ ∇Lᵢ,  wᵢ = e^{Lᵢ}/Σ e^{Lⱼ}
/// square-of-mean:  C = L̄²                              ∇C = 2 L̄ · (1/N) Σ ∇Lᵢ
/// ```
/// The "average of per-example gradients" averages the gradient of the same cost applied to one example:
/// ∇Lᵢ for log-mean-exp (a single example's log-mean-exp is Lᵢ) and 2Lᵢ∇Lᵢ for the square of the mean.
package enum NonAdditiveCost: String, Codable, Sendable, CaseIterable {
  case mean
  case logMeanExp = "log-mean-exp"
  case squareOfMean = "square-of-mean"

  /// C from the losses (log-mean-exp shifted by the largest loss; sums compensated).
  public func cost(_ losses: [Double]) -> Double {
    let n = Double(losses.count)
    switch self {
    case .mean: return losses.compensatedSum() / n
    case .logMeanExp:
      let m = losses.max() ?? 0
      return m + Double.log(losses.map { Double.exp($0 - m) }.compensatedSum() / n)
    case .squareOfMean:
      let mean = losses.compensatedSum() / n
      return mean * mean
    }
  }

  /// A bound on the rounding error of `cost` given bounds δᵢ on the losses (first order, plus a few
  /// roundings of the result: 8u|C| covers the exp/log and sum roundings).
  public func costError(_ losses: [Double], lossErrors: [Double]) -> Double {
    let n = Double(losses.count)
    let u = RoundingBoundNumber.unitRoundoff
    let c = cost(losses)
    switch self {
    case .mean: return lossErrors.compensatedSum() / n + 4 * u * Swift.abs(c)
    case .logMeanExp:
      let w = weights(losses)
      return zip(w, lossErrors).map { $0 * $1 }.compensatedSum() + 8 * u * Swift.max(1, Swift.abs(c))
    case .squareOfMean:
      let mean = losses.compensatedSum() / n
      return 2 * Swift.abs(mean) * lossErrors.compensatedSum() / n + 4 * u * Swift.abs(c)
    }
  }

  /// wᵢ = e^{Lᵢ}/Σ e^{Lⱼ}.
  func weights(_ losses: [Double]) -> [Double] {
    let m = losses.max() ?? 0
    let e = losses.map { Double.exp($0 - m) }
    let total = e.compensatedSum()
    return e.map { $0 / total }
  }

  /// ∇C, from the losses and the per-example gradients (N×P row-major).
  public func trueGradient(losses: [Double], gradients: PerExampleGradients) -> [Double] {
    let p = gradients.parameterCount
    let n = gradients.count
    switch self {
    case .mean: return gradients.average
    case .logMeanExp:
      let w = weights(losses)
      return (0..<p).map { j in (0..<n).map { w[$0] * gradients.matrix[$0 * p + j] }.compensatedSum() }
    case .squareOfMean:
      let mean = losses.compensatedSum() / Double(n)
      return gradients.average.map { 2 * mean * $0 }
    }
  }

  /// The average of the per-example gradients of this cost applied to one example at a time.
  public func averagedPerExampleGradient(losses: [Double], gradients: PerExampleGradients) -> [Double] {
    let p = gradients.parameterCount
    let n = gradients.count
    switch self {
    case .mean, .logMeanExp: return gradients.average
    case .squareOfMean:
      return (0..<p).map { j in (0..<n).map { 2 * losses[$0] * gradients.matrix[$0 * p + j] }.compensatedSum() / Double(n) }
    }
  }

  /// The predicted bias E[C(batch)] − C(all) of a uniform b-subset (without replacement), or nil.
  ///
  /// ```
  /// square-of-mean: Var(L̄_b) = (N − b)/(N − 1) · σ²_L / b                                    (exact)
  /// log-mean-exp:   ≈ −c (N − b)/((N − 1) b),  c = Var_N(e^L)/(2 m²),  m = mean e^L      (delta method)
  /// mean:           0
  /// ```
  public func predictedBatchBias(losses: [Double], batch b: Int) -> Double {
    let n = Double(losses.count)
    let bd = Double(b)
    let factor = losses.count > 1 ? (n - bd) / (n - 1) : 0
    switch self {
    case .mean: return 0
    case .squareOfMean:
      let mean = losses.compensatedSum() / n
      let variance = losses.map { ($0 - mean) * ($0 - mean) }.compensatedSum() / n
      return factor * variance / bd
    case .logMeanExp:
      let (m, variance, _) = exponentialMoments(losses)
      return -variance / (2 * m * m) * factor / bd
    }
  }

  /// A bound on the delta-method terms the log-mean-exp prediction leaves out, third and fourth order:
  ///
  /// ```
  /// |μ₃| (N − b)/((N − 1) b²) / (3m³)  +  (3/4) (Var/m²)² ((N − b)/((N − 1) b))²
  /// ```
  /// (the third central moment of a without-replacement mean carries a factor (N − 2b)/(N − 2) ≤ 1, bounded by 1
  /// here so that it cannot vanish by accident at b = N/2). Where this is small against the Monte Carlo error,
  /// the second-order prediction can be judged.
  public func neglectedBiasTerm(losses: [Double], batch b: Int) -> Double {
    guard self == .logMeanExp, losses.count > 2 else { return 0 }
    let n = Double(losses.count)
    let bd = Double(b)
    let (m, variance, third) = exponentialMoments(losses)
    let factor = (n - bd) / ((n - 1) * bd)
    let relativeVariance = variance / (m * m)
    return Swift.abs(third) * factor / bd / (3 * m * m * m) + 0.75 * relativeVariance * relativeVariance * factor * factor
  }

  /// (m, Var, μ₃) of e^{Lᵢ − max L} over the population (divisor N); the shift cancels in every ratio used.
  func exponentialMoments(_ losses: [Double]) -> (Double, Double, Double) {
    let shift = losses.max() ?? 0
    let e = losses.map { Double.exp($0 - shift) }
    let n = Double(e.count)
    let m = e.compensatedSum() / n
    let variance = e.map { ($0 - m) * ($0 - m) }.compensatedSum() / n
    let third = e.map { ($0 - m) * ($0 - m) * ($0 - m) }.compensatedSum() / n
    return (m, variance, third)
  }
}

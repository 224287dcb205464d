/// The exact mean and covariance of ḡ_b by enumerating every batch, for populations of N ≤ 10: no
/// Monte Carlo error at all, only rounding (compensated sums over at most 2·10⁶ batches).
///
/// ```
/// without replacement: all C(N, b) subsets, equally likely
/// with replacement:    all N^b ordered tuples, equally likely (run when N^b ≤ 2·10⁶)
/// Poisson(q = b/N):    all 2^N subsets S, weight q^|S| (1 − q)^(N−|S|), ḡ = Σ_S gᵢ / b
/// Cov(ḡ_b) theory:     Σ_N/b;  (N − b)/(N − 1) · Σ_N/b;  (1 − b/N)/b · (Σ_N + g gᵀ)
/// ```
package struct ExactOracle: Sendable {
  public static let maximumBatches = 2_000_000

  public var sampler: SamplerKind
  public var batch: Int
  /// How many batches were enumerated.
  public var batches: Int
  /// max |E[ḡ] − g| / max(‖g‖∞, tr Σ_N^½).
  public var meanError: Double
  /// max |Cov − theory| / max |theory| (absolute when the theory is zero).
  public var covarianceError: Double
  /// The largest distance between the enumerated law of the squared error e and of each coordinate
  /// (E e, Var e, κ₃(e) where closed, Var and κ₃ per coordinate) and `SquaredErrorLaw`, each relative to
  /// the scale of its order (Var e, (Var e)^{3/2}, max Var of a coordinate and its 3/2 power).
  public var lawError: Double
  /// Whether κ₃(e) had a closed form to check (with replacement).
  public var squaredErrorThirdMomentChecked: Bool

  /// Enumerates the batches, or returns nil when there are too many (with replacement) or the sampler has
  /// no closed-form covariance.
  public init?(
    population: GradientPopulation, sampler: SamplerKind, batch b: Int, moments: PopulationMoments? = nil
  ) {
    let n = population.count
    let d = population.dimension
    precondition(n <= 10 && !population.sigma.isEmpty, "the oracle enumerates populations of N ≤ 10")
    self.sampler = sampler
    self.batch = b
    var draws: [(weight: Double, error: [Double])] = []
    func add(_ members: [Int], weight: Double) {
      var e = [Double](repeating: 0, count: d)
      for j in 0..<d {
        var s = 0.0
        for i in members { s += population.rows[i * d + j] }
        e[j] = s / Double(b) - population.mean[j]
      }
      draws.append((weight, e))
    }
    switch sampler {
    case .withoutReplacement:
      var subset = Array(0..<b)
      while true {
        add(subset, weight: 1)
        var t = b - 1
        while t >= 0 && subset[t] == n - b + t { t -= 1 }
        if t < 0 { break }
        subset[t] += 1
        for u in (t + 1)..<b { subset[u] = subset[u - 1] + 1 }
      }
    case .withReplacement:
      var total = 1.0
      for _ in 0..<b { total *= Double(n) }
      guard total <= Double(Self.maximumBatches) else { return nil }
      var tuple = [Int](repeating: 0, count: b)
      while true {
        add(tuple, weight: 1)
        var t = b - 1
        while t >= 0 && tuple[t] == n - 1 {
          tuple[t] = 0
          t -= 1
        }
        if t < 0 { break }
        tuple[t] += 1
      }
    case .poisson:
      let q = Double(b) / Double(n)
      for mask in 0..<(1 << n) {
        let members = (0..<n).filter { mask & (1 << $0) != 0 }
        var w = 1.0
        for _ in 0..<members.count { w *= q }
        for _ in 0..<(n - members.count) { w *= 1 - q }
        if w > 0 { add(members, weight: w) }
      }
    case .poissonRealized:
      return nil
    }
    batches = draws.count
    let totalWeight = draws.map(\.weight).compensatedSum()
    /// E f over the enumerated batches, f given the batch's index.
    func expectation(_ f: (Int) -> Double) -> Double {
      draws.indices.map { draws[$0].weight * f($0) }.compensatedSum() / totalWeight
    }
    let mean = (0..<d).map { j in expectation { draws[$0].error[j] } }
    let second = (0..<(d * d)).map { jk in
      expectation { (draws[$0].error[jk / d] - mean[jk / d]) * (draws[$0].error[jk % d] - mean[jk % d]) }
    }
    let theory = Self.theoreticalCovariance(population: population, sampler: sampler, batch: b)
    let scale = Swift.max(population.mean.map { Swift.abs($0) }.max() ?? 0, population.traceSigma.squareRoot())
    meanError = (mean.map { Swift.abs($0) }.max() ?? 0) / (scale > 0 ? scale : 1)
    let theoryScale = theory.map { Swift.abs($0) }.max() ?? 0
    var worst = 0.0
    for (s, t) in zip(second, theory) { worst = Swift.max(worst, Swift.abs(s - t)) }
    covarianceError = theoryScale > 0 ? worst / theoryScale : worst

    // The law of e = ‖ḡ_b − g‖² and of each coordinate: enumerated central moments against SquaredErrorLaw.
    let law = SquaredErrorLaw(
      sampler: sampler, batch: b, population: population, moments: moments ?? PopulationMoments(population))!
    let squared = draws.map { $0.error.reduce(0) { $0 + $1 * $1 } }
    let eMean = expectation { squared[$0] }
    let eVariance = expectation { (squared[$0] - eMean) * (squared[$0] - eMean) }
    let eThird = expectation { (squared[$0] - eMean) * (squared[$0] - eMean) * (squared[$0] - eMean) }
    func relative(_ measured: Double, _ truth: Double, scale: Double) -> Double {
      Swift.abs(measured - truth) / (scale > 0 ? scale : 1)
    }
    let meanScale = Swift.max(Swift.abs(law.mean), eVariance.squareRoot())
    let varianceScale = Swift.max(Swift.abs(law.variance), Swift.abs(eVariance))
    var lawWorst = Swift.max(relative(eMean, law.mean, scale: meanScale), relative(eVariance, law.variance, scale: varianceScale))
    var thirdChecked = false
    if let k3 = law.thirdCentralMoment {
      thirdChecked = true
      lawWorst = Swift.max(lawWorst, relative(eThird, k3, scale: varianceScale * varianceScale.squareRoot()))
    }
    let coordinateScale = law.coordinateVariance.map { Swift.abs($0) }.max() ?? 0
    for j in 0..<d {
      let v = second[j * d + j]
      let t3 = expectation { (draws[$0].error[j] - mean[j]) * (draws[$0].error[j] - mean[j]) * (draws[$0].error[j] - mean[j]) }
      lawWorst = Swift.max(lawWorst, relative(v, law.coordinateVariance[j], scale: coordinateScale))
      lawWorst = Swift.max(
        lawWorst,
        relative(t3, law.coordinateThirdMoment[j], scale: coordinateScale * coordinateScale.squareRoot()))
    }
    lawError = lawWorst
    squaredErrorThirdMomentChecked = thirdChecked
  }

  /// Cov(ḡ_b) by the exact sampling formulas, d×d row-major.
  public static func theoreticalCovariance(population: GradientPopulation, sampler: SamplerKind, batch b: Int) -> [Double] {
    let n = Double(population.count)
    let bd = Double(b)
    let d = population.dimension
    return (0..<(d * d)).map { index in
      let sigma = population.sigma[index]
      switch sampler {
      case .withReplacement: return sigma / bd
      case .withoutReplacement: return population.count == 1 ? 0 : (n - bd) / (n - 1) * sigma / bd
      case .poisson, .poissonRealized:
        let outer = population.mean[index / d] * population.mean[index % d]
        return (1 - bd / n) / bd * (sigma + outer)
      }
    }
  }
}

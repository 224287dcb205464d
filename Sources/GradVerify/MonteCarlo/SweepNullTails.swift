import Foundation

/// The tail tests of a sweep's cells, each from the exact null law of the population being sampled, so
/// that a verdict is right for any shape of gradient: sparse, few-valued, one huge example, no spread.
///
/// ```
/// C2, coordinate j, S = R·b·ēⱼ (a centred sum):
///   with replacement   n = R·b uniform picks of dᵢⱼ      heavy values enumerated, the core by saddlepoint
///                                                        (exact when the core is one value)
///   without            Chernoff bound of n = R·min(b, N − b) picks with replacement (Hoeffding 1963,
///                      Thm 4: E f(sum without) ≤ E f(sum with) for convex f; past N/2 the complement,
///                      Σ_B dᵢ = −Σ_{not B} dᵢ)
///   Poisson (q = b/N)  Σᵣ Σᵢ (Iᵣᵢ − q) gᵢⱼ                as with replacement
///   where the heavy values cannot all be enumerated: the Chernoff bound (valid for any law)
/// C3, S = R·(MSE − E e):
///   b = 1, or b = N − 1 without replacement   e is one pick of aᵢ (or aᵢ/(N − 1)²): as C2
///   otherwise, upper tail                     Pearson type III (exact gamma tails) with the exact Var e and
///                                             the skewness of the mean (exact κ₃ with replacement, else
///                                             from the draws); calibrated on adversarial populations (CAL)
///   otherwise, lower tail                     Bennett's bound for a mean of nonnegative draws e ≥ 0 (valid
///                                             for any law; Pearson III under-covers it at small R)
///   otherwise, with a rare far example        the upper tail by Bennett's bound too, with e ≤ the cell's
///                                             largest squared error: when some ‖dᵢ‖² lies more than 8 sd
///                                             above the rest and is expected fewer than 25 times in the
///                                             run's R·b picks, the upper tail is a handful of its picks,
///                                             which no three-moment law carries (as for C2's far values)
/// screen: P(S ≥ s) ≥ 1 − Φ(z) − C·ρ/σ³ (Berry–Esseen; C = 0.4748 for equal terms, 0.5600 otherwise):
///   a tail certainly above the level is not computed further
/// ```
/// I. Shevtsova, "On the absolute constants in the Berry–Esseen type inequalities for identically
/// distributed summands", arXiv:1111.6554 (2011); "An improvement of convergence rate estimates in the
/// Lyapunov theorem", Dokl. Math. 82 (2010) 862–864. W. Hoeffding, "Probability inequalities for sums of
/// bounded random variables", J. Amer. Statist. Assoc. 58 (1963) 13–30, doi:10.1080/01621459.1963.10500830.
package struct SweepNullTails {
  let population: GradientPopulation
  let moments: PopulationMoments
  /// The per-tail level L of every test.
  let level: Double
  /// 2u·maxᵢ |gᵢⱼ| per coordinate: times (max(b, N) + 2), the rounding of one batch mean's error.
  let allowance: [Double]
  /// maxᵢ |dᵢⱼ| per coordinate.
  let largestDeviation: [Double]
  /// maxᵢ ‖dᵢ‖², and Σᵢ ‖gᵢ‖ (compensated, in row order): the ranges of a draw's squared error.
  let largestSquaredDeviation: Double
  let rowNormSum: Double
  private var deviationAtoms: [Int: PopulationAtoms] = [:]
  private var rawAtoms: [Int: PopulationAtoms] = [:]
  private var squaredErrorAtoms: PopulationAtoms?
  /// Of the ‖dᵢ‖² from the largest down: how many are far above the rest (see `rareFarExample`) and the
  /// expected picks per draw of the farthest set, computed once.
  private var farSquaredDeviations: (count: Int, share: Double)?

  package init(population p: GradientPopulation, moments: PopulationMoments, level: Double) {
    population = p
    self.moments = moments
    self.level = level
    let u = RoundingBoundNumber.unitRoundoff
    var largest = [Double](repeating: 0, count: p.dimension)
    var deviation = largest
    var norms = NeumaierSum()
    for i in 0..<p.count {
      var squared = 0.0
      for j in 0..<p.dimension {
        let x = p.rows[i * p.dimension + j]
        largest[j] = Swift.max(largest[j], Swift.abs(x))
        deviation[j] = Swift.max(deviation[j], Swift.abs(x - p.mean[j]))
        squared += x * x
      }
      norms.add(squared.squareRoot())
    }
    allowance = largest.map { 2 * u * $0 }
    largestDeviation = deviation
    largestSquaredDeviation = moments.squaredDeviations.max() ?? 0
    rowNormSum = norms.value
  }

  /// The rounding of one batch mean's error in coordinate j (a recursive sum of at most max(b, N) terms,
  /// the complement subtracted from a compensated total).
  func meanErrorRounding(coordinate j: Int, batch b: Int) -> Double {
    allowance[j] * Double(Swift.max(b, population.count) + 2)
  }

  /// Forgets the atoms built so far (the bias tests go coordinate by coordinate).
  mutating func dropAtoms() {
    deviationAtoms.removeAll()
    rawAtoms.removeAll()
  }

  mutating func deviations(_ j: Int) -> PopulationAtoms {
    if let a = deviationAtoms[j] { return a }
    let mean = population.mean[j]
    let a = PopulationAtoms(population.column(j).map { $0 - mean })
    deviationAtoms[j] = a
    return a
  }

  mutating func raw(_ j: Int) -> PopulationAtoms {
    if let a = rawAtoms[j] { return a }
    let a = PopulationAtoms(population.column(j))
    rawAtoms[j] = a
    return a
  }

  // MARK: - C2

  /// The test of ēⱼ = 0 for one cell measured over R draws; nil for a sampler without an unbiased law.
  package mutating func biasTest(cell: SweepCell, draws r: Int, coordinate j: Int, meanError: Double, variance: Double) -> TailTest? {
    guard cell.sampler.isUnbiased else { return nil }
    let rounding = meanErrorRounding(coordinate: j, batch: cell.batch)
    let withinRounding = Swift.abs(meanError) <= rounding
    guard variance > 0 else { return .zeroSpread(deviation: meanError, withinRounding: withinRounding) }
    let z = meanError / (variance / Double(r)).squareRoot()
    let n = population.count
    let b = cell.batch
    let (rd, bd, nd) = (Double(r), Double(b), Double(n))
    let s = rd * bd * meanError
    let tolerance = rd * bd * rounding
    switch cell.sampler {
    case .withReplacement:
      let picks = rd * bd
      if let screened = screen(s: s, variance: picks * moments.coordinateVariance[j],
                               absoluteThird: picks * moments.coordinateAbsoluteThirdMoment[j], identical: true, z: z, withinRounding) {
        return screened
      }
      let atoms = deviations(j)
      if picks <= 1e9, let t = CountEnumerationTail.uniformPicks(atoms: atoms, picks: r * b, at: s, tolerance: tolerance) {
        return TailTest(z: z, lower: t.lower, upper: t.upper, method: t.exact ? .exact : .saddlepoint, withinRounding: withinRounding)
      }
      let bound = UniformPickSum(atoms: atoms, picks: picks).tails(at: s, tolerance: tolerance)
      return TailTest(z: z, lower: bound.lower.bound, upper: bound.upper.bound, method: .chernoff, withinRounding: withinRounding)
    case .withoutReplacement:
      // Hoeffding: the sum of b picks without replacement is dominated in convex order by b picks with
      // replacement; past N/2, −(the sum of the N − b left out) is used instead.
      let complement = 2 * b > n
      let picks = rd * (complement ? nd - bd : bd)
      let sum = complement ? -s : s
      if let screened = screen(s: sum, variance: picks * moments.coordinateVariance[j],
                               absoluteThird: picks * moments.coordinateAbsoluteThirdMoment[j], identical: true, z: z, withinRounding) {
        return complement ? screened.flipped : screened
      }
      let tails = UniformPickSum(atoms: deviations(j), picks: picks).tails(at: sum, tolerance: tolerance)
      let test = TailTest(z: z, lower: tails.lower.bound, upper: tails.upper.bound, method: .chernoff, withinRounding: withinRounding)
      return complement ? test.flipped : test
    case .poisson:
      let q = bd / nd
      guard q < 1 else { return .zeroSpread(deviation: meanError, withinRounding: withinRounding) }
      let spread = q * (1 - q)
      if let screened = screen(
        s: s, variance: rd * spread * moments.coordinateRawSquareSum[j],
        absoluteThird: rd * spread * (q * q + (1 - q) * (1 - q)) * moments.coordinateRawAbsoluteCubeSum[j],
        identical: false, z: z, withinRounding)
      {
        return screened
      }
      let atoms = raw(j)
      if let t = CountEnumerationTail.bernoulliInclusions(atoms: atoms, probability: q, repetitions: r, at: s, tolerance: tolerance) {
        return TailTest(z: z, lower: t.lower, upper: t.upper, method: t.exact ? .exact : .saddlepoint, withinRounding: withinRounding)
      }
      guard let nonZero = atoms.nonZero else { return .zeroSpread(deviation: meanError, withinRounding: withinRounding) }
      let bound = BernoulliInclusionSum(atoms: nonZero, probability: q, repetitions: rd).tails(at: s, tolerance: tolerance)
      return TailTest(z: z, lower: bound.lower.bound, upper: bound.upper.bound, method: .chernoff, withinRounding: withinRounding)
    case .poissonRealized:
      return nil
    }
  }

  /// The critical values of coordinate j's test at the per-tail level, in units of its null standard
  /// error, found by bisection on the test itself (nil when no deviation up to 64 standard errors rejects).
  package mutating func biasCritical(
    cell: SweepCell, draws r: Int, coordinate j: Int, variance: Double
  ) -> SweepEvaluation.CriticalValues? {
    let se = (variance / Double(r)).squareRoot()
    func tail(_ z: Double, upper: Bool) -> Double {
      guard let t = biasTest(cell: cell, draws: r, coordinate: j, meanError: z * se, variance: variance) else { return 1 }
      return upper ? t.upper : t.lower
    }
    guard let upper = criticalDeviation(level: level, tail: { tail($0, upper: true) }),
      let lower = criticalDeviation(level: level, tail: { tail(-$0, upper: false) })
    else { return nil }
    return SweepEvaluation.CriticalValues(lower: -lower, upper: upper)
  }

  /// Berry–Esseen: when the tail on the statistic's side is certainly above the level (1 − Φ(|z|) − C·ρ/σ³
  /// > L, z = s/σ), the test is decided without computing the tail; the returned p is that lower bound.
  func screen(
    s: Double, variance: Double, absoluteThird: Double, identical: Bool, z: Double, _ withinRounding: Bool
  ) -> TailTest? {
    guard variance > 0 else { return nil }
    let sd = variance.squareRoot()
    let constant = identical ? 0.4748 : 0.5600
    let certainly = (1 - normalCDF(Swift.abs(s) / sd)) - constant * absoluteThird / (variance * sd)
    guard certainly > level else { return nil }
    return TailTest(
      z: z, lower: s < 0 ? certainly : 1, upper: s < 0 ? 1 : certainly, method: .screened,
      withinRounding: withinRounding)
  }

  // MARK: - C3

  /// The rounding of a cell's mean squared error: each coordinate's error ε (see `meanErrorRounding`) moves
  /// e by at most 2·maxᵢ|dᵢⱼ|·ε + ε², the squares' sum adds (d + 2)u·max e, a block's recursive sum 256u·max e.
  func squaredErrorRounding(batch b: Int, largest: Double) -> Double {
    let u = RoundingBoundNumber.unitRoundoff
    var s = 0.0
    for j in 0..<population.dimension {
      let e = meanErrorRounding(coordinate: j, batch: b)
      s += 2 * 2 * largestDeviation[j] * e + e * e
    }
    return s + Double(population.dimension + 2 + MiniBatchSweep.blockSize) * u * largest
  }

  /// The largest squared error one draw of the cell can give.
  func largestSquaredError(cell: SweepCell) -> Double {
    let top = largestSquaredDeviation
    let (nd, bd) = (Double(population.count), Double(cell.batch))
    switch cell.sampler {
    case .withReplacement: return top
    case .withoutReplacement: return Swift.min(top, ((nd - bd) / bd) * ((nd - bd) / bd) * top)
    case .poisson, .poissonRealized:
      // ‖(1/b) Σᵢ Iᵢ gᵢ − g‖ ≤ (1/b) Σᵢ ‖gᵢ‖ + ‖g‖.
      let reach = rowNormSum / bd + population.meanNormSquared.squareRoot()
      return reach * reach
    }
  }

  /// The test of MSE = theory for one cell, with its critical deviations in units of the null standard
  /// error.
  ///
  /// - Parameter critical: whether to find the critical values too (a bisection over the tail: the
  ///   calibration, which counts rejections only, leaves them out).
  mutating func varianceTest(
    _ m: CellMeasurement, theory: Double, law: SquaredErrorLaw, critical wanted: Bool = true
  ) -> (test: TailTest, critical: (lower: Double, upper: Double)?) {
    let (cell, r, mse) = (m.cell, m.squaredErrorDraws, m.meanSquaredError)
    let top = largestSquaredError(cell: cell)
    let deviation = mse - theory
    // Where K may have served the cell, its quadratic forms' rounding too (`CentredGram.squaredErrorRounding`).
    let gramRounding = moments.gram.map { $0.serves(cell) ? $0.squaredErrorRounding(cell) : 0 } ?? 0
    let rounding = squaredErrorRounding(batch: cell.batch, largest: top) + gramRounding
      + 16 * RoundingBoundNumber.unitRoundoff * theory
    let withinRounding = Swift.abs(deviation) <= rounding
    guard law.variance > 0 else { return (.zeroSpread(deviation: deviation, withinRounding: withinRounding), nil) }
    let rd = Double(r)
    let se = (law.variance / rd).squareRoot()
    let z = deviation / se
    let n = population.count
    let onePick = cell.batch == 1 && cell.sampler != .poisson
    let leftOutOne = cell.sampler == .withoutReplacement && cell.batch == n - 1
    if onePick || leftOutOne {
      var atoms = squaredErrorAtoms ?? PopulationAtoms(moments.squaredDeviations)
      squaredErrorAtoms = atoms
      if leftOutOne {
        let scale = 1 / (Double(n - 1) * Double(n - 1))
        atoms = atoms.mapped { $0 * scale }
      }
      let sum = UniformPickSum(atoms: atoms, picks: rd)
      let sd = sum.variance.squareRoot()
      let tolerance = rd * rounding
      // Whether the enumeration applies depends on the atoms only, not on where the tail is read.
      let observed = CountEnumerationTail.uniformPicks(atoms: atoms, picks: r, at: rd * deviation, tolerance: tolerance)
      let method: TailTest.Method = observed.map { $0.exact ? .exact : .saddlepoint } ?? .chernoff
      func tails(_ s: Double) -> (lower: Double, upper: Double) {
        if method != .chernoff, let t = CountEnumerationTail.uniformPicks(atoms: atoms, picks: r, at: s, tolerance: tolerance) {
          return (t.lower, t.upper)
        }
        let t = sum.tails(at: s, tolerance: tolerance)
        return (t.lower.bound, t.upper.bound)
      }
      let p = observed.map { (lower: $0.lower, upper: $0.upper) } ?? tails(rd * deviation)
      let test = TailTest(z: z, lower: p.lower, upper: p.upper, method: method, withinRounding: withinRounding)
      guard wanted else { return (test, nil) }
      let critical = (
        lower: -(criticalDeviation(level: level) { tails(-$0 * sd).lower } ?? .infinity),
        upper: criticalDeviation(level: level) { tails($0 * sd).upper } ?? .infinity)
      return (test, critical)
    }
    let k3 = law.thirdCentralMoment
      ?? SkewedCriticalValues.thirdCentralMoment(powerSums: m.squaredErrorPowerSums, about: law.mean, draws: r)
    let gamma = SkewedCriticalValues.meanSkewness(thirdCentralMoment: k3, variance: law.variance, draws: r)
    // Deviations are read beyond the rounding of the MSE, as the one-pick tails read them.
    func lower(_ deficit: Double) -> Double {
      bennettLowerTail(deficit: deficit - rounding, mean: theory, variance: law.variance, draws: r)
    }
    func lowerCritical() -> Double { -(criticalDeviation(level: level) { lower($0 * se) } ?? .infinity) }
    if rareFarExample(picks: Double(r) * Double(cell.batch)) {
      func upper(_ excess: Double) -> Double {
        bennettTail(excess: excess - rounding, bound: Swift.max(top - theory, 0), variance: law.variance, draws: r)
      }
      let test = TailTest(z: z, lower: lower(-deviation), upper: upper(deviation), method: .bennett, withinRounding: withinRounding)
      guard wanted else { return (test, nil) }
      return (test, (lowerCritical(), criticalDeviation(level: level) { upper($0 * se) } ?? .infinity))
    }
    let upper = SkewedCriticalValues.tails(z: z, skewness: gamma).upper
    let test = TailTest(z: z, lower: lower(-deviation), upper: upper, method: .gammaBennett, withinRounding: withinRounding)
    guard wanted else { return (test, nil) }
    return (test, (lowerCritical(), SkewedCriticalValues(z: -normalQuantile(level), skewness: gamma).upper))
  }

  /// Whether some ‖dᵢ‖² lie far above the rest and are rare in `picks` picks: peeling the largest values while
  /// the next lies more than 8 standard deviations above the mean of those below it, the peeled set is
  /// expected fewer than 25 times (the thresholds of C2's far values, `CountEnumerationTail.split`).
  mutating func rareFarExample(picks: Double) -> Bool {
    if farSquaredDeviations == nil {
      let sorted = moments.squaredDeviations.sorted()
      // Running sums over the values below the candidate, from the smallest up: mean and spread of the rest.
      var (s1, s2) = (0.0, 0.0)
      var means: [Double] = [], sds: [Double] = []
      means.reserveCapacity(sorted.count)
      sds.reserveCapacity(sorted.count)
      let shift = sorted[sorted.count / 2]
      for (k, v) in sorted.enumerated() {
        let m = k == 0 ? 0 : s1 / Double(k)
        means.append(m + shift)
        sds.append(k == 0 ? 0 : Swift.max(s2 / Double(k) - m * m, 0).squareRoot())
        s1 += v - shift
        s2 += (v - shift) * (v - shift)
      }
      var count = 0
      let limit = Swift.min(64, sorted.count - 2)
      while count < limit {
        let k = sorted.count - 1 - count
        guard sorted[k] > means[k] + CountEnumerationTail.farSpread * sds[k] else { break }
        count += 1
      }
      farSquaredDeviations = (count, Double(count) / Double(sorted.count))
    }
    guard let far = farSquaredDeviations, far.count > 0 else { return false }
    return picks * far.share < CountEnumerationTail.frequentCount
  }
}

extension TailTest {
  /// The test of −T: tails exchanged.
  var flipped: TailTest {
    TailTest(z: z, lower: upper, upper: lower, method: method, withinRounding: withinRounding)
  }
}

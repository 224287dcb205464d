/// The verdicts of one sweep: unbiasedness (C2) and the variance law (C3) per cell, each standardised by
/// the exact null law of the population (`SquaredErrorLaw`, DESIGN.md §7), each tail tested at its own level.
///
/// ```
/// C2: zⱼ = ēⱼ / √(Var ḡ_b,ⱼ / R)          per coordinate, Var from the population (not the draws)
/// C3: z  = (MSE − E e) / √(Var e / R)      e = ‖ḡ_b − g‖², Var e from the population
/// PASS when lower ≤ z ≤ upper,  lower/upper = ∓z* + (γ/6)(z*² − 1)   (Cornish–Fisher, γ the skewness of the mean)
/// z* = Φ⁻¹(1 − α/(2m)),  m = every test of the run (bias coordinates, variance cells, noise-scale estimators)
/// ```
/// so that the probability of any false FAIL in the run is at most α (Bonferroni). γ is exact where a closed
/// form exists (every coordinate; e with replacement) and otherwise estimated from the draws' third moment
/// about the exact mean. A cell with no spread at all (b = N without replacement, Poisson at q = 1, or a
/// population whose gradients are all equal) is judged against the rounding of a batch mean instead.
public struct SweepEvaluation: Sendable {
  public struct Row: Sendable {
    public var measurement: CellMeasurement
    /// E e under the convention judged (the exact law unless a test plants a convention bug).
    public var theory: Double?
    /// The exact null law of the cell (nil for the realised-size Poisson estimator).
    public var law: SquaredErrorLaw?
    /// √(Var e / R): the exact null standard error of the MSE.
    public var nullStandardError: Double?
    public var varianceZ: Double?
    public var varianceCritical: SkewedCriticalValues?
    /// Whether γ of the MSE came from a closed form (else from the draws).
    public var skewnessExact: Bool?
    /// z of every coordinate's mean error against its exact null spread, and the skewness γ of its mean.
    public var biasZ: [Double]
    public var biasSkewness: [Double] = []
    /// γ of the MSE's mean of R draws.
    public var varianceSkewness: Double?
    public var biasVerdict: Verdict?
    public var varianceVerdict: Verdict?

    /// MSE / theory.
    public var ratio: Double? {
      guard let theory, theory > 0 else { return nil }
      return measurement.meanSquaredError / theory
    }

    /// max |zⱼ| over the coordinates.
    public var maxAbsoluteBiasZ: Double { biasZ.map(Swift.abs).max() ?? 0 }

    /// The smallest bias of one coordinate, relative to ‖g‖∞, that this cell's bias test detects with
    /// probability ½ at the run's level: z*·maxⱼ √(Var ḡ_b,ⱼ / R) / ‖g‖∞ (nil where not tested).
    public var detectableRelativeBias: Double?

    /// The smallest relative deviation of the MSE from its law that this cell detects with probability ½
    /// at the run's level: max(upper, −lower) · se / theory.
    public var detectableRelativeDeviation: Double? {
      guard let theory, theory > 0, let se = nullStandardError, let c = varianceCritical else { return nil }
      return Swift.max(c.upper, -c.lower) * se / theory
    }
  }

  public var rows: [Row]
  public var alpha: Double
  /// z* of one tail of one test: Φ⁻¹(1 − α/(2m)).
  public var criticalZ: Double
  /// How many tests share α (Bonferroni's m).
  public var tests: Int

  /// - Parameters:
  ///   - convention: the variance constants; anything but `.exact` is a deliberate bug for the tests.
  ///   - runTests: how many tests the whole run makes (Bonferroni's m); nil: this sweep's own.
  public init(
    measurements: [CellMeasurement], population: GradientPopulation, alpha: Double,
    convention: VarianceConvention = .exact, runTests: Int? = nil, moments: PopulationMoments? = nil
  ) {
    self.alpha = alpha
    let moments = moments ?? PopulationMoments(population)
    let tests = Swift.max(1, runTests ?? Self.testCount(measurements.map(\.cell), dimension: population.dimension))
    let criticalZ = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: tests)
    self.tests = tests
    self.criticalZ = criticalZ
    let allowance = Self.roundingAllowance(population)
    let degenerate = population.traceSigma == 0
    var rows: [Row] = []
    for m in measurements {
      let cell = m.cell
      let law = SquaredErrorLaw(sampler: cell.sampler, batch: cell.batch, population: population, moments: moments)
      let theory = convention.theoreticalMSE(sampler: cell.sampler, batch: cell.batch, population: population)
      var row = Row(measurement: m, theory: theory, law: law, biasZ: [])
      let r = Double(m.draws)
      if let law, cell.sampler.isUnbiased {
        var holds = true
        row.biasZ = m.meanError.indices.map { j in
          let error = m.meanError[j]
          let variance = law.coordinateVariance[j]
          let withinRounding = Swift.abs(error) <= allowance[j] * Double(Swift.max(cell.batch, population.count) + 2)
          guard variance > 0 else {
            row.biasSkewness.append(0)
            if !withinRounding { holds = false }
            return withinRounding ? 0 : (error > 0 ? .infinity : -.infinity)
          }
          let z = error / (variance / r).squareRoot()
          let gamma = SkewedCriticalValues.meanSkewness(
            thirdCentralMoment: law.coordinateThirdMoment[j], variance: variance, draws: m.draws)
          row.biasSkewness.append(gamma)
          if !SkewedCriticalValues(z: criticalZ, skewness: gamma).accepts(z) && !withinRounding { holds = false }
          return z
        }
        row.biasVerdict = holds ? .pass : .fail
        let largestSE = ((law.coordinateVariance.max() ?? 0) / r).squareRoot()
        let gScale = population.mean.map(Swift.abs).max() ?? 0
        row.detectableRelativeBias = gScale > 0 && largestSE > 0 ? criticalZ * largestSE / gScale : nil
      }
      if let theory, let law {
        if law.variance == 0 || (degenerate && theory == 0) {
          // No spread: every error is zero (b = N) or the rounding of a mean of equal rows.
          let bound = degenerate && !m.everyErrorZero
            ? allowance.map { let x = $0 * Double(cell.batch + 2); return x * x }.reduce(0, +) : 0
          row.varianceVerdict = (m.everyErrorZero || m.meanSquaredError <= bound) && theory == law.mean ? .pass : .fail
        } else {
          let se = (law.variance / r).squareRoot()
          let k3 = law.thirdCentralMoment
            ?? SkewedCriticalValues.thirdCentralMoment(powerSums: m.squaredErrorPowerSums, about: law.mean, draws: m.draws)
          let gamma = SkewedCriticalValues.meanSkewness(thirdCentralMoment: k3, variance: law.variance, draws: m.draws)
          let critical = SkewedCriticalValues(z: criticalZ, skewness: gamma)
          row.varianceSkewness = gamma
          let z = (m.meanSquaredError - theory) / se
          row.nullStandardError = se
          row.varianceZ = z
          row.varianceCritical = critical
          row.skewnessExact = law.thirdCentralMoment != nil
          row.varianceVerdict = critical.accepts(z) ? .pass : .fail
        }
      }
      rows.append(row)
    }
    self.rows = rows
  }

  /// u · max ᵢ |gᵢⱼ| per coordinate: times (b + 2), a bound on the rounding of one batch mean's error
  /// (a recursive sum of at most max(b, N) terms, the complement subtracted from a compensated total).
  static func roundingAllowance(_ p: GradientPopulation) -> [Double] {
    let u = RoundingBoundNumber.unitRoundoff
    var largest = [Double](repeating: 0, count: p.dimension)
    for i in 0..<p.count {
      for j in 0..<p.dimension { largest[j] = Swift.max(largest[j], Swift.abs(p.rows[i * p.dimension + j])) }
    }
    return largest.map { 2 * u * $0 }
  }

  /// The tests a sweep over `cells` makes: one per coordinate per unbiased cell, one per cell with a law.
  public static func testCount(_ cells: [SweepCell], dimension d: Int) -> Int {
    cells.filter { $0.sampler.isUnbiased }.count * d + cells.filter { $0.sampler != .poissonRealized }.count
  }

  /// The worst verdict of the cells of one sampler, for one claim.
  public func verdict(sampler: SamplerKind, claim: KeyPath<Row, Verdict?>) -> Verdict? {
    let verdicts = rows.filter { $0.measurement.cell.sampler == sampler }.compactMap { $0[keyPath: claim] }
    return verdicts.max()
  }
}

extension SweepEvaluation {
  /// The log-log slope of MSE against b over the cells of one sampler with b ≤ N/8, weighted by the exact
  /// null variance of log MSE ≈ Var e / (R·E e²), with its 95% interval (widened for lack of fit), beside the
  /// slope of the law itself fitted over the same b: −1 with replacement, a little below −1 without
  /// replacement and for Poisson, where the factor (N − b)/(N − 1) bends the line.
  public func slope(sampler: SamplerKind, count n: Int) -> (slope: Double, halfWidth: Double, law: Double)? {
    let cells = rows.filter {
      $0.measurement.cell.sampler == sampler && 8 * $0.measurement.cell.batch <= n && $0.measurement.meanSquaredError > 0
        && ($0.nullStandardError ?? 0) > 0 && ($0.theory ?? 0) > 0
    }
    func weight(_ row: Row) -> Double { (row.theory! / row.nullStandardError!) * (row.theory! / row.nullStandardError!) }
    let measured = cells.map { (x: Double.log(Double($0.measurement.cell.batch)), y: Double.log($0.measurement.meanSquaredError), weight: weight($0)) }
    let law = cells.map { (x: Double.log(Double($0.measurement.cell.batch)), y: Double.log($0.theory!), weight: weight($0)) }
    guard let fit = weightedLeastSquaresSlope(measured), let se = fit.standardError,
      let reference = weightedLeastSquaresSlope(law)
    else { return nil }
    return (fit.slope, 1.959963984540054 * se, reference.slope)
  }
}

/// One test of a run, as the calibration needs it: its z against the exact null law, the skewness of the
/// mean it tests, and the z the harness used before (the same difference over the estimated standard error).
public struct NullTest: Sendable {
  public enum Claim: String, Sendable, CaseIterable { case bias = "C2", variance = "C3", noiseTrace = "C3-noise-S", noiseNorm = "C3-noise-G" }
  public var claim: Claim
  /// The coordinate (bias tests) or cell index (variance tests) within the run.
  public var index: Int
  public var z: Double
  public var skewness: Double
  public var estimatedStandardErrorZ: Double

  /// Whether the test rejects in the lower (−1) or upper (+1) tail at per-tail level `level`, or not (0).
  public func rejection(level: Double, exactLaw: Bool) -> Int {
    let zStar = -normalQuantile(level)
    if exactLaw {
      let c = SkewedCriticalValues(z: zStar, skewness: skewness)
      return z < c.lower ? -1 : (z > c.upper ? 1 : 0)
    }
    let zOld = estimatedStandardErrorZ
    return zOld < -zStar ? -1 : (zOld > zStar ? 1 : 0)
  }
}

extension SweepEvaluation {
  /// Every statistical test of this evaluation (cells with no spread are exact checks, left out).
  public var nullTests: [NullTest] {
    var tests: [NullTest] = []
    for (c, row) in rows.enumerated() {
      let m = row.measurement
      for (j, z) in row.biasZ.enumerated() where z.isFinite && (row.law?.coordinateVariance[j] ?? 0) > 0 {
        let se = m.meanErrorStandardError[j]
        tests.append(NullTest(
          claim: .bias, index: j, z: z, skewness: row.biasSkewness[j],
          estimatedStandardErrorZ: se > 0 ? m.meanError[j] / se : 0))
      }
      if let z = row.varianceZ, let gamma = row.varianceSkewness, let theory = row.theory {
        let se = m.meanSquaredErrorStandardError
        tests.append(NullTest(
          claim: .variance, index: c, z: z, skewness: gamma,
          estimatedStandardErrorZ: se > 0 ? (m.meanSquaredError - theory) / se : 0))
      }
    }
    return tests
  }
}

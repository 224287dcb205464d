import Foundation

/// The verdicts of one sweep: unbiasedness (C2) and the variance law (C3) per cell, each decided by a tail
/// probability under the exact null law of the population (`SweepNullTails`), each tail at its own level.
///
/// ```
/// C2: every coordinate j, T = ēⱼ,  E T = 0          C3: T = MSE, E T = E e (the law)
/// reject a tail when P(T beyond its value) ≤ L = α/(2m), m = every test of the run (Bonferroni), and the
///   deviation is larger than the rounding of T
/// no power: PASS only where the cell detects (with probability ½ at level L) a bias of 0.1·‖g‖∞ (C2) or a
///   deviation of 10% of the law (C3); otherwise INCONCLUSIVE
/// ```
/// so that the probability of any false FAIL in the run is at most α, whatever the shape of the gradients
/// (the tails are exact, saddlepoint, or valid bounds). A cell with no spread (b = N without replacement,
/// Poisson at q = 1, a population whose gradients are all equal) is judged exactly, against rounding.
package struct SweepEvaluation: Sendable {
  /// The bias (relative to ‖g‖∞) and the relative deviation of the MSE that a cell must be able to detect
  /// for its PASS to mean something.
  public static let meaningfulRelativeBias = 0.1
  public static let meaningfulRelativeDeviation = 0.1

  /// A pair of critical values, in units of the null standard error.
  public struct CriticalValues: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
  }

  public struct Row: Sendable {
    public var measurement: CellMeasurement
    /// E e under the convention judged (the exact law unless a test plants a convention bug).
    public var theory: Double?
    /// The exact null law of the cell (nil for the realised-size Poisson estimator).
    public var law: SquaredErrorLaw?
    /// √(Var e / R): the exact null standard error of the MSE.
    public var nullStandardError: Double?
    public var varianceTest: TailTest?
    public var varianceCritical: CriticalValues?
    /// Every coordinate's test of ēⱼ = 0 (empty where not tested).
    public var biasTests: [TailTest] = []
    /// The critical values of the coordinate with the largest null spread (the cell's power).
    public var biasCritical: CriticalValues?
    public var biasVerdict: Verdict?
    public var varianceVerdict: Verdict?

    public var varianceZ: Double? { varianceTest?.z }
    /// z of every coordinate's mean error against its exact null spread.
    public var biasZ: [Double] { biasTests.map(\.z) }

    /// MSE / theory.
    public var ratio: Double? {
      guard let theory, theory > 0 else { return nil }
      return measurement.meanSquaredError / theory
    }

    /// max |zⱼ| over the coordinates.
    public var maxAbsoluteBiasZ: Double { biasTests.map { Swift.abs($0.z) }.max() ?? 0 }

    /// The coordinate whose test has the smallest tail probability, with that test.
    public var worstBias: (coordinate: Int, test: TailTest)? {
      biasTests.indices.min { biasTests[$0].pValue < biasTests[$1].pValue }.map { ($0, biasTests[$0]) }
    }

    /// The smallest bias of one coordinate, relative to ‖g‖∞, that this cell's bias test detects with
    /// probability ½ at the run's level: max(upper, −lower)·maxⱼ √(Var ḡ_b,ⱼ / R) / ‖g‖∞ (nil where not tested,
    /// and for a cell with no spread, which is judged exactly).
    public var detectableRelativeBias: Double?

    /// The smallest relative deviation of the MSE from its law that this cell detects with probability ½
    /// at the run's level: max(upper, −lower) · se / theory (nil for a cell with no spread, judged exactly).
    public var detectableRelativeDeviation: Double? {
      guard varianceTest?.method != .zeroSpread, let theory, theory > 0, let se = nullStandardError, let c = varianceCritical else { return nil }
      return Swift.max(c.upper, -c.lower) * se / theory
    }
  }

  public var rows: [Row]
  public var alpha: Double
  /// The normal z* of one tail of one test, Φ⁻¹(1 − α/(2m)), for reading (verdicts use tail probabilities).
  public var criticalZ: Double
  /// How many tests share α (Bonferroni's m).
  public var tests: Int
  /// The per-tail level L = α/(2m).
  public var tailLevel: Double { alpha / (2 * Double(tests)) }

  /// - Parameters:
  ///   - convention: the variance constants; anything but `.exact` is a deliberate bug for the tests.
  ///   - runTests: how many tests the whole run makes (Bonferroni's m); nil: this sweep's own.
  ///   - screenLevel: the largest per-tail level any reader will apply to the tests (the calibration reads
  ///     them at several); default the run's own level.
  ///   - judgePower: false skips the power of each cell (the calibration counts FAILs only), so a cell
  ///     that does not fail passes.
  public init(
    measurements: [CellMeasurement], population: GradientPopulation, alpha: Double,
    convention: VarianceConvention = .exact, runTests: Int? = nil, moments: PopulationMoments? = nil,
    screenLevel: Double? = nil, judgePower: Bool = true
  ) {
    self.alpha = alpha
    let moments = moments ?? PopulationMoments(population)
    let tests = Swift.max(1, runTests ?? Self.testCount(measurements.map(\.cell), dimension: population.dimension))
    self.tests = tests
    criticalZ = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: tests)
    let level = alpha / (2 * Double(tests))
    var tails = SweepNullTails(population: population, moments: moments, level: Swift.max(level, screenLevel ?? 0))
    let gScale = population.mean.map(Swift.abs).max() ?? 0
    let laws = measurements.map {
      SquaredErrorLaw(sampler: $0.cell.sampler, batch: $0.cell.batch, population: population, moments: moments)
    }
    let biasTests = Self.biasTests(measurements: measurements, laws: laws, tails: tails)
    var rows: [Row] = []
    for (c, m) in measurements.enumerated() {
      let cell = m.cell
      let law = laws[c]
      let theory = convention.theoreticalMSE(sampler: cell.sampler, batch: cell.batch, population: population)
      var row = Row(measurement: m, theory: theory, law: law)
      if let law, cell.sampler.isUnbiased {
        row.biasTests = biasTests[c]
        let rejected = row.biasTests.contains { $0.rejection(level: level) != 0 }
        if let widest = law.coordinateVariance.indices.max(by: { law.coordinateVariance[$0] < law.coordinateVariance[$1] }) {
          let variance = law.coordinateVariance[widest]
          if variance > 0 && gScale > 0 && judgePower {
            let critical = tails.biasCritical(cell: cell, draws: m.draws, coordinate: widest, variance: variance)
            row.biasCritical = critical
            let se = (variance / Double(m.draws)).squareRoot()
            row.detectableRelativeBias = critical.map { Swift.max($0.upper, -$0.lower) * se / gScale } ?? .infinity
          }
        }
        let exact = row.biasTests.allSatisfy { $0.method == .zeroSpread }
        let powerful = !judgePower || (row.detectableRelativeBias ?? .infinity) <= Self.meaningfulRelativeBias
        row.biasVerdict = rejected ? .fail : (exact || powerful ? .pass : .inconclusive)
      }
      if let theory, let law {
        let judged = tails.varianceTest(m, theory: theory, law: law, critical: judgePower)
        row.varianceTest = judged.test
        row.varianceCritical = judged.critical.map { CriticalValues(lower: $0.lower, upper: $0.upper) }
        row.nullStandardError = law.variance > 0 ? (law.variance / Double(m.squaredErrorDraws)).squareRoot() : 0
        let rejected = judged.test.rejection(level: level) != 0
        let exact = judged.test.method == .zeroSpread
        let powerful = !judgePower || (row.detectableRelativeDeviation ?? .infinity) <= Self.meaningfulRelativeDeviation
        row.varianceVerdict = rejected ? .fail : (exact || powerful ? .pass : .inconclusive)
      }
      rows.append(row)
    }
    self.rows = rows
  }

  /// Every coordinate's bias test in every unbiased cell (empty lists elsewhere), coordinate by coordinate:
  /// a coordinate's atoms are built once, serve every cell, and are dropped before the next (memory O(N),
  /// not O(N·P)); blocks of 64 coordinates run on all cores, each test a pure function of its inputs, in
  /// waves of 4096 coordinates whose tests go to their cells before the next wave (so the tests are held
  /// once, not twice).
  static func biasTests(measurements: [CellMeasurement], laws: [SquaredErrorLaw?], tails: SweepNullTails) -> [[TailTest]] {
    let tested = measurements.indices.filter { laws[$0] != nil && measurements[$0].cell.sampler.isUnbiased }
    guard let d = measurements.first?.meanError.count, !tested.isEmpty else { return measurements.map { _ in [] } }
    var out = measurements.map { _ in [TailTest]() }
    for c in tested { out[c].reserveCapacity(d) }
    let (width, wave) = (64, 4096)
    for start in stride(from: 0, to: d, by: wave) {
      let end = Swift.min(d, start + wave)
      let parts = parallelJobs(
        count: (end - start + width - 1) / width, threads: ProcessInfo.processInfo.activeProcessorCount, makeScratch: { tails }
      ) { job, local -> [TailTest] in
        // The tests of this job's coordinates, coordinate after coordinate, each with one per tested cell.
        (start + job * width..<Swift.min(end, start + (job + 1) * width)).flatMap { j in
          local.dropAtoms()
          return tested.map { c in
            let m = measurements[c]
            return local.biasTest(
              cell: m.cell, draws: m.draws, coordinate: j, meanError: m.meanError[j], variance: laws[c]!.coordinateVariance[j])!
          }
        }
      }
      for part in parts {
        for (k, c) in tested.enumerated() { out[c] += stride(from: k, to: part.count, by: tested.count).map { part[$0] } }
      }
    }
    return out
  }

  /// The tests one case's sweep makes: its cells' (`testCount`) and the noise-scale estimators' two where N ≥ 8.
  public static func caseTestCount(_ cells: [SweepCell], population p: GradientPopulation) -> Int {
    testCount(cells, dimension: p.dimension) + (NoiseScaleEstimate.sizes(count: p.count) == nil ? 0 : 2)
  }

  /// The tests a sweep over `cells` makes: one per coordinate per unbiased cell, one per cell with a law.
  public static func testCount(_ cells: [SweepCell], dimension d: Int) -> Int {
    cells.filter { $0.sampler.isUnbiased }.count * d + cells.filter { $0.sampler != .poissonRealized }.count
  }

  /// The verdict of one claim over the cells of one sampler: FAIL if any cell fails; PASS if every other
  /// cell passes or lacks power and at least one cell with spread passes (a cell with no spread, b = N, is
  /// exact but says nothing about the law at other b), or every cell has no spread; else INCONCLUSIVE.
  public func verdict(sampler: SamplerKind, claim: KeyPath<Row, Verdict?>) -> Verdict? {
    let cells = rows.filter { $0.measurement.cell.sampler == sampler && $0[keyPath: claim] != nil }
    guard let worst = cells.compactMap({ $0[keyPath: claim] }).max() else { return nil }
    guard worst != .fail else { return .fail }
    func exact(_ row: Row) -> Bool {
      claim == \Row.biasVerdict
        ? row.biasTests.allSatisfy { $0.method == .zeroSpread } : row.varianceTest?.method == .zeroSpread
    }
    if cells.allSatisfy(exact) { return .pass }
    return cells.contains { $0[keyPath: claim] == .pass && !exact($0) } ? .pass : .inconclusive
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

/// One test of a run, as the calibration needs it: its tail test against the exact null law, and the z
/// the harness used before (the same difference over the estimated standard error, normal critical values).
package struct NullTest: Sendable {
  public enum Claim: String, Sendable, CaseIterable { case bias = "C2", variance = "C3", noiseTrace = "C3-noise-S", noiseNorm = "C3-noise-G" }
  public var claim: Claim
  /// The coordinate (bias tests) or cell index (variance tests) within the run.
  public var index: Int
  public var test: TailTest
  public var estimatedStandardErrorZ: Double
  /// A bias test's cell, mean error and exact null variance (to shift it by a seeded bias).
  public var cell: SweepCell?
  public var meanError = 0.0
  public var variance = 0.0

  public var z: Double { test.z }

  /// Whether the test rejects in the lower (−1) or upper (+1) tail at per-tail level `level`, or not (0).
  public func rejection(level: Double, exactLaw: Bool) -> Int {
    if exactLaw { return test.rejection(level: level) }
    let zStar = -normalQuantile(level)
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
      for (j, test) in row.biasTests.enumerated() where test.method != .zeroSpread {
        let se = m.meanErrorStandardError[j]
        var t = NullTest(
          claim: .bias, index: j, test: test, estimatedStandardErrorZ: se > 0 ? m.meanError[j] / se : 0, cell: m.cell)
        t.meanError = m.meanError[j]
        t.variance = row.law?.coordinateVariance[j] ?? 0
        tests.append(t)
      }
      if let test = row.varianceTest, test.method != .zeroSpread, let theory = row.theory {
        let se = m.meanSquaredErrorStandardError
        tests.append(NullTest(
          claim: .variance, index: c, test: test,
          estimatedStandardErrorZ: se > 0 ? (m.meanSquaredError - theory) / se : 0, cell: m.cell))
      }
    }
    return tests
  }
}

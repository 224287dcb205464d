import Foundation

/// Calibration of the printed verdict (CAL): S independently seeded null runs of a whole sweep (every
/// sampler and batch size, C2, C3 and the noise-scale estimators), judged exactly as `sweep` judges them.
///
/// ```
/// family:  k = seeds with any FAIL;  PASS when the Clopper–Pearson interval of k/S covers or lies below α
/// tails:   per test kind and tail, rejections at the per-tail level L ∈ {α/(2m), the spec's levels}, pooled
///          over independent trials (variance: cells × seeds; bias: one coordinate's cells × seeds;
///          noise scale: seeds); PASS when L lies in the interval
/// power:   the heaviest-tailed coordinate's mean error shifted by λ = z* + offset null standard errors;
///          expected rate Φ(λ − upper) + Φ(lower − λ), Edgeworth-corrected for the skewness of the mean
/// the old statistic (difference over the *estimated* standard error, normal critical values) is run on the
///          same draws: the claim that it is miscalibrated holds when its family-wise interval lies above α
///          (its tail rows are reported)
/// intervals at confidence 1 − γ/m_rows (γ the spec's α: family-wise over the table's judged rows)
/// ```
/// Trials pooled in a row are independent: each cell draws from its own stream, and a bias row pools one
/// coordinate over cells (coordinates of one cell are correlated, so they are not pooled together).
///
/// Spec keys: `calibration` (`CalibrationSettings`), `alpha` (γ, the level of the calibration's own
/// verdicts), `samplers` (the unbiased ones: with, without, poisson) and `batch_sizes`.
package struct CalibrationExperiment: Experiment {
  public static let claim = "CAL"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case family = "CAL-family", tails = "CAL-tails", power = "CAL-power", oldStatistic = "CAL-old-statistic" }
  public static let keys = ["calibration", "alpha", "samplers", "batch_sizes"]
  public static let statement =
    "The printed sweep verdict is calibrated: over seeded null runs of a whole sweep, the share with any false FAIL is at most the sweep's α, each tail of each test rejects at its level, and a seeded bias is caught as often as predicted; the old statistic (difference over an estimated standard error) fails the same calibration."
  public enum Statistic: String, Sendable { case exact = "exact-law", estimated = "estimated-se" }
  public enum Kind: String, Sendable { case family, tail, power }

  public struct Row: Sendable {
    public var caseName: String
    public var draws: Int
    public var statistic: Statistic
    public var kind: Kind
    /// "any" for the family row, else the test kind (C2, C3, C3-noise-S, C3-noise-G).
    public var test: String
    /// The sampler of a C2 or C3 tail row ("" otherwise).
    public var sampler = ""
    /// The coordinate of a bias row (nil otherwise).
    public var coordinate: Int?
    /// "both", "lower" or "upper".
    public var tail: String
    /// The per-tail level L (family rows: the sweep's α; power rows: the Bonferroni level).
    public var level: Double
    /// Power rows: λ in null standard errors.
    public var shift: Double?
    public var trials: Int
    public var rejections: Int
    public var expected: Double
    public var interval: (low: Double, high: Double) = (0, 1)
    public var verdict: Verdict?
    /// Whether the row's tests decide by a bound (Chernoff): then its rate need only be at most the level.
    public var bounded = false
    /// The probability that this row's verdict FAILs were the true rate 2× (family) or 5× (tail) its level.
    public var power: Double?

    /// The miscalibration the row's power is stated against.
    public var miscalibration: Double { kind == .family ? 2 : 5 }

    public var rate: Double { Double(rejections) / Double(trials) }
  }

  /// Every row of the run, judged at confidence 1 − γ/m over the judged rows.
  public struct Result: Sendable {
    public let rows: [Row]
    /// 1 − γ/m_rows.
    public let confidence: Double
  }

  public var settings: CalibrationSettings
  public var sweep: SweepSettings
  /// The level γ of the calibration's own verdicts (the spec's α).
  public var level: Double

  /// Deliberate bugs for the tests, which calibration must expose: a wrong variance constant, and a sampler
  /// that never draws one example.
  public var convention: VarianceConvention
  public var neverPicks: Int?

  public init(
    settings: CalibrationSettings, sweep: SweepSettings, alpha: Double, convention: VarianceConvention = .exact,
    neverPicks: Int? = nil
  ) {
    self.settings = settings
    self.sweep = sweep
    level = alpha
    self.convention = convention
    self.neverPicks = neverPicks
  }

  enum Keys: String, CodingKey { case calibration }

  public init(settingsFrom decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    let settings = try c.decode(CalibrationSettings.self, forKey: .calibration)
    let sweep = try SweepSettings(from: decoder, keys: [.alpha, .samplers, .batchSizes])
    let given = try decoder.container(keyedBy: SweepSettings.Key.self)
    if given.contains(.samplers) && sweep.samplers.contains(.poissonRealized) {
      throw invalid(given, .samplers, "CAL calibrates the unbiased samplers (with, without, poisson) only")
    }
    self.init(settings: settings, sweep: sweep, alpha: sweep.alpha)
  }

  public var alpha: Double? { level }

  public var method: String {
    "Each of \(settings.seeds) null runs per R is a whole sweep (every sampler and batch size; C2, C3 and the noise scale) of the case at its own seed, judged exactly as gradverify sweep judges it at α = \(settings.sweepAlpha); rejection counts get Clopper–Pearson intervals at confidence 1 − γ/m over the judged rows (γ = \(level)). Tail rows pool independent trials: one test kind over cells and seeds (C2: one coordinate at a time)."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    let rows = try input.map { p throws(InputError) in
      try self.rows(model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed, threads: input.threads, progress: input.progress)
    }.flatMap { $0 }
    return judge(rows)
  }

  /// `settings.seeds` independent null sweeps of one case at each R of `settings.draws`, as rows.
  public func rows(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, threads: Int,
    progress: ((String) -> Void)? = nil
  ) throws(InputError) -> [Row] {
    let (name, population) = try GradientVisitor.seededPopulation(
      model: model, data: data, source: source, point: point, seed: seed)
    guard let (heavy, _) = population.heaviestTailedCoordinate else {
      throw InputError("\(source): every per-example gradient is the same; there is nothing to calibrate on")
    }
    let cells = try sweep.cells(count: data.count, source: source).filter { $0.sampler != .poissonRealized }
    var runs = NullSweepRuns(
      population: population, cells: cells, alpha: settings.sweepAlpha, convention: convention, neverPicks: neverPicks)
    runs.screenLevel = settings.tailLevels.max()
    var rows: [Row] = []
    for draws in settings.draws {
      progress?("CAL \(name): \(settings.seeds) null sweeps of R = \(draws)")
      let outcomes = runs.run(seeds: settings.seeds, draws: draws, seed: seed, caseName: name, threads: threads)
      rows += self.rows(outcomes: outcomes, caseName: name, draws: draws, heavy: heavy, runs: runs)
    }
    return rows
  }

  func rows(
    outcomes: [NullSweepRuns.Outcome], caseName: String, draws: Int, heavy: Int, runs: NullSweepRuns
  ) -> [Row] {
    let dimension = runs.population.dimension
    let m = runs.tests
    var rows: [Row] = []
    let seeds = outcomes.count
    let bonferroni = settings.sweepAlpha / (2 * Double(m))
    let levels = [bonferroni] + settings.tailLevels
    for (k, statistic) in [Statistic.exact, .estimated].enumerated() {
      let failures = outcomes.filter { k == 0 ? $0.familyFailed.printed : $0.familyFailed.old }.count
      rows.append(Row(
        caseName: caseName, draws: draws, statistic: statistic, kind: .family, test: "any", tail: "both",
        level: settings.sweepAlpha, trials: seeds, rejections: failures, expected: settings.sweepAlpha))
      // Tail rows: one per test kind and sampler (bias: per coordinate too) × level × tail.
      let samplers = SamplerKind.allCases.filter(\.isUnbiased)
      var groups: [(test: String, sampler: String, coordinate: Int?, member: (NullTest) -> Bool)] = []
      for s in samplers {
        groups.append((NullTest.Claim.variance.rawValue, s.rawValue, nil, { $0.claim == .variance && $0.cell?.sampler == s }))
      }
      for claim in [NullTest.Claim.noiseTrace, .noiseNorm] {
        groups.append((claim.rawValue, "", nil, { $0.claim == claim }))
      }
      for s in samplers {
        for j in 0..<dimension {
          groups.append((NullTest.Claim.bias.rawValue, s.rawValue, j, { $0.claim == .bias && $0.index == j && $0.cell?.sampler == s }))
        }
      }
      for group in groups {
        let members = outcomes.flatMap { $0.tests.filter(group.member) }
        guard !members.isEmpty else { continue }
        // A tail read from a bound (Chernoff, Bennett) is judged as at most its level.
        let lowerBounded = statistic == .exact && members.contains { $0.test.method.boundsLowerTail }
        let upperBounded = statistic == .exact && members.contains { $0.test.method.boundsUpperTail }
        for level in levels {
          for (tail, sign) in [("lower", -1), ("upper", 1)] {
            let count = members.filter { $0.rejection(level: level, exactLaw: statistic == .exact) == sign }.count
            var row = Row(
              caseName: caseName, draws: draws, statistic: statistic, kind: .tail, test: group.test,
              coordinate: group.coordinate, tail: tail, level: level, trials: members.count, rejections: count,
              expected: level)
            row.sampler = group.sampler
            row.bounded = sign < 0 ? lowerBounded : upperBounded
            rows.append(row)
          }
        }
      }
    }
    // Power: the heaviest-tailed coordinate's mean error shifted by λ = z* + offset null standard errors in
    // every cell, judged by the same tail test; expected: a normal law about λ against each cell's critical
    // values (a smooth coordinate's approximation: specs of sparse or outlier populations state no power rows).
    let zStar = -normalQuantile(bonferroni)
    var tails = SweepNullTails(population: runs.population, moments: runs.moments, level: bonferroni)
    let heavyTests = outcomes.flatMap { $0.tests.filter { $0.claim == .bias && $0.index == heavy && $0.cell != nil } }
    var critical: [SweepCell: SweepEvaluation.CriticalValues] = [:]
    for cell in Set(heavyTests.compactMap(\.cell)) {
      let variance = heavyTests.first { $0.cell == cell }!.variance
      critical[cell] = tails.biasCritical(cell: cell, draws: draws, coordinate: heavy, variance: variance)
    }
    for offset in settings.powerOffsets {
      let lambda = zStar + offset
      var caught = 0
      var expected = 0.0
      for t in heavyTests {
        let cell = t.cell!
        let se = (t.variance / Double(draws)).squareRoot()
        let shifted = tails.biasTest(cell: cell, draws: draws, coordinate: heavy, meanError: t.meanError + lambda * se, variance: t.variance)
        if shifted?.rejection(level: bonferroni) != 0 { caught += 1 }
        if let c = critical[cell] { expected += normalCDF(c.lower - lambda) + 1 - normalCDF(c.upper - lambda) }
      }
      rows.append(Row(
        caseName: caseName, draws: draws, statistic: .exact, kind: .power, test: NullTest.Claim.bias.rawValue,
        coordinate: heavy, tail: "both", level: bonferroni, shift: lambda, trials: heavyTests.count, rejections: caught,
        expected: heavyTests.isEmpty ? 0 : expected / Double(heavyTests.count)))
    }
    return rows
  }

  /// The rows judged, and how: the exact statistic's family, tail and power rows must hold; where the spec
  /// claims it (`old_statistic_claim`), the old statistic's family row must lie above α.
  func judged(_ r: Row) -> Bool { r.statistic == .exact || (settings.oldStatisticClaim && r.kind == .family) }

  /// Judges every row at family-wise level γ (the spec's α) over the judged rows of the table.
  public func judge(_ unjudged: [Row]) -> Result {
    var rows = unjudged
    let judgedCount = rows.filter(judged).count
    let confidence = 1 - level / Double(Swift.max(1, judgedCount))
    for k in rows.indices {
      let r = rows[k]
      let interval = clopperPearsonInterval(successes: r.rejections, trials: r.trials, confidence: confidence)
      rows[k].interval = interval
      guard judged(r) else { continue }
      let atMost = r.kind == .family || r.bounded
      let inside = atMost ? interval.low <= r.expected : interval.low <= r.expected && r.expected <= interval.high
      if r.statistic == .exact {
        rows[k].verdict = inside ? .pass : .fail
        if r.kind != .power {
          rows[k].power = Self.power(trials: r.trials, level: r.expected, factor: r.miscalibration, confidence: confidence)
        }
      } else {
        // The claim about the old statistic: it over-rejects, its family-wise interval lying above α.
        rows[k].verdict = interval.low > r.expected ? .pass : .fail
      }
    }
    return Result(rows: rows, confidence: confidence)
  }

  /// The probability that a row of `trials` with true rate factor·level has a Clopper–Pearson interval
  /// (at `confidence`) lying above the level, i.e. that the row FAILs: Σ_{k ≥ k*} Bin(k; trials, factor·level),
  /// k* the fewest rejections whose interval lies above the level.
  static func power(trials n: Int, level: Double, factor: Double, confidence: Double) -> Double {
    var (low, high) = (0, n + 1)
    while low < high {
      let mid = (low + high) / 2
      if mid <= n && clopperPearsonInterval(successes: mid, trials: n, confidence: confidence).low > level {
        high = mid
      } else {
        low = mid + 1
      }
    }
    guard low <= n else { return 0 }
    return 1 - binomialCDF(low - 1, trials: n, probability: Swift.min(1, factor * level))
  }

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case draws, statistic, kind, test, tail, level, shiftSE = "shift_se", trials, rate, ciLow = "ci_low"
    case ciHigh = "ci_high", expected
  }

  /// One row per case × R × statistic × test × tail × level, then the power rows; each with the confidence
  /// of the run's intervals.
  static let table = RecordTable<(row: Row, confidence: Double)>([
    .column(.caseName) { CSVCell($0.row.caseName) },
    .column(Columns.draws, "replicates R of each calibrated sweep", unit: "1") { CSVCell($0.row.draws) },
    .column(Columns.statistic, "exact-law: the printed verdict (exact null variance, skewed critical values); estimated-se: the old statistic on the same draws", unit: "1") {
      CSVCell($0.row.statistic.rawValue)
    },
    .column(Columns.kind, "family: any FAIL in a whole sweep; tail: one tail of one test kind; power: a seeded bias", unit: "1") {
      CSVCell($0.row.kind.rawValue)
    },
    .column(Columns.test, "any (family), C2 (bias, per coordinate), C3 (variance), C3-noise-S / C3-noise-G (noise-scale estimators)", unit: "1") {
      CSVCell($0.row.test)
    },
    .column("sampler", "the sampler of a C2 or C3 tail row (with, without, poisson)", unit: "1") { CSVCell($0.row.sampler) },
    .column("coordinate", "θ coordinate of a bias row (power rows: the heaviest-tailed one)", unit: "1") { CSVCell($0.row.coordinate) },
    .column(Columns.tail, "lower, upper, or both", unit: "1") { CSVCell($0.row.tail) },
    .column(Columns.level, "per-tail level L of the row (the Bonferroni level α/(2m) or a stated level); family rows: the sweep's α", unit: "1") {
      CSVCell($0.row.level)
    },
    .column(Columns.shiftSE, "power rows: seeded bias λ = z* + offset, in null standard errors", unit: "1") { CSVCell($0.row.shift) },
    .column(Columns.trials, "independent trials pooled (seeds × cells)", unit: "1") { CSVCell($0.row.trials) },
    .column("rejections", "trials rejected, k", unit: "1") { CSVCell($0.row.rejections) },
    .column(Columns.rate, "k/trials", unit: "1") { CSVCell($0.row.rate) },
    .column(Columns.ciLow, "Clopper–Pearson lower limit of the rejection probability", unit: "1") { CSVCell($0.row.interval.low) },
    .column(Columns.ciHigh, "Clopper–Pearson upper limit of the rejection probability", unit: "1") { CSVCell($0.row.interval.high) },
    .column("ci_level", "confidence of each interval, 1 − γ/m (γ the spec's α, m the judged rows)", unit: "1") { CSVCell($0.confidence) },
    .column(Columns.expected, "the level (family: the bound α; power: Edgeworth-corrected normal power)", unit: "1") { CSVCell($0.row.expected) },
    .column("criterion", "covers: the interval must contain the level (the tests are exact or approximations of the exact law); at-most: it must cover or lie below it (family rows, and tails decided by a Chernoff bound, which is valid but conservative)", unit: "1") {
      CSVCell($0.row.kind == .power ? "" : ($0.row.kind == .family || $0.row.bounded ? "at-most" : "covers"))
    },
    .column("power_miscalibrated", "probability that this row FAILs were the true rate 2× its level (family) or 5× (tails): how well the calibration can fail", unit: "1") {
      CSVCell($0.row.power)
    },
    .column("verdict", "exact-law rows: PASS when the interval meets the criterion; the estimated-se family row: PASS when its interval lies above α (the old statistic is miscalibrated); empty: reported only", unit: "1") {
      CSVCell($0.row.verdict?.rawValue ?? "")
    },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [Self.table.filled(with: result.rows.map { ($0, result.confidence) })]
  }

  /// Per case and R: the printed verdict's family-wise rate, the worst tail row, the power, and the old
  /// statistic's control rows.
  public func verdicts(_ result: Result) -> [VerdictRow] {
    let rows = result.rows
    var out: [VerdictRow] = []
    var keys: [String] = []
    for r in rows where !keys.contains("\(r.caseName)|\(r.draws)") { keys.append("\(r.caseName)|\(r.draws)") }
    func figure(_ r: Row) -> String {
      "\(r.rejections)/\(r.trials) = \(shortScientific(r.rate)) in [\(shortScientific(r.interval.low)), \(shortScientific(r.interval.high))] vs \(shortScientific(r.expected))"
    }
    for key in keys {
      let group = rows.filter { "\($0.caseName)|\($0.draws)" == key && judged($0) }
      guard let first = group.first else { continue }
      let name = "\(first.caseName) R=\(first.draws)"
      let parts: [(VerdictClaims, [Row])] = [
        (VerdictClaims.family, group.filter { $0.kind == .family && $0.statistic == .exact }),
        (VerdictClaims.tails, group.filter { $0.kind == .tail && $0.statistic == .exact }),
        (VerdictClaims.power, group.filter { $0.kind == .power }),
        (VerdictClaims.oldStatistic, group.filter { $0.statistic == .estimated }),
      ]
      for (claim, members) in parts where !members.isEmpty {
        // The row farthest from its expectation, relative to its interval.
        let worst = members.max { a, b in
          func distance(_ r: Row) -> Double {
            let width = Swift.max(r.interval.high - r.interval.low, 1e-300)
            return Swift.abs(r.rate - r.expected) / width
          }
          func flagged(_ r: Row) -> Int { r.verdict?.holds == true ? 0 : 1 }
          return (flagged(a), distance(a)) < (flagged(b), distance(b))
        }!
        let what = worst.kind == .family
          ? "P(any FAIL)" : worst.kind == .power
          ? "λ \(rounded2(worst.shift ?? .nan))"
          : "\(worst.test)\(worst.coordinate.map { "[\($0)]" } ?? "") \(worst.tail) at \(shortScientific(worst.level))"
        let verdict = members.compactMap(\.verdict).max() ?? .inconclusive
        out.append(VerdictRow(
          claim: claim, caseName: name, keyFigure: "\(members.count) rows; \(worst.kind == .family ? "" : "worst ")\(what): \(figure(worst))",
          verdict: verdict))
      }
    }
    return out
  }
}

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
///          same draws as a control: its family-wise rate and its C3 lower tail must be rejected
/// intervals at confidence 1 − γ/m_rows (γ the spec's α: family-wise over the table's judged rows)
/// ```
/// Trials pooled in a row are independent: each cell draws from its own stream, and a bias row pools one
/// coordinate over cells (coordinates of one cell are correlated, so they are not pooled together).
public struct CalibrationExperiment: Sendable {
  public enum Statistic: String, Sendable { case exact = "exact-law", estimated = "estimated-se" }
  public enum Kind: String, Sendable { case family, tail, power }

  public struct Row: Sendable {
    public var caseName: String
    public var draws: Int
    public var statistic: Statistic
    public var kind: Kind
    /// "any" for the family row, else the test kind (C2, C3, C3-noise-S, C3-noise-G).
    public var test: String
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

    public var rate: Double { Double(rejections) / Double(trials) }
  }

  public var settings: CalibrationSettings
  public var sweep: SweepSettings
  /// The level γ of the calibration's own verdicts (the spec's α).
  public var alpha: Double
  public var rows: [Row] = []
  /// 1 − γ/m_rows, set by `evaluate`.
  public var confidence = 0.0

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
    self.alpha = alpha
    self.convention = convention
    self.neverPicks = neverPicks
  }

  /// The coordinate whose per-example gradients have the largest excess kurtosis m₄/m₂² − 3 (the first
  /// such), with that kurtosis; coordinates without spread are skipped.
  public static func heaviestTailedCoordinate(_ p: GradientPopulation) -> (coordinate: Int, excessKurtosis: Double)? {
    var best: (Int, Double)?
    for j in 0..<p.dimension {
      var m2 = NeumaierSum()
      var m4 = NeumaierSum()
      for i in 0..<p.count {
        let d = p.rows[i * p.dimension + j] - p.mean[j]
        m2.add(d * d)
        m4.add(d * d * d * d)
      }
      let n = Double(p.count)
      guard m2.value > 0 else { continue }
      let kurtosis = (m4.value / n) / ((m2.value / n) * (m2.value / n)) - 3
      if best == nil || kurtosis > best!.1 { best = (j, kurtosis) }
    }
    return best
  }

  /// What one seed's null run contributes: whether any test failed (per statistic), and its tests.
  struct SeedOutcome: Sendable {
    var familyFailed: [Bool]
    var tests: [NullTest]
  }

  /// Runs `settings.seeds` independent null sweeps of one case at each R of `settings.draws`.
  public mutating func run(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, threads: Int,
    progress: ((String) -> Void)? = nil
  ) throws(InputError) {
    let (name, population) = try GradientVisitor.seededPopulation(
      model: model, data: data, source: source, point: point, seed: seed)
    guard let (heavy, _) = Self.heaviestTailedCoordinate(population) else {
      throw InputError("\(source): every per-example gradient is the same; there is nothing to calibrate on")
    }
    let cells = try sweep.cells(count: data.count, source: source).filter { $0.sampler != .poissonRealized }
    let moments = PopulationMoments(population)
    let m = SweepEvaluation.testCount(cells, dimension: population.dimension)
      + (NoiseScaleEstimate.sizes(count: population.count) == nil ? 0 : 2)
    let (convention, neverPicks, sweepAlpha) = (self.convention, self.neverPicks, settings.sweepAlpha)
    for draws in settings.draws {
      progress?("CAL \(name): \(settings.seeds) null sweeps of R = \(draws)")
      let outcomes = parallelMap(count: settings.seeds, threads: threads) { s -> SeedOutcome in
        let runName = "calibration/\(name)/R=\(draws)/\(s)"
        let measurements = MiniBatchSweep.run(
          population: population, cells: cells, draws: draws, seed: seed, name: runName, threads: 1, neverPicks: neverPicks)
        var noise = NoiseScaleEstimate.sweepDefault(population: population, draws: draws, seed: seed, name: runName, threads: 1)
        let evaluation = SweepEvaluation(
          measurements: measurements, population: population, alpha: sweepAlpha, convention: convention, runTests: m,
          moments: moments)
        noise?.judge(moments: moments, population: population, criticalZ: evaluation.criticalZ)
        let tests = evaluation.nullTests + (noise?.nullTests ?? [])
        let level = sweepAlpha / (2 * Double(m))
        // The printed verdict itself, and the same draws judged by the old statistic.
        let printed = evaluation.rows.contains { $0.biasVerdict == .fail || $0.varianceVerdict == .fail }
          || noise?.verdict == .fail
        let old = tests.contains { $0.rejection(level: level, exactLaw: false) != 0 }
        return SeedOutcome(familyFailed: [printed, old], tests: tests)
      }
      append(outcomes: outcomes, caseName: name, draws: draws, heavy: heavy, dimension: population.dimension, tests: m)
    }
  }

  mutating func append(
    outcomes: [SeedOutcome], caseName: String, draws: Int, heavy: Int, dimension: Int, tests m: Int
  ) {
    let seeds = outcomes.count
    let bonferroni = settings.sweepAlpha / (2 * Double(m))
    let levels = [bonferroni] + settings.tailLevels
    for (k, statistic) in [Statistic.exact, .estimated].enumerated() {
      let failures = outcomes.filter { $0.familyFailed[k] }.count
      rows.append(Row(
        caseName: caseName, draws: draws, statistic: statistic, kind: .family, test: "any", tail: "both",
        level: settings.sweepAlpha, trials: seeds, rejections: failures, expected: settings.sweepAlpha))
      // Tail rows: one per test kind (bias: per coordinate) × level × tail.
      var groups: [(test: String, coordinate: Int?, member: (NullTest) -> Bool)] = []
      for claim in NullTest.Claim.allCases where claim != .bias {
        groups.append((claim.rawValue, nil, { $0.claim == claim }))
      }
      for j in 0..<dimension {
        groups.append((NullTest.Claim.bias.rawValue, j, { $0.claim == .bias && $0.index == j }))
      }
      for group in groups {
        let members = outcomes.flatMap { $0.tests.filter(group.member) }
        guard !members.isEmpty else { continue }
        for level in levels {
          for (tail, sign) in [("lower", -1), ("upper", 1)] {
            let count = members.filter { $0.rejection(level: level, exactLaw: statistic == .exact) == sign }.count
            rows.append(Row(
              caseName: caseName, draws: draws, statistic: statistic, kind: .tail, test: group.test,
              coordinate: group.coordinate, tail: tail, level: level, trials: members.count, rejections: count,
              expected: level))
          }
        }
      }
    }
    // Power: the heaviest-tailed coordinate shifted by λ = z* + offset null standard errors, in every cell.
    let zStar = -normalQuantile(bonferroni)
    let heavyTests = outcomes.flatMap { $0.tests.filter { $0.claim == .bias && $0.index == heavy } }
    for offset in settings.powerOffsets {
      let lambda = zStar + offset
      var caught = 0
      var expected = 0.0
      for t in heavyTests {
        var shifted = t
        shifted.z += lambda
        if shifted.rejection(level: bonferroni, exactLaw: true) != 0 { caught += 1 }
        let c = SkewedCriticalValues(z: zStar, skewness: t.skewness)
        expected += 1 - edgeworthCDF(c.upper - lambda, skewness: t.skewness) + edgeworthCDF(c.lower - lambda, skewness: t.skewness)
      }
      rows.append(Row(
        caseName: caseName, draws: draws, statistic: .exact, kind: .power, test: NullTest.Claim.bias.rawValue,
        coordinate: heavy, tail: "both", level: bonferroni, shift: lambda, trials: heavyTests.count, rejections: caught,
        expected: heavyTests.isEmpty ? 0 : expected / Double(heavyTests.count)))
    }
  }

  /// The rows judged, and how: the exact statistic's family, tail and power rows must hold; the old
  /// statistic's family row and C3 lower tails are negative controls that must be rejected.
  static func judged(_ r: Row) -> Bool {
    r.statistic == .exact || r.kind == .family || (r.test == NullTest.Claim.variance.rawValue && r.tail == "lower")
  }

  /// Judges every row at family-wise level γ (the spec's α) over the judged rows of the table.
  public mutating func evaluate() {
    let judgedCount = rows.filter(Self.judged).count
    confidence = 1 - alpha / Double(Swift.max(1, judgedCount))
    for k in rows.indices {
      let r = rows[k]
      let interval = clopperPearsonInterval(successes: r.rejections, trials: r.trials, confidence: confidence)
      rows[k].interval = interval
      guard Self.judged(r) else { continue }
      let inside = r.kind == .family ? interval.low <= r.expected : interval.low <= r.expected && r.expected <= interval.high
      if r.statistic == .exact {
        rows[k].verdict = inside ? .pass : .fail
      } else if interval.low > r.expected {
        // The old statistic over-rejects: here its interval lies above the level (rows where it does not are
        // reported; the control's verdict asks for at least one).
        rows[k].verdict = .failsAsPredicted
      }
    }
  }

  /// One row per case × R × statistic × test × tail × level, then the power rows.
  public var table: CSVDocument {
    var doc = CSVDocument(header: [
      "case", "draws", "statistic", "kind", "test", "coordinate", "tail", "level", "shift_se", "trials", "rejections",
      "rate", "ci_low", "ci_high", "ci_level", "expected", "verdict",
    ])
    for r in rows {
      doc.append([
        CSVCell(r.caseName), CSVCell(r.draws), CSVCell(r.statistic.rawValue), CSVCell(r.kind.rawValue), CSVCell(r.test),
        r.coordinate.map { CSVCell($0) } ?? "", CSVCell(r.tail), CSVCell(r.level), CSVCell(r.shift), CSVCell(r.trials),
        CSVCell(r.rejections), CSVCell(r.rate), CSVCell(r.interval.low), CSVCell(r.interval.high), CSVCell(confidence),
        CSVCell(r.expected), CSVCell(r.verdict?.rawValue ?? ""),
      ])
    }
    return doc
  }

  /// Per case and R: the printed verdict's family-wise rate, the worst tail row, the power, and the old
  /// statistic's control rows.
  public var verdictRows: [VerdictRow] {
    var out: [VerdictRow] = []
    var keys: [String] = []
    for r in rows where !keys.contains("\(r.caseName)|\(r.draws)") { keys.append("\(r.caseName)|\(r.draws)") }
    func figure(_ r: Row) -> String {
      "\(r.rejections)/\(r.trials) = \(shortScientific(r.rate)) in [\(shortScientific(r.interval.low)), \(shortScientific(r.interval.high))] vs \(shortScientific(r.expected))"
    }
    for key in keys {
      let group = rows.filter { "\($0.caseName)|\($0.draws)" == key && Self.judged($0) }
      guard let first = group.first else { continue }
      let name = "\(first.caseName) R=\(first.draws)"
      let parts: [(String, [Row])] = [
        ("CAL-family", group.filter { $0.kind == .family && $0.statistic == .exact }),
        ("CAL-tails", group.filter { $0.kind == .tail && $0.statistic == .exact }),
        ("CAL-power", group.filter { $0.kind == .power }),
        ("CAL-old-statistic", group.filter { $0.statistic == .estimated }),
      ]
      for (claim, members) in parts where !members.isEmpty {
        // The row farthest from its expectation, relative to its interval.
        let worst = members.max { a, b in
          func distance(_ r: Row) -> Double {
            let width = Swift.max(r.interval.high - r.interval.low, 1e-300)
            return Swift.abs(r.rate - r.expected) / width
          }
          func flagged(_ r: Row) -> Int { r.statistic == .estimated ? (r.verdict == .failsAsPredicted ? 1 : 0) : (r.verdict?.holds == true ? 0 : 1) }
          return (flagged(a), distance(a)) < (flagged(b), distance(b))
        }!
        let what = worst.kind == .family
          ? "P(any FAIL)" : worst.kind == .power
          ? "λ \(rounded2(worst.shift ?? .nan))"
          : "\(worst.test)\(worst.coordinate.map { "[\($0)]" } ?? "") \(worst.tail) at \(shortScientific(worst.level))"
        let verdict: Verdict = claim == "CAL-old-statistic"
          ? .control(broke: members.contains { $0.verdict == .failsAsPredicted }, sizeAsPredicted: true)
          : members.compactMap(\.verdict).max() ?? .inconclusive
        out.append(VerdictRow(
          claim: claim, caseName: name, keyFigure: "\(members.count) rows; \(worst.kind == .family ? "" : "worst ")\(what): \(figure(worst))",
          verdict: verdict))
      }
    }
    return out
  }
}

/// P(Z ≤ x) for a standardised mean with skewness γ, to first order (Edgeworth):
/// Φ(x) − φ(x)·(γ/6)(x² − 1).
public func edgeworthCDF(_ x: Double, skewness gamma: Double) -> Double {
  let density = Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
  return Swift.min(1, Swift.max(0, normalCDF(x) - density * gamma / 6 * (x * x - 1)))
}

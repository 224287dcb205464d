/// Calibration of the harness's own tests (CAL): how often the bias test (C2) and the variance test (C3)
/// reject on null configurations, where the claims hold exactly, and how often the bias test rejects when
/// a bias of stated size is seeded.
///
/// ```
/// null:   per seed s = 1…S an independent sweep; reject when |z| > z* = Φ⁻¹(1 − α/2)   (one test, no Bonferroni)
///         rejections k ~ Binomial(S, α) exactly when the test is calibrated
/// power:  ē ← ē + λ·σ_ē, σ_ē = √(theory/R)   (an additive bug of λ standard errors in every batch mean)
///         expected rate Φ(λ − z*) + Φ(−λ − z*)
/// PASS:   the expected rate lies in the Clopper–Pearson interval of k/S at confidence 1 − γ/m
///         (γ the spec's α, m the number of rows: family-wise level γ over the table)
/// ```
/// Each configuration is one coordinate of a case's per-example gradients (the heaviest-tailed one, where the
/// normal approximation of z is worst), so the bias test is a single z-test, as the harness runs it per
/// coordinate before Bonferroni's correction.
public struct CalibrationExperiment: Sendable {
  public enum Test: String, Sendable { case bias, variance }

  public struct Row: Sendable {
    public var caseName: String
    public var coordinate: Int
    public var excessKurtosis: Double
    public var cell: SweepCell
    public var draws: Int
    public var test: Test
    public var alpha: Double
    /// λ, the seeded bias in standard errors of the mean (0: the null configuration).
    public var shift: Double
    public var seeds: Int
    public var rejections: Int
    /// α for the null rows, the normal-theory power for the others.
    public var expected: Double
    public var interval: (low: Double, high: Double) = (0, 1)
    public var verdict: Verdict = .inconclusive

    public var rate: Double { Double(rejections) / Double(seeds) }
    /// (k − S·e)/√(S·e(1 − e)): how far the count is from its expectation, in binomial standard deviations.
    public var deviation: Double {
      let spread = (Double(seeds) * expected * (1 - expected)).squareRoot()
      return spread > 0 ? (Double(rejections) - Double(seeds) * expected) / spread : 0
    }
  }

  public var settings: CalibrationSettings
  public var sweep: SweepSettings
  public var rows: [Row] = []
  /// The confidence of each row's interval, 1 − γ/m, set by `evaluate`.
  public var confidence = 0.0

  /// Deliberate bugs for the tests, which calibration must expose: a wrong variance constant, and a sampler
  /// that never draws one example.
  public var convention: VarianceConvention
  public var neverPicks: Int?

  public init(
    settings: CalibrationSettings, sweep: SweepSettings, convention: VarianceConvention = .exact, neverPicks: Int? = nil
  ) {
    self.settings = settings
    self.sweep = sweep
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

  /// Runs `settings.seeds` independent sweeps of one case's heaviest-tailed coordinate and counts rejections.
  public mutating func run(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, threads: Int
  ) throws(InputError) {
    let name = LinearityExperiment.caseName(model: model, data: data, point: point.name)
    let gradients = try model.visit(
      GradientVisitor(data: data, point: point, seed: seed, stream: "\(model.name)/\(data.name)", theta: nil),
      data: data, source: source)
    let full = GradientPopulation(gradients)
    guard let (coordinate, kurtosis) = Self.heaviestTailedCoordinate(full) else {
      throw InputError("\(source): every per-example gradient is the same; there is nothing to calibrate on")
    }
    let population = GradientPopulation(
      rows: (0..<full.count).map { full.rows[$0 * full.dimension + coordinate] }, count: full.count, dimension: 1)
    let cells = try sweep.cells(count: data.count, source: source, statisticalOnly: true)
    let theories = cells.map {
      VarianceConvention.exact.theoreticalMSE(sampler: $0.sampler, batch: $0.batch, population: population) ?? .nan
    }
    let draws = sweep.draws
    let shifts = [0.0] + settings.biasSizes
    let levels = settings.levels
    let (convention, neverPicks) = (self.convention, self.neverPicks)
    // Per seed, a flat list of rejections in the order (level, shift, cell, test), with the variance test only
    // at shift 0 (a shift moves the mean error, not the MSE); seeds run in parallel, each on its own streams,
    // and are added in seed order.
    let perSeed = parallelMap(count: settings.seeds, threads: threads) { s -> [Bool] in
      let measurements = MiniBatchSweep.run(
        population: population, cells: cells, draws: draws, seed: seed, name: "calibration/\(name)/\(s)", threads: 1,
        neverPicks: neverPicks)
      var rejected: [Bool] = []
      for alpha in levels {
        for shift in shifts {
          let shifted = zip(measurements, theories).map { m, theory in
            var m = m
            m.meanError[0] += shift * (theory / Double(draws)).squareRoot()
            return m
          }
          let evaluation = SweepEvaluation(
            measurements: shifted, population: population, alpha: alpha, convention: convention, runTests: (1, 1))
          for row in evaluation.rows {
            rejected.append(row.biasVerdict == .fail)
            if shift == 0 { rejected.append(row.varianceVerdict == .fail) }
          }
        }
      }
      return rejected
    }
    var counts = [Int](repeating: 0, count: perSeed.first?.count ?? 0)
    for seedRejections in perSeed {
      for (k, r) in seedRejections.enumerated() where r { counts[k] += 1 }
    }
    var k = 0
    for alpha in levels {
      let critical = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: 1)
      for shift in shifts {
        for cell in cells {
          for test in shift == 0 ? [Test.bias, .variance] : [.bias] {
            defer { k += 1 }
            rows.append(
              Row(
                caseName: name, coordinate: coordinate, excessKurtosis: kurtosis, cell: cell, draws: draws, test: test,
                alpha: alpha, shift: shift, seeds: settings.seeds, rejections: counts[k],
                expected: shift == 0 ? alpha : twoSidedPower(shift: shift, criticalZ: critical)))
          }
        }
      }
    }
  }

  /// Judges every row at family-wise level γ = the spec's α over the whole table.
  public mutating func evaluate() {
    confidence = 1 - sweep.alpha / Double(Swift.max(1, rows.count))
    for k in rows.indices {
      let interval = clopperPearsonInterval(successes: rows[k].rejections, trials: rows[k].seeds, confidence: confidence)
      rows[k].interval = interval
      rows[k].verdict = interval.low <= rows[k].expected && rows[k].expected <= interval.high ? .pass : .fail
    }
  }

  /// One row per case × level × seeded bias × cell × test.
  public var table: CSVDocument {
    var doc = CSVDocument(header: [
      "case", "coordinate", "excess_kurtosis", "sampler", "b", "draws", "test", "alpha", "shift_se", "seeds",
      "rejections", "rate", "ci_low", "ci_high", "ci_level", "expected", "verdict",
    ])
    for r in rows {
      doc.append([
        CSVCell(r.caseName), CSVCell(r.coordinate), CSVCell(r.excessKurtosis), CSVCell(r.cell.sampler.rawValue),
        CSVCell(r.cell.batch), CSVCell(r.draws), CSVCell(r.test.rawValue), CSVCell(r.alpha), CSVCell(r.shift),
        CSVCell(r.seeds), CSVCell(r.rejections), CSVCell(r.rate), CSVCell(r.interval.low), CSVCell(r.interval.high),
        CSVCell(confidence), CSVCell(r.expected), CSVCell(r.verdict.rawValue),
      ])
    }
    return doc
  }

  /// Three rows per case: the null rate of the bias test, of the variance test, and the power; each names
  /// its worst row (farthest from expectation in binomial standard deviations).
  public var verdictRows: [VerdictRow] {
    var out: [VerdictRow] = []
    var names: [String] = []
    for r in rows where !names.contains(r.caseName) { names.append(r.caseName) }
    for name in names {
      let groups: [(String, (Row) -> Bool)] = [
        ("CAL-bias", { $0.test == .bias && $0.shift == 0 }),
        ("CAL-variance", { $0.test == .variance }),
        ("CAL-power", { $0.shift > 0 }),
      ]
      for (claim, member) in groups {
        let group = rows.filter { $0.caseName == name && member($0) }
        guard let worst = group.max(by: { Swift.abs($0.deviation) < Swift.abs($1.deviation) }) else { continue }
        let what = worst.shift == 0 ? "α \(worst.alpha)" : "α \(worst.alpha), bias \(worst.shift) se"
        let figure = "worst of \(group.count): \(worst.cell.sampler.rawValue) b=\(worst.cell.batch), \(what): "
          + "\(worst.rejections)/\(worst.seeds) = \(rounded3(worst.rate)) in [\(rounded3(worst.interval.low)), "
          + "\(rounded3(worst.interval.high))] vs \(rounded3(worst.expected))"
        out.append(VerdictRow(claim: claim, caseName: "\(name) coord \(worst.coordinate)", keyFigure: figure,
                              verdict: group.map(\.verdict).max() ?? .inconclusive))
      }
    }
    return out
  }
}

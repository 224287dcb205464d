/// Claims C2 and C3 over a set of cases: per-example gradients at θ computed once, then a Monte Carlo
/// sweep over samplers and batch sizes, judged at a family-wise α over the whole run.
///
/// Spec keys: `draws`, `alpha`, `samplers` and `batch_sizes`.
package struct SweepExperiment: Experiment {
  public static let claim = "C2C3"
  public static let keys = ["draws", "alpha", "samplers", "batch_sizes"]
  public static let tableSuffixes = ["", "-population", "-coordinates"]
  public static let statement =
    "A uniformly random mini-batch estimates the gradient without bias (C2), with a mean squared error that follows an exactly known law in b, zero at the full batch without replacement (C3)."

  /// One case swept, not yet judged.
  public struct Measured: Sendable {
    public var caseName: String
    public var population: GradientPopulation
    public var measurements: [CellMeasurement]
    /// The two-batch noise-scale estimators (b_small = max(2, N/32), b_big = N/2), when N ≥ 8.
    public var noiseScale: NoiseScaleEstimate?
    /// The population's moments, when the sweep already formed them (its Gram matrix served the draws).
    public var moments: PopulationMoments?
  }

  /// One case swept and judged.
  public struct Record: Sendable {
    public var caseName: String
    public var population: GradientPopulation
    public var measurements: [CellMeasurement]
    public var evaluation: SweepEvaluation
    public var noiseScale: NoiseScaleEstimate?
  }

  /// Every case of a run judged together: Bonferroni's m counts every test of the run.
  public struct Result: Sendable {
    public let records: [Record]
    /// Every test of the run: each bias coordinate and variance cell of every case, and the two noise-scale
    /// estimators of each case that has them. One Bonferroni family: P(any false FAIL) ≤ α.
    public let testCount: Int
    /// The critical |z| of one tail of any test of the run: Φ⁻¹(1 − α/(2m)).
    public let criticalZ: Double

    public init(_ measured: [Measured], settings: SweepSettings, convention: VarianceConvention = .exact) {
      let m = measured.reduce(0) { total, r in
        total + SweepEvaluation.testCount(r.measurements.map(\.cell), dimension: r.population.dimension)
          + (r.noiseScale == nil ? 0 : 2)
      }
      let critical = bonferroniCriticalZ(familyWiseAlpha: settings.alpha, tests: Swift.max(1, m))
      testCount = m
      criticalZ = critical
      records = measured.map { r in
        let moments = r.moments ?? SweepExperiment.moments(r.population, settings: settings, keepGram: false)
        let evaluation = SweepEvaluation(
          measurements: r.measurements, population: r.population, alpha: settings.alpha, convention: convention,
          runTests: m, moments: moments)
        var noise = r.noiseScale
        noise?.judge(moments: moments, population: r.population, level: evaluation.tailLevel)
        return Record(
          caseName: r.caseName, population: r.population, measurements: r.measurements, evaluation: evaluation,
          noiseScale: noise)
      }
    }
  }

  public var settings: SweepSettings

  public init(settings: SweepSettings) { self.settings = settings }

  public init(settingsFrom decoder: any Decoder) throws {
    settings = try SweepSettings(from: decoder, keys: Set(SweepSettings.Key.allCases))
  }

  public var alpha: Double? { settings.alpha }

  public var method: String {
    "Per-example gradients at one θ are sampled R = \(settings.draws) times per sampler and batch size in blocks of \(MiniBatchSweep.blockSize) draws with counter-based random streams; the mean error per coordinate and the mean squared error are judged by their tail probabilities under the exact null law of the population (far values of a column enumerated exactly, the rest by a saddlepoint on the exact cumulant generating function; a Chernoff bound without replacement; Pearson type III for the MSE's upper tail and Bennett's bound for its lower tail at 1 < b < N − 1, Bennett's for both where a rare far example drives the upper tail), each tail at α/(2m), m every test of the spec (Bonferroni: P(any false FAIL) ≤ α = \(settings.alpha)). A cell that cannot detect 0.1·‖g‖∞ of bias or 10% of the MSE law is INCONCLUSIVE; each row states what it detects."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    let measured = try input.map { p throws(InputError) in
      try measure(
        model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed, threads: input.threads
      ).measured
    }
    return Result(measured.compactMap { $0 }, settings: settings)
  }

  /// Computes the gradients of one model on one data set at one point and sweeps them.
  public func measure(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64,
    theta: [Double]? = nil, threads: Int, progress: (@Sendable (String, Int, Int) -> Void)? = nil,
    plan: SweepBlockPlan? = nil
  ) throws(InputError) -> (ledger: SweepLedger, measured: Measured?) {
    let gradients = try model.visit(
      GradientVisitor(data: data, point: point, seed: seed, stream: "\(model.name)/\(data.name)", theta: theta),
      data: data, source: source)
    return try measure(
      population: GradientPopulation(gradients), name: CaseName.of(model: model, data: data, point: point.name),
      source: source, seed: seed, threads: threads, progress: progress, plan: plan)
  }

  /// Sweeps a population of per-example gradients; `name` keys its random streams.
  ///
  /// With a `plan`, only the plan's shard of the blocks is computed, starting from the blocks it already
  /// holds and checkpointing as it goes; the case is measured only once every block is there.
  /// - Returns: the ledger of the blocks computed, and the case when it is complete.
  public func measure(
    population: GradientPopulation, name: String, source: String, seed: UInt64, threads: Int,
    progress: (@Sendable (String, Int, Int) -> Void)? = nil, plan: SweepBlockPlan? = nil
  ) throws(InputError) -> (ledger: SweepLedger, measured: Measured?) {
    let cells = try settings.cells(count: population.count, source: source)
    var report: (@Sendable (Int, Int) -> Void)?
    if let progress {
      report = { done, total in progress(name, done, total) }
    }
    let plan = plan ?? SweepBlockPlan(signature: [], shard: .whole)
    let jobs = MiniBatchSweep.jobCount(cells: cells.count, draws: settings.draws)
    var ledger = SweepLedger(
      signature: plan.signature, shardCount: plan.shard.count, drawsPerCell: settings.draws, cells: cells,
      examples: population.count, dimension: population.dimension)
    if let done = plan.completed {
      try done.requireSameSweep(
        signature: ledger.signature, shard: done.isComplete ? nil : plan.shard, jobCount: jobs,
        cellCount: cells.count, dimension: ledger.dimension, source: plan.completedSource)
      ledger = done
    }
    // The moments come first: where they form the Gram matrix K, the draws read their squared errors from it.
    let moments = plan.moments ?? Self.moments(population, settings: settings, keepGram: true)
    if !ledger.isComplete {
      try MiniBatchSweep.fill(
        &ledger, shard: plan.shard, population: population, cells: cells, draws: settings.draws, seed: seed,
        name: name, threads: threads, progress: report, checkpointInterval: plan.checkpointInterval,
        checkpoint: plan.checkpoint, costPlan: plan.cost, gram: moments.gram,
        squaredErrorDraws: squaredErrorDraws(cells: cells, population: population, moments: moments))
    }
    guard ledger.isComplete else { return (ledger, nil) }
    let measurements = MiniBatchSweep.measurements(cells: cells, ledger: ledger, population: population, threads: threads)
    let noiseScale = NoiseScaleEstimate.sweepDefault(
      population: population, draws: noiseScaleDraws(population: population, cells: cells, moments: moments), seed: seed,
      name: name, threads: threads, gram: moments.gram)
    return (ledger, Measured(
      caseName: name, population: population, measurements: measurements, noiseScale: noiseScale, moments: moments))
  }

  /// With `--draws auto`, the draws of each cell's variance test (`SquaredErrorDraws`), at this case's own
  /// per-tail level α/(2m); nil: all of them.
  public func squaredErrorDraws(cells: [SweepCell], population: GradientPopulation, moments: PopulationMoments) -> [Int]? {
    guard settings.squaredErrorDrawsByPower else { return nil }
    return SquaredErrorDraws.plan(
      cells: cells, population: population, moments: moments, draws: settings.draws,
      level: level(cells: cells, population: population))
  }

  /// The noise-scale estimators' draws: `draws`, or with `--draws auto` those their power needs.
  public func noiseScaleDraws(population: GradientPopulation, cells: [SweepCell], moments: PopulationMoments) -> Int {
    guard settings.squaredErrorDrawsByPower else { return settings.draws }
    return NoiseScaleEstimate.drawsByPower(
      population: population, moments: moments, level: level(cells: cells, population: population),
      maximum: settings.draws)
  }

  /// This case's own per-tail level α/(2m), m its tests (with the noise scale's two).
  func level(cells: [SweepCell], population: GradientPopulation) -> Double {
    settings.alpha / (2 * Double(Swift.max(1, SweepEvaluation.caseTestCount(cells, population: population))))
  }

  /// The moments a sweep's laws need: the O(N²P) third-order sums only when the with-replacement law's
  /// skewness is wanted; K kept for the draws when asked.
  public static func moments(_ p: GradientPopulation, settings: SweepSettings, keepGram: Bool) -> PopulationMoments {
    PopulationMoments(p, withReplacementSkewness: settings.samplers.contains(.withReplacement), keepGram: keepGram)
  }

  public func tables(_ result: Result) -> [SchemaTable] {
    [table(result), populationTable(result), coordinateTable(result)]
  }

  /// One row per case × sampler × batch size.
  public func table(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(Self.sweepSchema)
    for r in result.records {
      for row in r.evaluation.rows {
        let m = row.measurement
        doc.append([
          CSVCell(r.caseName), CSVCell(m.cell.sampler.rawValue), CSVCell(m.cell.batch), CSVCell(r.population.count),
          CSVCell(r.population.dimension), CSVCell(m.draws), CSVCell(m.squaredErrorDraws), CSVCell(m.meanSquaredError),
          CSVCell(m.meanSquaredErrorStandardError), CSVCell(row.nullStandardError), CSVCell(row.theory),
          CSVCell(row.ratio), CSVCell(row.varianceZ), CSVCell(row.varianceCritical?.lower),
          CSVCell(row.varianceCritical?.upper), CSVCell(row.varianceTest?.pValue),
          CSVCell(row.varianceTest?.method.rawValue ?? ""),
          CSVCell(row.detectableRelativeDeviation), CSVCell(row.varianceVerdict?.rawValue ?? ""),
          CSVCell(row.biasVerdict == nil ? nil : row.maxAbsoluteBiasZ), CSVCell(m.biasNorm),
          CSVCell(row.worstBias?.test.pValue), row.worstBias.map { CSVCell($0.coordinate) } ?? "",
          CSVCell(row.detectableRelativeBias),
          CSVCell(row.biasVerdict?.rawValue ?? ""),
        ])
      }
    }
    return doc
  }

  /// One row per case × sampler × b × coordinate: the mean error ēⱼ, its exact null standard error, z, both
  /// tail probabilities, how they were obtained, the level and the coordinate's verdict.
  public func coordinateTable(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(Self.coordinateSchema)
    for r in result.records {
      let level = r.evaluation.tailLevel
      for row in r.evaluation.rows {
        let m = row.measurement
        for (j, mean) in m.meanError.enumerated() {
          let se = row.law.map { ($0.coordinateVariance[j] / Double(m.draws)).squareRoot() }
          let test = row.biasTests.isEmpty ? nil : row.biasTests[j]
          doc.append([
            CSVCell(r.caseName), CSVCell(m.cell.sampler.rawValue), CSVCell(m.cell.batch), CSVCell(j), CSVCell(mean),
            CSVCell(se), CSVCell(test?.z), CSVCell(test?.lower), CSVCell(test?.upper), CSVCell(test?.method.rawValue ?? ""),
            test == nil ? "" : CSVCell(level),
            CSVCell(test.map { $0.rejection(level: level) == 0 ? Verdict.pass.rawValue : Verdict.fail.rawValue } ?? ""),
          ])
        }
      }
    }
    return doc
  }

  /// One row per case: the population's moments, the critical values and the fitted slopes.
  public func populationTable(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(populationSchema)
    for r in result.records {
      let e = r.evaluation
      let p = r.population
      let n = Double(p.count)
      var cells: [CSVCell] = [
        CSVCell(r.caseName), CSVCell(p.count), CSVCell(p.dimension), CSVCell(p.traceSigma),
        CSVCell(p.count > 1 ? p.traceSigma * n / (n - 1) : .nan), CSVCell(p.meanNormSquared), CSVCell(p.simpleNoiseScale),
        CSVCell(e.alpha), CSVCell(e.tests), CSVCell(e.criticalZ),
      ]
      for s in settings.samplers {
        let fit = e.slope(sampler: s, count: p.count)
        cells += [CSVCell(fit?.slope), CSVCell(fit?.halfWidth), CSVCell(fit?.law)]
      }
      let ns = r.noiseScale
      cells += [
        ns.map { CSVCell($0.small) } ?? "", ns.map { CSVCell($0.big) } ?? "", CSVCell(ns?.traceEstimate),
        CSVCell(ns?.traceStandardError), CSVCell(ns?.traceZ), CSVCell(ns?.normExpected), CSVCell(ns?.normEstimate),
        CSVCell(ns?.normStandardError), CSVCell(ns?.normZ), CSVCell(e.criticalZ),
      ]
      doc.append(cells)
    }
    return doc
  }

  /// Two rows per case × judged sampler (C2: the smallest tail probability over every coordinate and size;
  /// C3: the MSE/theory range and the smallest tail probability), then the noise-scale row.
  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    for r in result.records {
      let e = r.evaluation
      let level = e.tailLevel
      let identical = r.population.traceSigma == 0
      for sampler in settings.samplers where sampler != .poissonRealized {
        let cells = e.rows.filter { $0.measurement.cell.sampler == sampler }
        // One row per claim: its verdict over the cells, the best power among the cells that passed.
        func claimRow(
          _ claim: String, _ verdictOf: KeyPath<SweepEvaluation.Row, Verdict?>, _ powerOf: KeyPath<SweepEvaluation.Row, Double?>,
          _ figure: ([SweepEvaluation.Row], Verdict, Double, Bool, Double?) -> String
        ) {
          guard let verdict = e.verdict(sampler: sampler, claim: verdictOf) else { return }
          let detectable = cells.filter { $0[keyPath: verdictOf] == .pass }.compactMap { $0[keyPath: powerOf] }.min()
            ?? cells.compactMap { $0[keyPath: powerOf] }.min()
          rows.append(VerdictRow(
            claim: claim, caseName: "\(r.caseName) \(sampler.rawValue)",
            keyFigure: figure(cells, verdict, level, identical, detectable), verdict: verdict, detectable: detectable))
        }
        claimRow("C2", \.biasVerdict, \.detectableRelativeBias, Self.biasFigure)
        claimRow("C3", \.varianceVerdict, \.detectableRelativeDeviation, Self.varianceFigure)
      }
      if let ns = r.noiseScale, let verdict = ns.verdict, let trace = ns.traceTest, let norm = ns.normTest {
        rows.append(VerdictRow(
          claim: "C3-noise", caseName: "\(r.caseName) b=\(ns.small),\(ns.big)",
          keyFigure: "S est/exact \(rounded3(ns.traceEstimate / ns.traceExpected)), |G|^2 z \(rounded2(ns.normZ)), min p \(shortScientific(Swift.min(trace.pValue, norm.pValue))) (gamma; level \(shortScientific(level)))"
            + (ns.detectableRelativeTraceDeviation.map { ", detects \(shortScientific($0))·tr S²" } ?? ""),
          verdict: verdict, detectable: ns.detectableRelativeTraceDeviation))
      }
    }
    return rows
  }

  /// "b=8 coordinate 17: z −3.91, p 3.1e-4 (exact) ≤ level 7.7e-6" for a FAIL; the worst test, the level
  /// and the power otherwise; plain words for a population with no spread.
  static func biasFigure(
    _ cells: [SweepEvaluation.Row], verdict: Verdict, level: Double, identical: Bool, detectable: Double?
  ) -> String {
    let candidates = cells.compactMap { row in row.worstBias.map { (row, $0.coordinate, $0.test) } }
    let rejected = candidates.filter { $0.2.rejection(level: level) != 0 }
    let worst = (rejected.isEmpty ? candidates : rejected).min { $0.2.pValue < $1.2.pValue }
    if identical {
      return "every per-example gradient is the same (Σ_N = 0): judged exactly, "
        + (verdict == .fail ? "a mean error beyond rounding" : "every mean error 0 up to rounding")
    }
    guard let (row, j, test) = worst else { return "no coordinate tested" }
    let z = cells.map(\.maxAbsoluteBiasZ).max() ?? 0
    let powerless = cells.filter { $0.biasVerdict == .inconclusive }.count
    switch verdict {
    case .fail:
      return "b=\(row.measurement.cell.batch) coordinate \(j): z \(rounded2(test.z)), p \(shortScientific(test.pValue)) (\(test.method.rawValue)) <= level \(shortScientific(level))"
    case .inconclusive:
      return "no size detects \(SweepEvaluation.meaningfulRelativeBias)·‖g‖∞ (best \(shortScientific(detectable ?? .infinity))·‖g‖∞): more draws needed"
    default:
      return "max|z| \(rounded2(z)), min p \(shortScientific(test.pValue)) (level \(shortScientific(level))) over \(cells.count) size\(cells.count == 1 ? "" : "s")"
        + (detectable.map { ", detects \(shortScientific($0))·‖g‖∞" } ?? "")
        + (powerless > 0 ? ", \(powerless) without power" : "")
    }
  }

  /// The C3 row's key figure: the MSE/theory range, the worst test and its level, the power.
  static func varianceFigure(
    _ cells: [SweepEvaluation.Row], verdict: Verdict, level: Double, identical: Bool, detectable: Double?
  ) -> String {
    let ratios = cells.compactMap(\.ratio)
    let tested = cells.compactMap { row in row.varianceTest.map { (row, $0) } }
    let failed = tested.filter { $0.1.rejection(level: level) != 0 }
    let worst = (failed.isEmpty ? tested : failed).min { $0.1.pValue < $1.1.pValue }
    let exact = cells.first { $0.theory == 0 }.map { $0.measurement.everyErrorZero ? ", 0 at b=N" : ", NOT 0 at b=N" } ?? ""
    let range = ratios.isEmpty ? "MSE 0 (Σ_N = 0)" : "MSE/theory \(rounded3(ratios.min()!))..\(rounded3(ratios.max()!))"
    let powerless = cells.filter { $0.varianceVerdict == .inconclusive }.count
    switch verdict {
    case .fail:
      guard let (row, test) = worst else { return range + exact }
      return "b=\(row.measurement.cell.batch): MSE/theory \(rounded3(row.ratio ?? .nan)), z \(rounded2(test.z)), p \(shortScientific(test.pValue)) (\(test.method.rawValue)) <= level \(shortScientific(level))" + exact
    case .inconclusive:
      return range + ", no size detects \(Int(SweepEvaluation.meaningfulRelativeDeviation * 100))% of the law (best \(shortScientific(detectable ?? .infinity))): more draws needed"
    default:
      let p = worst.map { ", min p \(shortScientific($0.1.pValue)) (level \(shortScientific(level)))" } ?? ""
      return (identical ? "every per-example gradient is the same (Σ_N = 0): judged exactly, " : "") + range + p
        + (detectable.map { ", detects \(shortScientific($0))" } ?? "") + exact
        + (powerless > 0 ? ", \(powerless) size\(powerless == 1 ? "" : "s") without power" : "")
    }
  }
}

func rounded2(_ x: Double) -> String { x.isFinite ? ((x * 100).rounded() / 100).description : "n/a" }
func rounded3(_ x: Double) -> String { x.isFinite ? ((x * 1000).rounded() / 1000).description : "n/a" }

/// How a sweep's blocks are computed: by which shard, from which blocks already done (a checkpoint, or a
/// merge's complete ledger), saving progress where.
package struct SweepBlockPlan {
  /// The run's signature, written into every ledger so shards and resumes can be matched.
  public var signature: [String]
  public var shard: Shard
  /// Blocks already computed (a resumed run, or every block for a merge), and the file they came from.
  public var completed: SweepLedger?
  public var completedSource: String
  /// Called with the ledger every `checkpointInterval` seconds while blocks are computed.
  public var checkpoint: ((SweepLedger) throws(InputError) -> Void)?
  public var checkpointInterval: Double
  /// The planned cost, which weighs each block in the progress reports (nil: every block counts 1).
  public var cost: SweepCostPlan?
  /// The population's moments, when the caller formed them already (with K kept for the draws).
  public var moments: PopulationMoments?

  public init(
    signature: [String], shard: Shard, completed: SweepLedger? = nil, completedSource: String = "",
    checkpointInterval: Double = 5, checkpoint: ((SweepLedger) throws(InputError) -> Void)? = nil
  ) {
    self.checkpointInterval = checkpointInterval
    self.signature = signature
    self.shard = shard
    self.completed = completed
    self.completedSource = completedSource
    self.checkpoint = checkpoint
  }
}

/// The sweep of claims C2 and C3 as an engine: per-example gradients at θ, sampled over samplers and batch
/// sizes in blocks (by shard, resumable, checkpointed), then judged at a family-wise α over the whole run.
/// `SweepExperiment` (the claim of `make verify`), `gradverify sweep` and `MiniBatchCheck` all run it.
package struct SweepEngine: Sendable {
  public var settings: SweepSettings

  public init(settings: SweepSettings) { self.settings = settings }

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
        let moments = r.moments ?? SweepEngine.moments(r.population, settings: settings, keepGram: false)
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



  /// Computes the gradients of one model on one data set at one point and sweeps them.
  public func measure(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64,
    theta: [Double]? = nil, threads: Int, progress: (@Sendable (String, Int, Int) -> Void)? = nil,
    plan: SweepBlockPlan? = nil
  ) throws(InputError) -> (ledger: SweepLedger, measured: Measured?) {
    let gradients = try model.visit(
      GradientVisitor(model: model, data: data, point: point, seed: seed, theta: theta),
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

}


package func rounded2(_ x: Double) -> String { x.isFinite ? ((x * 100).rounded() / 100).description : "n/a" }
package func rounded3(_ x: Double) -> String { x.isFinite ? ((x * 1000).rounded() / 1000).description : "n/a" }

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
    (self.checkpointInterval, self.signature, self.shard) = (checkpointInterval, signature, shard)
    (self.completed, self.completedSource, self.checkpoint) = (completed, completedSource, checkpoint)
  }
}


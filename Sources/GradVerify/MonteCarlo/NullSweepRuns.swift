/// Independently seeded null runs of one whole sweep (every cell, C2, C3 and the noise-scale estimators),
/// each judged exactly as `gradverify sweep` judges it, and by the old statistic (difference over the
/// estimated standard error, normal critical values) on the same draws.
///
/// Seed s draws from the streams "calibration/<case>/R=<draws>/<s>"; each run is single-threaded and the
/// runs are spread over the threads, so the outcomes do not depend on the thread count.
package struct NullSweepRuns: Sendable {
  /// What one seed's null run gives: whether any test failed (printed verdict, old statistic), and its tests.
  public struct Outcome: Sendable {
    public var familyFailed: (printed: Bool, old: Bool)
    public var tests: [NullTest]
  }

  public var population: GradientPopulation
  public var cells: [SweepCell]
  public var moments: PopulationMoments
  /// Bonferroni's m of one sweep: its cells' tests and the two noise-scale estimators (when N allows them).
  public var tests: Int
  /// The sweep's family-wise α.
  public var alpha: Double
  /// Deliberate bugs, which calibration must expose: a wrong variance constant, a sampler that never
  /// draws one example.
  public var convention: VarianceConvention
  public var neverPicks: Int?

  public init(
    population: GradientPopulation, cells: [SweepCell], alpha: Double, convention: VarianceConvention = .exact,
    neverPicks: Int? = nil
  ) {
    self.population = population
    self.cells = cells
    moments = PopulationMoments(population)
    tests = SweepEvaluation.caseTestCount(cells, population: population)
    self.alpha = alpha
    self.convention = convention
    self.neverPicks = neverPicks
  }

  /// The per-tail level of one test: α/(2m).
  public var tailLevel: Double { alpha / (2 * Double(tests)) }
  /// The largest per-tail level the tests will be read at (the calibration's stated levels).
  public var screenLevel: Double?

  /// `seeds` null runs at R = `draws`.
  public func run(seeds: Int, draws: Int, seed: UInt64, caseName: String, threads: Int) -> [Outcome] {
    parallelMap(count: seeds, threads: threads) { s -> Outcome in
      let runName = "calibration/\(caseName)/R=\(draws)/\(s)"
      let measurements = MiniBatchSweep.run(
        population: population, cells: cells, draws: draws, seed: seed, name: runName, threads: 1, neverPicks: neverPicks,
        coordinateSpread: true)
      var noise = NoiseScaleEstimate.sweepDefault(population: population, draws: draws, seed: seed, name: runName, threads: 1)
      let evaluation = SweepEvaluation(
        measurements: measurements, population: population, alpha: alpha, convention: convention, runTests: tests,
        moments: moments, screenLevel: screenLevel, judgePower: false)
      noise?.judge(moments: moments, population: population, level: evaluation.tailLevel)
      let all = evaluation.nullTests + (noise?.nullTests ?? [])
      // The printed verdict itself, and the same draws judged by the old statistic.
      let printed = evaluation.rows.contains { $0.biasVerdict == .fail || $0.varianceVerdict == .fail }
        || noise?.verdict == .fail
      let old = all.contains { $0.rejection(level: tailLevel, exactLaw: false) != 0 }
      return Outcome(familyFailed: (printed, old), tests: all)
    }
  }
}


/// Claims C2 and C3 over a set of cases: per-example gradients at θ computed once, then a Monte Carlo
/// sweep over samplers and batch sizes, judged at a family-wise α over the whole run.
///
/// Spec keys: `draws`, `alpha`, `samplers` and `batch_sizes`.
package struct SweepExperiment: SweepSettingsExperiment {
  public static let claim = "C2C3"
  package typealias VerdictClaims = SweepVerdictClaims
  public static let tableSuffixes = [cellColumns.suffix, populationSuffix, coordinateColumns.suffix]
  public static let statement =
    "A uniformly random mini-batch estimates the gradient without bias (C2), with a mean squared error that follows an exactly known law in b, zero at the full batch without replacement (C3)."

  public typealias Result = SweepEngine.Result

  public var settings: SweepSettings

  public init(settings: SweepSettings) { self.settings = settings }

  public var method: String {
    "Per-example gradients at one θ are sampled R = \(settings.draws) times per sampler and batch size in blocks of \(MiniBatchSweep.blockSize) draws with counter-based random streams; the mean error per coordinate and the mean squared error are judged by their tail probabilities under the exact null law of the population (far values of a column enumerated exactly, the rest by a saddlepoint on the exact cumulant generating function; a Chernoff bound without replacement; Pearson type III for the MSE's upper tail and Bennett's bound for its lower tail at 1 < b < N − 1, Bennett's for both where a rare far example drives the upper tail), each tail at α/(2m), m every test of the spec (Bonferroni: P(any false FAIL) ≤ α = \(settings.alpha)). A cell that cannot detect 0.1·‖g‖∞ of bias or 10% of the MSE law is INCONCLUSIVE; each row states what it detects."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    let measured = try input.map { p throws(InputError) in
      try SweepEngine(settings: settings).measure(
        model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed, threads: input.threads
      ).measured
    }
    return Result(measured.compactMap { $0 }, settings: settings)
  }

  public func tables(_ result: Result) -> [SchemaTable] {
    [table(result), populationTable(result), coordinateTable(result)]
  }

  /// One row per case × sampler × batch size.
  public func table(_ result: Result) -> SchemaTable {
    Self.cellColumns.filled(with: result.records.flatMap { r in r.evaluation.rows.map { (r, $0) } })
  }

  /// One row per case × sampler × b × coordinate.
  public func coordinateTable(_ result: Result) -> SchemaTable {
    Self.coordinateColumns.filled(with: result.records.flatMap { r in
      r.evaluation.rows.flatMap { row in row.measurement.meanError.indices.map { CoordinateRow(record: r, row: row, coordinate: $0) } }
    })
  }

  /// One row per case: the population's moments, the critical values and the fitted slopes.
  public func populationTable(_ result: Result) -> SchemaTable {
    populationColumns.filled(with: result.records.map { r in
      let fits = settings.samplers.compactMap { s in r.evaluation.slope(sampler: s, count: r.population.count).map { (s, $0) } }
      return PopulationRow(record: r, slopes: Dictionary(fits) { first, _ in first })
    })
  }

  public func verdicts(_ result: Result) -> [VerdictRow] { SweepEngine(settings: settings).verdicts(result) }
}

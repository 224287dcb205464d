
/// The exact oracle over small populations: every batch enumerated, moments against the formulas: the mean
/// and covariance of ḡ_b, and the law of the squared error that the Monte Carlo verdicts standardise by.
///
/// Spec keys: `samplers` (poisson-realized, which has no closed form here, is left out).
package struct ExactOracleExperiment: Experiment {
  public static let claim = "C2C3-exact"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case exact = "C2C3-exact" }
  public static let keys = ["samplers"]
  public static let statement = "The mean and covariance of the mini-batch gradient equal the formulas exactly."

  /// Agreement demanded of enumeration and formula: both are exact up to rounding, and compensated sums
  /// keep enumeration's rounding near a few units of 1e-16; 1e-12 leaves four orders for the formulas'
  /// own few roundings.
  public static let tolerance = 1e-12

  public struct Record: Sendable {
    public var caseName: String
    public var results: [ExactOracle]
  }

  /// Every case's enumerations, in spec order.
  public typealias Result = CaseResults<Record>

  public var samplers: [SamplerKind]

  public init(samplers: [SamplerKind]) { self.samplers = samplers.filter { $0 != .poissonRealized } }

  public init(settingsFrom decoder: any Decoder) throws {
    self.init(samplers: try SweepSettings(from: decoder, keys: [.samplers]).samplers)
  }

  /// Deterministic: no α spent.
  public var alpha: Double? { nil }

  public var method: String {
    "For populations of N ≤ 10, every batch (subset, tuple, or Poisson set with its weight) is enumerated with compensated sums; mean and covariance, and the variance and third moment of the squared error and of each coordinate (the null laws the Monte Carlo verdicts standardise by), must match the formulas to \(shortScientific(Self.tolerance)), with no Monte Carlo error at all."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    Result(records: try input.map { p throws(InputError) in
      try record(model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed)
    })
  }

  func record(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64
  ) throws(InputError) -> Record {
    guard data.count <= 10 else {
      throw InputError("\(source): the exact oracle enumerates N ≤ 10 examples, this data set has \(data.count)")
    }
    let (name, population) = try GradientVisitor.seededPopulation(
      model: model, data: data, source: source, point: point, seed: seed)
    guard !population.sigma.isEmpty else {
      throw InputError(
        "\(source): the exact oracle compares P×P covariances, kept for P ≤ 256; this model has P = \(population.dimension) (use a smaller model)")
    }
    var results: [ExactOracle] = []
    let moments = PopulationMoments(population)
    for sampler in samplers {
      for b in 1...data.count {
        if let oracle = ExactOracle(population: population, sampler: sampler, batch: b, moments: moments) { results.append(oracle) }
      }
    }
    return Record(caseName: name, results: results)
  }

  /// One row per case × sampler × b.
  static let table = RecordTable<(caseName: String, oracle: ExactOracle)>([
    .column(.caseName) { CSVCell($0.caseName) },
    .column(.sampler) { CSVCell($0.oracle.sampler.rawValue) },
    .column(.batch) { CSVCell($0.oracle.batch) },
    .column("batches", "batches enumerated", unit: "1") { CSVCell($0.oracle.batches) },
    .column("mean_error", "max |E[ḡ] − g| / max(‖g‖∞, √tr Σ_N), by enumeration", unit: "1") { CSVCell($0.oracle.meanError) },
    .column("covariance_error", "max |Cov − theory| / max |theory|", unit: "1") { CSVCell($0.oracle.covarianceError) },
    .column(
      "law_error",
      "max distance of the enumerated law of ‖ḡ_b − g‖² and of each coordinate (variance, third moment) from the closed forms, relative to its order's scale",
      unit: "1"
    ) { CSVCell($0.oracle.lawError) },
    .column("verdict", "PASS when all three errors are ≤ 1e-12", unit: "1") { CSVCell(Self.verdict($0.oracle).rawValue) },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [Self.table.filled(with: result.records.flatMap { r in r.results.map { (r.caseName, $0) } })]
  }

  static func verdict(_ o: ExactOracle) -> Verdict {
    o.meanError <= tolerance && o.covarianceError <= tolerance && o.lawError <= tolerance ? .pass : .fail
  }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    result.records.map { r in
      let worst = r.results.map { Swift.max($0.meanError, $0.covarianceError, $0.lawError) }.max() ?? 0
      let verdict = r.results.map(Self.verdict).max() ?? .pass
      return VerdictRow(
        claim: VerdictClaims.exact, caseName: r.caseName,
        keyFigure: "max rel error \(shortScientific(worst)) <= 1e-12 over \(r.results.count) (sampler, b)", verdict: verdict)
    }
  }
}

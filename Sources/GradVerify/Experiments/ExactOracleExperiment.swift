/// The exact oracle over small populations: every batch enumerated, moments against the formulas: the mean
/// and covariance of ḡ_b, and the law of the squared error that the Monte Carlo verdicts standardise by.
public struct ExactOracleExperiment: Sendable {
  /// Agreement demanded of enumeration and formula: both are exact up to rounding, and compensated sums
  /// keep enumeration's rounding near a few units of 1e-16; 1e-12 leaves four orders for the formulas'
  /// own few roundings.
  public static let tolerance = 1e-12

  public struct Record: Sendable {
    public var caseName: String
    public var results: [ExactOracle]
  }

  public var records: [Record] = []
  public init() {}

  public mutating func run(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, samplers: [SamplerKind]
  ) throws(InputError) {
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
    records.append(Record(caseName: name, results: results))
  }

  public var table: CSVDocument {
    var doc = CSVDocument(header: ["case", "sampler", "b", "batches", "mean_error", "covariance_error", "law_error", "verdict"])
    for r in records {
      for o in r.results {
        doc.append([
          CSVCell(r.caseName), CSVCell(o.sampler.rawValue), CSVCell(o.batch), CSVCell(o.batches), CSVCell(o.meanError),
          CSVCell(o.covarianceError), CSVCell(o.lawError), CSVCell(Self.verdict(o).rawValue),
        ])
      }
    }
    return doc
  }

  static func verdict(_ o: ExactOracle) -> Verdict {
    o.meanError <= tolerance && o.covarianceError <= tolerance && o.lawError <= tolerance ? .pass : .fail
  }

  public var verdictRows: [VerdictRow] {
    records.map { r in
      let worst = r.results.map { Swift.max($0.meanError, $0.covarianceError, $0.lawError) }.max() ?? 0
      let verdict = r.results.map(Self.verdict).max() ?? .pass
      return VerdictRow(
        claim: "C2C3-exact", caseName: r.caseName,
        keyFigure: "max rel error \(shortScientific(worst)) <= 1e-12 over \(r.results.count) (sampler, b)", verdict: verdict)
    }
  }
}

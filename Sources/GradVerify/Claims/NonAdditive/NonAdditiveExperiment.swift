
/// Negative control N2: costs that do not add over examples (and, on request, a linear model on
/// batch-normalised features), with the additive mean as their twin.
///
/// Spec keys: `costs` (at least one), `batch_norm`, `draws`, `alpha` and `batch_sizes`.
package struct NonAdditiveExperiment: Experiment {
  public static let claim = "N2"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case control = "N2", twin = "N2-twin" }
  public static let keys = ["costs", "batch_norm", "draws", "alpha", "batch_sizes"]
  public static let tableSuffixes = ["-gradient", "-bias"]
  public static let statement =
    "Costs that do not add over examples break the claim: the average of per-example gradients is not their gradient, and mini-batch estimates of the cost are biased."

  public typealias Record = CaseRecord<NonAdditiveControl>

  /// The controls of the run, in spec order.
  public struct Result: Sendable {
    public let records: [Record]
    /// The batch-normalised linear model's controls, by case name.
    public let batchNormRecords: [(caseName: String, control: BatchNormControl)]
  }

  public var costs: [NonAdditiveCost]
  /// Also test a linear model on batch-normalised features (for cases with a numeric target).
  public var batchNorm: Bool
  public var settings: SweepSettings

  public init(costs: [NonAdditiveCost], batchNorm: Bool = false, settings: SweepSettings) {
    self.costs = costs
    self.batchNorm = batchNorm
    self.settings = settings
  }

  enum Keys: String, CodingKey {
    case costs
    case batchNorm = "batch_norm"
  }

  public init(settingsFrom decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    costs = try c.decode([NonAdditiveCost].self, forKey: .costs)
    guard !costs.isEmpty else { throw invalid(c, .costs, "needs at least one cost") }
    batchNorm = try c.decodeIfPresent(Bool.self, forKey: .batchNorm) ?? false
    settings = try SweepSettings(from: decoder, keys: [.draws, .alpha, .batchSizes])
  }

  public var alpha: Double? { settings.alpha }

  public var method: String {
    "The finite-difference gradient of the true cost is compared with its true gradient and with the average of per-example gradients; the mini-batch bias of the cost (batches without replacement, \(settings.draws) draws per b) is measured against its prediction where one exists."
  }

  /// Every cost's control on one case, its bias cells sharing α with `tests` others (Bonferroni's m).
  struct Measurement: CaseMeasurement {
    var costs: [NonAdditiveCost]
    var settings: SweepSettings
    var tests: Int
    func measure<M: PerExampleModel>(_ model: M, at c: CaseAtPoint) throws(InputError) -> [NonAdditiveControl] {
      let theta = try c.theta(for: model)
      let sizes = settings.sizes(count: c.data.count, sampler: .withoutReplacement)
      return costs.map { cost in
        NonAdditiveControl(
          cost: cost, model: model, data: c.data, theta: theta, batchSizes: sizes, draws: settings.draws,
          seed: c.seed, name: c.name, alpha: settings.alpha, tests: tests, threads: c.threads)
      }
    }
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    // Bonferroni's m: every bias cell of every case and cost.
    let tests = input.places.reduce(0) {
      $0 + costs.count * settings.sizes(count: $1.data.count, sampler: .withoutReplacement).count
    }
    let records = try input.measure(Measurement(costs: costs, settings: settings, tests: tests)).flatMap { c in
      c.measured.map { Record(caseName: c.caseName, control: $0) }
    }
    let batchNormRecords = input.places.filter { batchNorm && $0.model.kind == .linear }.map { p in
      batchNormControl(data: p.data, point: p.point, seed: input.seed, threads: input.threads)
    }
    return Result(records: records, batchNormRecords: batchNormRecords)
  }

  /// The batch-normalised linear model on a regression data set: θ = [u, w, c] drawn as the point says.
  func batchNormControl(
    data: Dataset, point: ParameterPointSpec, seed: UInt64, threads: Int
  ) -> (caseName: String, control: BatchNormControl) {
    let name = "batchnorm-linear/\(data.name)\(data.standardization == nil ? "" : "+std")@\(point.name)"
    let theta = point.theta(parameterCount: data.featureCount + 2, seed: seed, stream: "batch-norm/\(data.name)")
    let control = BatchNormControl(
      data: data, theta: theta, batchSizes: settings.sizes(count: data.count, sampler: .withoutReplacement),
      draws: settings.draws, seed: seed, name: name, threads: threads)
    return (name, control)
  }

  static let costColumn = Column(
    "cost", "the cost tested: a non-additive one, the additive mean (its twin), or batch-norm", unit: "1")

  static let gradientSchema = TableSchema([
    .caseName, costColumn, Column("true_gradient_score", "maxⱼ |Dⱼ − true ∇Cⱼ|/τⱼ (≤ 1: confirmed)", unit: "1"),
    Column("mismatch_score", "maxⱼ |Dⱼ − averaged per-example gradientⱼ|/τⱼ", unit: "1"),
    Column("relative_mismatch", "‖averaged − true‖∞/‖true‖∞", unit: "1"),
    Column("gradient_verdict", "FAILS-AS-PREDICTED, PASS (additive twin) or FAIL", unit: "1"),
  ])

  static let biasSchema = TableSchema([
    .caseName, costColumn, .batch, .draws,
    Column("bias", "Monte Carlo mean of C(batch) − C(all N) for the cost", unit: "loss"),
    Column("bias_se", "standard error of the bias", unit: "loss"),
    Column(
      "prediction",
      "predicted batch bias of the cost (exact for square-of-mean, delta method for log-mean-exp, 0 for the mean; empty for batch norm, which has none)",
      unit: "loss"),
    Column("z", "(bias − prediction)/se (empty: no prediction)", unit: "1"),
    Column("judged", "the prediction is judged at this b", unit: "1"), .criticalZ, .exactlyZero,
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [gradientTable(result), biasTable(result)]
  }

  /// One row per case × cost: the gradient comparison.
  func gradientTable(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(Self.gradientSchema)
    for r in result.records {
      let c = r.control
      doc.append([
        CSVCell(r.caseName), CSVCell(c.cost.rawValue), CSVCell(c.trueGradientScore), CSVCell(c.mismatchScore),
        CSVCell(c.relativeMismatch), CSVCell(c.gradientVerdict.rawValue),
      ])
    }
    for (name, c) in result.batchNormRecords {
      doc.append([
        CSVCell(name), "batch-norm", CSVCell(c.trueGradientScore), CSVCell(c.mismatchScore), CSVCell(c.relativeMismatch),
        CSVCell(c.gradientVerdict.rawValue),
      ])
    }
    return doc
  }

  /// One row per case × cost × b: the mini-batch bias of the cost.
  func biasTable(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(Self.biasSchema)
    for r in result.records {
      for cell in r.control.biasCells {
        doc.append([
          CSVCell(r.caseName), CSVCell(r.control.cost.rawValue), CSVCell(cell.batch), CSVCell(r.control.draws),
          CSVCell(cell.bias), CSVCell(cell.standardError), CSVCell(cell.prediction), CSVCell(cell.z), CSVCell(cell.judged),
          CSVCell(r.control.criticalZ), CSVCell(cell.exactlyZero),
        ])
      }
    }
    // Batch norm has no closed-form bias: measured with its standard error, not judged.
    for (name, c) in result.batchNormRecords {
      for cell in c.biases {
        doc.append([
          CSVCell(name), "batch-norm", CSVCell(cell.batch), CSVCell(settings.draws), CSVCell(cell.bias),
          CSVCell(cell.standardError), "", "", CSVCell(false), "", CSVCell(false),
        ])
      }
    }
    return doc
  }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    for (name, c) in result.batchNormRecords {
      // The batch-norm cost's mini-batch bias has no prediction here and is only tabulated (N2-batchnorm-bias.csv):
      // it is not claimed, so no verdict rests on it.
      rows.append(
        VerdictRow(
          claim: VerdictClaims.control, caseName: "\(name) batch-norm gradient",
          keyFigure: "|D-avg|/tol \(shortScientific(c.mismatchScore)), |D-true|/tol \(rounded2(c.trueGradientScore)), avg off by \(shortScientific(c.relativeMismatch)) (cost bias tabulated, not claimed)",
          verdict: c.gradientVerdict))
    }
    for r in result.records {
      let c = r.control
      let claim: VerdictClaims = c.cost == .mean ? .twin : .control
      rows.append(
        VerdictRow(
          claim: claim, caseName: "\(r.caseName) \(c.cost.rawValue) gradient",
          keyFigure: "|D-avg|/tol \(shortScientific(c.mismatchScore)), |D-true|/tol \(rounded2(c.trueGradientScore)), avg off by \(shortScientific(c.relativeMismatch))",
          verdict: c.gradientVerdict))
      // Ratios are shown where the bias stands clear of the Monte Carlo noise (|bias| > z*·se).
      let judged = c.biasCells.filter { $0.judged && $0.prediction != 0 && $0.biasZ > c.criticalZ }
      let ratios = judged.map { $0.bias / $0.prediction }
      let worst = c.biasCells.filter(\.judged).map { Swift.abs($0.z) }.max() ?? 0
      let figure =
        c.cost == .mean
        ? "max|z| \(rounded2(worst)) <= \(rounded2(c.criticalZ)) over \(c.biasCells.count) size\(c.biasCells.count == 1 ? "" : "s")"
        : "bias/pred \(rounded3(ratios.min() ?? .nan))..\(rounded3(ratios.max() ?? .nan)) where clear (\(judged.count) sizes), max|z| \(rounded2(worst)) <= \(rounded2(c.criticalZ))"
      rows.append(
        VerdictRow(claim: claim, caseName: "\(r.caseName) \(c.cost.rawValue) batch bias", keyFigure: figure, verdict: c.biasVerdict))
    }
    return rows
  }
}

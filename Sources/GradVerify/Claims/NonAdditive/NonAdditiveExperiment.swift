
/// Negative control N2: costs that do not add over examples (and, on request, a linear model on
/// batch-normalised features), with the additive mean as their twin.
///
/// Spec keys: `costs` (at least one), `batch_norm`, `draws`, `alpha` and `batch_sizes`.
package struct NonAdditiveExperiment: Experiment {
  public static let claim = "N2"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case control = "N2", twin = "N2-twin" }
  public static let keys = ["costs", "batch_norm", "draws", "alpha", "batch_sizes"]
  public static let tableSuffixes = [gradientTable.suffix, biasTable.suffix]
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

  /// The name of the batch-norm cost in the tables (the others are `NonAdditiveCost` values).
  static let batchNormCost = "batch-norm"

  /// The cost column, in both tables.
  static let costColumn = Column(
    "cost", "the cost tested: a non-additive one, the additive mean (its twin), or batch-norm", unit: "1")

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case bias, biasSE = "bias_se", prediction, judged
  }

  /// One row per case × cost: the gradient comparison.
  static let gradientTable = RecordTable<(caseName: String, cost: String, comparison: any GradientComparison)>(suffix: "-gradient", [
    .column(.caseName) { CSVCell($0.caseName) },
    .column(costColumn) { CSVCell($0.cost) },
    .column("true_gradient_score", "maxⱼ |Dⱼ − true ∇Cⱼ|/τⱼ (≤ 1: confirmed)", unit: "1") { CSVCell($0.comparison.trueGradientScore) },
    .column("mismatch_score", "maxⱼ |Dⱼ − averaged per-example gradientⱼ|/τⱼ", unit: "1") { CSVCell($0.comparison.mismatchScore) },
    .column("relative_mismatch", "‖averaged − true‖∞/‖true‖∞", unit: "1") { CSVCell($0.comparison.relativeMismatch) },
    .column("gradient_verdict", "FAILS-AS-PREDICTED, PASS (additive twin) or FAIL", unit: "1") {
      CSVCell($0.comparison.gradientVerdict.rawValue)
    },
  ])

  /// One row of the bias table: a cost's mini-batch bias at one b. Batch norm has no prediction, so nothing
  /// is judged for it.
  struct BiasRow {
    var caseName: String
    var cost: String
    var batch: Int
    var draws: Int
    var bias: Double
    var standardError: Double
    var prediction: Double?
    var z: Double?
    var judged: Bool
    var criticalZ: Double?
    var exactlyZero: Bool
  }

  /// One row per case × cost × b: the mini-batch bias of the cost.
  static let biasTable = RecordTable<BiasRow>(suffix: "-bias", [
    .column(.caseName) { CSVCell($0.caseName) },
    .column(costColumn) { CSVCell($0.cost) },
    .column(.batch) { CSVCell($0.batch) },
    .column(.draws) { CSVCell($0.draws) },
    .column(Columns.bias, "Monte Carlo mean of C(batch) − C(all N) for the cost", unit: "loss") { CSVCell($0.bias) },
    .column(Columns.biasSE, "standard error of the bias", unit: "loss") { CSVCell($0.standardError) },
    .column(Columns.prediction, "predicted batch bias of the cost (exact for square-of-mean, delta method for log-mean-exp, 0 for the mean; empty for batch norm, which has none)", unit: "loss") {
      CSVCell($0.prediction)
    },
    .column("z", "(bias − prediction)/se (empty: no prediction)", unit: "1") { CSVCell($0.z) },
    .column(Columns.judged, "the prediction is judged at this b", unit: "1") { CSVCell($0.judged) },
    .column(.criticalZ) { CSVCell($0.criticalZ) },
    .column(.exactlyZero) { CSVCell($0.exactlyZero) },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    let gradients =
      result.records.map { ($0.caseName, $0.control.cost.rawValue, $0.control as any GradientComparison) }
      + result.batchNormRecords.map { ($0.caseName, Self.batchNormCost, $0.control as any GradientComparison) }
    let biases =
      result.records.flatMap { r in
        r.control.biasCells.map { cell in
          BiasRow(
            caseName: r.caseName, cost: r.control.cost.rawValue, batch: cell.batch, draws: r.control.draws, bias: cell.bias,
            standardError: cell.standardError, prediction: cell.prediction, z: cell.z, judged: cell.judged,
            criticalZ: r.control.criticalZ, exactlyZero: cell.exactlyZero)
        }
      }
      + result.batchNormRecords.flatMap { r in
        r.control.biases.map { cell in
          BiasRow(
            caseName: r.caseName, cost: Self.batchNormCost, batch: cell.batch, draws: settings.draws, bias: cell.bias,
            standardError: cell.standardError, judged: false, exactlyZero: false)
        }
      }
    return [Self.gradientTable.filled(with: gradients), Self.biasTable.filled(with: biases)]
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

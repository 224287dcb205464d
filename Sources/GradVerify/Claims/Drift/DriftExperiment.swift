
/// Negative control N3: the drift of per-example gradients accumulated along SGD steps, against its
/// first-order prediction −η(k−1)/2 · H g, with the η = 0 twin (exactly zero).
///
/// Spec keys: `drift` (`DriftSettings`) and `alpha`.
package struct DriftExperiment: SettingsExperiment, CaseMeasurement {
  public static let claim = "N3"
  public static let settingsKey = "drift"
  public static let statement =
    "Gradients taken at different parameter points break the claim: accumulated along SGD steps they drift from the gradient at one point, to first order by −η(k−1)/2 · H g."

  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case control = "N3", twin = "N3-twin" }

  public typealias Record = CaseRecord<ParameterDriftControl>

  /// The cases' controls, in spec order.
  public typealias Result = CaseResults<Record>

  public let configuration: LeveledSettings<DriftSettings>
  public init(_ configuration: LeveledSettings<DriftSettings>) { self.configuration = configuration }

  public var method: String {
    "Per-example gradients are accumulated along k = \(settings.examplesPerPass) SGD steps for \(settings.orders) random orders per step size; the mean discrepancy is compared with the first-order prediction in the regime η·k·‖Hg‖/‖g‖ ≤ \(settings.firstOrderLimit), and at η = 0 it must be exactly zero."
  }

  package func measure<M: PerExampleModel>(_ model: M, at c: CaseAtPoint) throws(InputError) -> ParameterDriftControl {
    ParameterDriftControl(
      model: model, data: c.data, theta: try c.theta(for: model), examplesPerPass: settings.examplesPerPass,
      etas: settings.etas, firstOrderLimit: settings.firstOrderLimit, orders: settings.orders, seed: c.seed,
      name: c.name, alpha: level, threads: c.threads)
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    Result(records: try input.measure(self).map { Record(caseName: $0.caseName, control: $0.measured) })
  }

  /// One row per case × η: the case's control and one step size's measurement.
  typealias Row = (record: Record, step: ParameterDriftControl.Step)

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case k, discrepancyNorm = "discrepancy_norm", predictionNorm = "prediction_norm"
  }

  static let table = RecordTable<Row>([
    .column(.caseName) { CSVCell($0.record.caseName) },
    .column(Columns.k, "examples per SGD pass", unit: "1") { CSVCell($0.record.control.examplesPerPass) },
    .column("orders", "random orders averaged", unit: "1") { CSVCell($0.record.control.orders) },
    .column("curvature", "‖Hg‖/‖g‖ at the starting point", unit: "1/parameter") { CSVCell($0.record.control.curvature) },
    .column(.eta) { CSVCell($0.step.eta) },
    .column("eta_k_c", "η·k·curvature: first-order regime when ≤ the spec's limit", unit: "1") {
      CSVCell($0.step.eta * Double($0.record.control.examplesPerPass) * $0.record.control.curvature)
    },
    .column(Columns.discrepancyNorm, "‖mean D(η)‖", unit: "gradient") { CSVCell($0.step.discrepancyNorm) },
    .column(Columns.predictionNorm, "norm of the first-order prediction −η(k−1)/2·Hg", unit: "gradient") { CSVCell($0.step.predictionNorm) },
    .column("ratio", "discrepancy norm over prediction norm", unit: "1") {
      CSVCell($0.step.predictionNorm > 0 ? $0.step.discrepancyNorm / $0.step.predictionNorm : .nan)
    },
    .column("max_discrepancy_z", "maxⱼ |mean Dⱼ|/se", unit: "1") { CSVCell($0.step.maxDiscrepancyZ) },
    .column("max_agreement_z", "maxⱼ |mean Dⱼ − predictionⱼ|/se", unit: "1") { CSVCell($0.step.maxAgreementZ) },
    .column("first_order", "judged against the first-order prediction", unit: "1") { CSVCell($0.step.firstOrder) },
    .column(.criticalZ) { CSVCell($0.record.control.criticalZ) },
    .column(.exactlyZero) { CSVCell($0.step.exactlyZero) },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [Self.table.filled(with: result.records.flatMap { r in r.control.steps.map { (r, $0) } })]
  }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    for r in result.records {
      let c = r.control
      let judged = c.steps.filter(\.firstOrder)
      let ratios = judged.map { $0.discrepancyNorm / $0.predictionNorm }
      let worst = judged.map(\.maxAgreementZ).max() ?? 0
      let figure =
        "|D|/pred \(rounded3(ratios.min() ?? .nan))..\(rounded3(ratios.max() ?? .nan)) at \(judged.count) eta (eta*k*c<=\(settings.firstOrderLimit)), "
        + "max|z| \(rounded2(worst)) <= \(rounded2(c.criticalZ)), slope \(rounded3(c.slope ?? .nan))"
      rows.append(VerdictRow(claim: VerdictClaims.control, caseName: "\(r.caseName) k=\(c.examplesPerPass)", keyFigure: figure, verdict: c.controlVerdict))
      if let twin = c.twinVerdict {
        rows.append(
          VerdictRow(
            claim: VerdictClaims.twin, caseName: "\(r.caseName) eta=0", keyFigure: twin == .pass ? "D exactly 0 in every order" : "D not 0",
            verdict: twin))
      }
    }
    return rows
  }
}

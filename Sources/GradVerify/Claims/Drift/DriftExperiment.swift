
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

  static let schema = TableSchema([
    .caseName, Column("k", "examples per SGD pass", unit: "1"), Column("orders", "random orders averaged", unit: "1"),
    Column("curvature", "‖Hg‖/‖g‖ at the starting point", unit: "1/parameter"), .eta,
    Column("eta_k_c", "η·k·curvature: first-order regime when ≤ the spec's limit", unit: "1"),
    Column("discrepancy_norm", "‖mean D(η)‖", unit: "gradient"),
    Column("prediction_norm", "norm of the first-order prediction −η(k−1)/2·Hg", unit: "gradient"),
    Column("ratio", "discrepancy norm over prediction norm", unit: "1"),
    Column("max_discrepancy_z", "maxⱼ |mean Dⱼ|/se", unit: "1"),
    Column("max_agreement_z", "maxⱼ |mean Dⱼ − predictionⱼ|/se", unit: "1"),
    Column("first_order", "judged against the first-order prediction", unit: "1"), .criticalZ, .exactlyZero,
  ])

  /// One row per case × η.
  public func tables(_ result: Result) -> [SchemaTable] {
    var doc = SchemaTable(Self.schema)
    for r in result.records {
      for s in r.control.steps {
        doc.append([
          CSVCell(r.caseName), CSVCell(r.control.examplesPerPass), CSVCell(r.control.orders),
          CSVCell(r.control.curvature), CSVCell(s.eta), CSVCell(s.eta * Double(r.control.examplesPerPass) * r.control.curvature),
          CSVCell(s.discrepancyNorm), CSVCell(s.predictionNorm),
          CSVCell(s.predictionNorm > 0 ? s.discrepancyNorm / s.predictionNorm : .nan), CSVCell(s.maxDiscrepancyZ),
          CSVCell(s.maxAgreementZ), CSVCell(s.firstOrder), CSVCell(r.control.criticalZ), CSVCell(s.exactlyZero),
        ])
      }
    }
    return [doc]
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

/// Negative control N3 over a set of cases: the drift of per-example gradients accumulated along SGD
/// steps, against its first-order prediction, with the η = 0 twin.
public struct DriftExperiment: Sendable {
  public struct Record: Sendable {
    public var caseName: String
    public var control: ParameterDriftControl
  }

  public var settings: DriftSettings
  public var alpha: Double
  public var records: [Record] = []

  public init(settings: DriftSettings, alpha: Double) {
    self.settings = settings
    self.alpha = alpha
  }

  struct Visitor: ModelVisitor {
    var place: GradientVisitor
    var settings: DriftSettings
    var alpha: Double
    var name: String
    var threads: Int
    func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> ParameterDriftControl {
      ParameterDriftControl(
        model: model, data: place.data, theta: try place.theta(for: model), examplesPerPass: settings.examplesPerPass,
        etas: settings.etas, firstOrderLimit: settings.firstOrderLimit, orders: settings.orders, seed: place.seed,
        name: name, alpha: alpha, threads: threads)
    }
  }

  public mutating func run(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, threads: Int
  ) throws(InputError) {
    let name = LinearityExperiment.caseName(model: model, data: data, point: point.name)
    let place = GradientVisitor(data: data, point: point, seed: seed, stream: "\(model.name)/\(data.name)", theta: nil)
    let control = try model.visit(
      Visitor(place: place, settings: settings, alpha: alpha, name: name, threads: threads), data: data, source: source)
    records.append(Record(caseName: name, control: control))
  }

  /// One row per case × η.
  public var table: CSVDocument {
    var doc = CSVDocument(header: [
      "case", "k", "orders", "curvature", "eta", "eta_k_c", "discrepancy_norm", "prediction_norm", "ratio", "max_discrepancy_z",
      "max_agreement_z", "first_order", "critical_z", "exactly_zero",
    ])
    for r in records {
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
    return doc
  }

  public var verdictRows: [VerdictRow] {
    var rows: [VerdictRow] = []
    for r in records {
      let c = r.control
      let judged = c.steps.filter(\.firstOrder)
      let ratios = judged.map { $0.discrepancyNorm / $0.predictionNorm }
      let worst = judged.map(\.maxAgreementZ).max() ?? 0
      let figure =
        "|D|/pred \(rounded3(ratios.min() ?? .nan))..\(rounded3(ratios.max() ?? .nan)) at \(judged.count) eta (eta*k*c<=\(settings.firstOrderLimit)), "
        + "max|z| \(rounded2(worst)) <= \(rounded2(c.criticalZ)), slope \(rounded3(c.slope ?? .nan))"
      rows.append(VerdictRow(claim: "N3", caseName: "\(r.caseName) k=\(c.examplesPerPass)", keyFigure: figure, verdict: c.controlVerdict))
      if let twin = c.twinVerdict {
        rows.append(
          VerdictRow(
            claim: "N3-twin", caseName: "\(r.caseName) eta=0", keyFigure: twin == .pass ? "D exactly 0 in every order" : "D not 0",
            verdict: twin))
      }
    }
    return rows
  }
}

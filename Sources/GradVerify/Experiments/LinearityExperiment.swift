/// Runs claim C1 over a set of cases and points and lays the results out as tables and verdict rows.
public struct LinearityExperiment: Sendable {
  /// One case at one point with its check.
  public struct Record: Sendable {
    public var caseName: String
    public var model: ModelChoice
    public var dataset: String
    public var standardization: Standardization?
    public var point: ParameterPointSpec
    public var check: LinearityCheck
    /// The per-example gradients at the point, kept only when asked for (`keepGradients`).
    public var gradients: PerExampleGradients?
  }

  public var records: [Record] = []

  public init() {}

  /// Runs one model on one data set at each point.
  ///
  /// - Parameters:
  ///   - progress: called with a case name before it runs.
  public mutating func run(
    model: ModelChoice, data: Dataset, source: String, points: [ParameterPointSpec], seed: UInt64,
    thetaOverride: [Double]? = nil, keepGradients: Bool = false, threads: Int, progress: (String) -> Void = { _ in }
  ) throws(InputError) {
    for point in points {
      let name = Self.caseName(model: model, data: data, point: point.name)
      progress(name)
      let (check, gradients) = try model.visit(
        Visitor(
          place: GradientVisitor(
            data: data, point: point, seed: seed, stream: "\(model.name)/\(data.name)", theta: thetaOverride),
          threads: threads),
        data: data, source: source)
      records.append(
        Record(
          caseName: name, model: model, dataset: data.name, standardization: data.standardization, point: point,
          check: check, gradients: keepGradients ? gradients : nil))
    }
  }

  struct Visitor: ModelVisitor {
    /// The data and the θ to check at.
    var place: GradientVisitor
    var threads: Int
    func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> (LinearityCheck, PerExampleGradients) {
      let theta = try place.theta(for: model)
      let gradients = PerExampleGradients(model: model, data: place.data, theta: theta)
      return (
        LinearityCheck(model: model, data: place.data, theta: theta, gradients: gradients, threads: threads), gradients
      )
    }
  }

  /// "mlp(H=16)/breast_cancer+std@far"
  public static func caseName(model: ModelChoice, data: Dataset, point: String) -> String {
    "\(model.name)/\(data.name)\(data.standardization == nil ? "" : "+std")@\(point)"
  }

  /// One row per case: sizes, errors, error estimate, halving ratios, complex-step errors, verdict.
  public var table: CSVDocument {
    var doc = CSVDocument(header: [
      "case", "model", "dataset", "standardized", "point", "scale", "N", "P", "cost", "max_abs_error",
      "max_rel_error", "max_error_estimate", "refined_steps", "worst_coordinate", "halving_ratio_1", "halving_ratio_2",
      "halving_ratio_3", "halving_verdict", "complex_step_rel_error", "per_example_max_rel_error",
      "per_example_complex_step_max_rel_error", "per_example_failures", "complex_step_failures",
      "inconclusive_resolved", "inconclusive_unresolved", "five_point_overruled", "verdict",
    ])
    for r in records {
      let c = r.check
      let ratios = c.halving.reportedRatios
      let padded: [Double?] = (0..<3).map { k in k < ratios.count ? ratios[k] : nil }
      doc.append([
        CSVCell(r.caseName), CSVCell(r.model.name), CSVCell(r.dataset), CSVCell(r.standardization != nil),
        CSVCell(r.point.name), CSVCell(r.point.scale), CSVCell(c.count), CSVCell(c.parameterCount), CSVCell(c.cost),
        CSVCell(c.maxAbsoluteError), CSVCell(c.maxRelativeError), CSVCell(c.maxErrorEstimate), CSVCell(c.refinedSteps),
        CSVCell(c.worstCoordinate),
        CSVCell(padded[0]), CSVCell(padded[1]), CSVCell(padded[2]),
        CSVCell(c.halvingOverruled ? "not asymptotic" : c.halving.verdict.rawValue),
        CSVCell(c.complexStepRelativeError), CSVCell(c.perExampleMaxRelativeError),
        CSVCell(c.perExampleComplexStepMaxRelativeError), CSVCell(c.perExampleFailures), CSVCell(c.complexStepFailures),
        CSVCell(c.inconclusiveResolved), CSVCell(c.inconclusiveUnresolved), CSVCell(c.fivePointOverruled),
        CSVCell(c.verdict.rawValue),
      ])
    }
    return doc
  }

  /// The halving sequence of every case: e(h) and its rounding bound at each step.
  public var halvingTable: CSVDocument {
    var doc = CSVDocument(header: ["case", "coordinate", "step", "error", "rounding_bound", "truncation_regime"])
    for r in records {
      for s in r.check.halving.steps {
        doc.append([
          CSVCell(r.caseName), CSVCell(r.check.halving.coordinate), CSVCell(s.step), CSVCell(s.error),
          CSVCell(s.roundingBound), CSVCell(s.error >= HalvingTest.regimeFactor * s.roundingBound),
        ])
      }
    }
    return doc
  }

  /// The verdict table's rows: the relative error, the complex-step error and the last halving ratio.
  public var verdictRows: [VerdictRow] {
    records.map { r in
      let c = r.check
      let halving = c.halving.reportedRatios.last.map { "halving \((($0 * 100).rounded() / 100).description)" }
        ?? "halving n/a (exact)"
      var figure =
        "rel \(shortScientific(c.maxRelativeError)), cs \(shortScientific(c.complexStepRelativeError)), \(halving)"
      if c.halvingOverruled { figure += " (not asymptotic; cs agrees)" }
      if c.inconclusiveUnresolved > 0 {
        figure += ", \(c.inconclusiveUnresolved) entries undecided (no reference resolves a 1e-6 error there)"
      }
      return VerdictRow(claim: "C1", caseName: r.caseName, keyFigure: figure, verdict: c.verdict)
    }
  }
}

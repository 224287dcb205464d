
/// Claim C1 over a set of cases and points: the averaged per-example gradient against finite differences
/// of the cost, with error estimates, complex-step references and the halving test.
///
/// Spec keys: none beyond the common ones.
package struct LinearityExperiment: Experiment {
  public static let claim = "C1"
  public static let keys: [String] = []
  public static let tableSuffixes = [caseTable.suffix, halvingStepTable.suffix]
  public static let statement =
    "The average of per-example gradients, all taken at the same θ, equals the gradient of the average cost."

  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case linearity = "C1" }

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

  /// Every case's check, in spec order.
  public typealias Result = CaseResults<Record>

  public init() {}
  public init(settingsFrom decoder: any Decoder) throws {}

  /// Deterministic: error bounds, no α spent.
  public var alpha: Double? { nil }

  public var method: String {
    "Each averaged analytic gradient is compared, coordinate by coordinate, with a 5-point central difference of the compensated average cost, within a tolerance from its own truncation and rounding error estimate; every example's gradient is checked the same way, complex-step derivatives and Swift's reverse-mode automatic differentiation of the loss (written a second time for it) confirm both to rounding level, and a halving test shows the residual shrinking 4× per halved step, as truncation error must. A per-example error counts only above u·Σᵢ|Gᵢⱼ|, the resolution of the average (where a logit saturates, a row's gradient and its references can underflow); a difference that misses its error estimate while the complex step agrees is the reference's failure; an entry no reference resolves is INCONCLUSIVE, never FAIL."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    Result(records: try input.map { p throws(InputError) in
      try Self.records(model: p.model, data: p.data, source: p.source, points: [p.point], seed: input.seed, threads: input.threads)
    }.flatMap { $0 })
  }

  /// Checks one model on one data set at each point.
  ///
  /// - Parameters:
  ///   - progress: called with a case name before it runs.
  public static func records(
    model: ModelChoice, data: Dataset, source: String, points: [ParameterPointSpec], seed: UInt64,
    thetaOverride: [Double]? = nil, keepGradients: Bool = false, threads: Int, progress: (String) -> Void = { _ in },
    coordinates: (@Sendable (String, Int, Int) -> Void)? = nil
  ) throws(InputError) -> [Record] {
    var records: [Record] = []
    for point in points {
      let name = CaseName.of(model: model, data: data, point: point.name)
      progress(name)
      var report: (@Sendable (Int, Int) -> Void)? = nil
      if let coordinates { report = { done, total in coordinates(name, done, total) } }
      let (check, gradients) = try model.visit(
        Visitor(
          place: GradientVisitor(model: model, data: data, point: point, seed: seed, theta: thetaOverride),
          threads: threads, progress: report),
        data: data, source: source)
      records.append(
        Record(
          caseName: name, model: model, dataset: data.name, standardization: data.standardization, point: point,
          check: check, gradients: keepGradients ? gradients : nil))
    }
    return records
  }

  struct Visitor: ModelVisitor {
    /// The data and the θ to check at.
    var place: GradientVisitor
    var threads: Int
    /// Hears (coordinates done, P).
    var progress: (@Sendable (Int, Int) -> Void)?
    func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> (LinearityCheck, PerExampleGradients) {
      let theta = try place.theta(for: model)
      let gradients = PerExampleGradients(model: model, data: place.data, theta: theta)
      let check = LinearityCheck(
        model: model, data: place.data, theta: theta, gradients: gradients, threads: threads, progress: progress)
      return (check, gradients)
    }
  }

  /// One row per case: sizes, errors, error estimate, halving ratios, complex-step errors, verdict.
  public func tables(_ result: Result) -> [SchemaTable] { [table(result), halvingTable(result)] }

  public func table(_ result: Result) -> SchemaTable { Self.caseTable.filled(with: result.records) }

  /// The halving sequence of every case: e(h) and its rounding bound at each step.
  public func halvingTable(_ result: Result) -> SchemaTable {
    Self.halvingStepTable.filled(with: result.records.flatMap { r in
      r.check.halving.steps.map { (r.caseName, r.check.halving.coordinate, $0) }
    })
  }

  /// The k-th of the last three error ratios in the truncation regime, left-aligned (nil past the last).
  static func reportedRatio(_ k: Int, of check: LinearityCheck) -> Double? {
    let ratios = check.halving.reportedRatios
    return k < ratios.count ? ratios[k] : nil
  }

  /// The verdict table's rows: the relative error, the complex-step error and the last halving ratio.
  public func verdicts(_ result: Result) -> [VerdictRow] {
    result.records.map { Self.rows(of: $0.check, caseName: $0.caseName) }
  }

  /// One case's verdict row: the relative error, the complex-step and automatic-differentiation errors and
  /// the last halving ratio; or, where the gradients overflow at θ, that.
  public static func rows(of c: LinearityCheck, caseName: String) -> VerdictRow {
    if c.overflowed {
      return VerdictRow(
        claim: VerdictClaims.linearity, caseName: caseName,
        keyFigure: "the gradients overflow at this θ (cost \(shortScientific(c.cost))): nothing can be judged; rescale the data (--standardize) or θ",
        verdict: c.verdict)
    }
    let halving = c.halving.reportedRatios.last.map { "halving \((($0 * 100).rounded() / 100).description)" }
      ?? "halving n/a (exact)"
    var figure =
      "rel \(shortScientific(c.maxRelativeError)), cs \(shortScientific(c.complexStepRelativeError)), "
      + "ad \(c.automatic.map { shortScientific($0.relativeError) } ?? "n/a (toolchain without _Differentiation)"), \(halving)"
    if c.halvingOverruled { figure += " (not asymptotic; cs agrees)" }
    if c.inconclusiveUnresolved > 0 {
      figure += ", \(c.inconclusiveUnresolved) entries undecided (no reference resolves a 1e-6 error there)"
    }
    if c.verdict == .fail { figure += "; " + failures(of: c) }
    return VerdictRow(claim: VerdictClaims.linearity, caseName: caseName, keyFigure: figure, verdict: c.verdict)
  }

  /// What a failing case missed, each test against its bound: the worst entry's error over its tolerance τ,
  /// the entries beyond their bounds (average, per example, complex step, AD) and the halving ratio.
  static func failures(of c: LinearityCheck) -> String {
    var missed = ["worst |D − g|/τ \(shortScientific(c.worstToleranceRatio)) (must be ≤ 1) at coordinate \(c.worstCoordinate)"]
    let beyond = [
      ("average", c.averageFailures), ("per-example", c.perExampleFailures), ("cs", c.complexStepFailures),
      ("ad", c.automatic?.failures ?? 0),
    ].filter { $0.1 > 0 }
    if !beyond.isEmpty { missed.append("entries beyond bound: " + beyond.map { "\($0.0) \($0.1)" }.joined(separator: ", ")) }
    if c.halving.verdict == .fail && !c.halvingOverruled, let ratio = c.halving.reportedRatios.last {
      let accepted = HalvingTest.acceptedRatios
      missed.append("halving \(((ratio * 100).rounded() / 100).description) outside [\(accepted.lowerBound), \(accepted.upperBound)]")
    }
    return missed.joined(separator: "; ")
  }
}

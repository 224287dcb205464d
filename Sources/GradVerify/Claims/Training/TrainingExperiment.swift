
/// What mini-batches do to training: gradient descent against SGD at several b from one point, with the
/// estimator noise along each path judged against C3.
///
/// Spec keys: `training` (`TrainingSettings`) and `alpha`.
package struct TrainingExperiment: SettingsExperiment, CaseMeasurement {
  public static let claim = "T"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case descent = "T-descent", noise = "T-C3" }
  public static let settingsKey = "training"
  public static let statement =
    "Mini-batches in training: gradient descent against SGD at several batch sizes, and the estimator noise along the path."

  public struct Record: Sendable {
    public var caseName: String
    public var runs: [TrainingRun]
  }

  /// Every case's runs, in spec order.
  public typealias Result = CaseResults<Record>

  public let configuration: LeveledSettings<TrainingSettings>
  public init(_ configuration: LeveledSettings<TrainingSettings>) { self.configuration = configuration }

  public var method: String {
    "Gradient descent and SGD at b = \(settings.batchSizes.map(String.init).joined(separator: ", ")) start from one point with one step size η = \(settings.eta); loss curves are recorded at equal steps and equal examples, and at each of \(settings.checkpoints) checkpoints \(settings.noiseDraws) fresh batches measure the estimator noise against the C3 law at the θ visited."
  }

  /// Gradient descent (b = 0) and SGD at each batch size, from the case's point.
  package func measure<M: PerExampleModel>(_ model: M, at c: CaseAtPoint) throws(InputError) -> [TrainingRun] {
    for b in settings.batchSizes where b >= c.data.count {
      throw InputError("\(c.source): training batch size \(b) must be below N = \(c.data.count)")
    }
    let theta = try c.theta(for: model)
    return ([0] + settings.batchSizes).map { b in
      TrainingRun(
        model: model, data: c.data, theta: theta, batch: b, eta: settings.eta, steps: settings.steps,
        checkpoints: settings.checkpoints, noiseDraws: settings.noiseDraws, seed: c.seed, name: c.name,
        threads: c.threads)
    }
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    Result(records: try input.measure(self).map { Record(caseName: $0.caseName, runs: $0.measured) })
  }

  /// Bonferroni over every SGD checkpoint of the run.
  func criticalZ(_ result: Result) -> Double {
    let tests = result.records.flatMap(\.runs).flatMap(\.points).filter { $0.noise != nil }.count
    return bonferroniCriticalZ(familyWiseAlpha: level, tests: Swift.max(1, tests))
  }

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case run, step, examples, cost, noiseMSE = "noise_mse", noiseMSESE = "noise_mse_se"
    case noiseTheory = "noise_theory"
  }

  /// One row per case × run × recorded step.
  static let table = RecordTable<(caseName: String, run: TrainingRun, point: TrainingRun.Point)>([
    .column(.caseName) { CSVCell($0.caseName) },
    .column(Columns.run, "gd or sgd(b=…)", unit: "1") { CSVCell($0.run.label) },
    .column(.batch) { CSVCell($0.run.batch) },
    .column(.eta) { CSVCell($0.run.eta) },
    .column(Columns.step, "SGD step index", unit: "1") { CSVCell($0.point.step) },
    .column(Columns.examples, "examples processed so far", unit: "1") { CSVCell($0.point.examples) },
    .column(Columns.cost, "C(θ), the average loss over all N examples at this step", unit: "loss") { CSVCell($0.point.cost) },
    .column("gradient_norm", "‖∇C(θ)‖ at this step", unit: "gradient") { CSVCell($0.point.gradientNorm) },
    .column(Columns.noiseMSE, "Monte Carlo MSE of fresh batch gradients at this θ", unit: "gradient²") { CSVCell($0.point.noise?.meanSquaredError) },
    .column(Columns.noiseMSESE, "its exact null standard error √(Var e/R)", unit: "gradient²") { CSVCell($0.point.noiseNullStandardError) },
    .column(Columns.noiseTheory, "(N − b)/(N − 1)·tr Σ_N(θ)/b", unit: "gradient²") { CSVCell($0.point.noiseTheory) },
    .column("noise_z", "(noise_mse − noise_theory)/noise_mse_se (judged with skewness-corrected critical values)", unit: "1") {
      CSVCell($0.point.noiseZ)
    },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [Self.table.filled(with: result.records.flatMap { r in r.runs.flatMap { run in run.points.map { (r.caseName, run, $0) } } })]
  }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    let z = criticalZ(result)
    for r in result.records {
      guard let gd = r.runs.first(where: { $0.batch == 0 }) else { continue }
      let costs = gd.points.map(\.cost)
      let descends = zip(costs, costs.dropFirst()).allSatisfy { $1 <= $0 }
      rows.append(
        VerdictRow(
          claim: VerdictClaims.descent, caseName: "\(r.caseName) gd eta=\(settings.eta)",
          keyFigure: "cost \(rounded3(costs.first ?? .nan)) -> \(rounded3(costs.last ?? .nan)) over \(settings.steps) steps, never rising",
          verdict: descends ? .pass : .fail))
      for run in r.runs where run.batch > 0 {
        let zs = run.points.compactMap(\.noiseZ)
        let worst = zs.map { Swift.abs($0) }.max() ?? 0
        let holds = run.points.allSatisfy { point in
          point.noiseZ.map { SkewedCriticalValues(z: z, skewness: point.noiseSkewness).accepts($0) } ?? true
        }
        let sameSteps = run.points.first { $0.step == settings.steps }?.cost ?? .nan
        let sameExamples = run.points.last?.cost ?? .nan
        rows.append(
          VerdictRow(
            claim: VerdictClaims.noise, caseName: "\(r.caseName) sgd b=\(run.batch)",
            keyFigure: "noise vs C3 max|z| \(rounded2(worst)) (critical \(rounded2(z))) at \(zs.count) points; cost \(rounded3(sameSteps)) at equal steps, \(rounded3(sameExamples)) at equal examples (gd \(rounded3(costs.last ?? .nan)))",
            verdict: holds ? .pass : .fail))
      }
    }
    return rows
  }
}

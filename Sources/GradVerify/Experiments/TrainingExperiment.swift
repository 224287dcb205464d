/// What mini-batches do to training: gradient descent against SGD at several b from one point, with the
/// estimator noise along each path judged against C3.
public struct TrainingExperiment: Sendable {
  public struct Record: Sendable {
    public var caseName: String
    public var runs: [TrainingRun]
  }

  public var settings: TrainingSettings
  public var alpha: Double
  public var records: [Record] = []

  public init(settings: TrainingSettings, alpha: Double) {
    self.settings = settings
    self.alpha = alpha
  }

  struct Visitor: ModelVisitor {
    var place: GradientVisitor
    var settings: TrainingSettings
    var name: String
    var threads: Int
    func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> [TrainingRun] {
      let theta = try place.theta(for: model)
      return ([0] + settings.batchSizes).map { b in
        TrainingRun(
          model: model, data: place.data, theta: theta, batch: b, eta: settings.eta, steps: settings.steps,
          checkpoints: settings.checkpoints, noiseDraws: settings.noiseDraws, seed: place.seed, name: name,
          threads: threads)
      }
    }
  }

  public mutating func run(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, threads: Int
  ) throws(InputError) {
    for b in settings.batchSizes where b >= data.count {
      throw InputError("\(source): training batch size \(b) must be below N = \(data.count)")
    }
    let name = LinearityExperiment.caseName(model: model, data: data, point: point.name)
    let place = GradientVisitor(data: data, point: point, seed: seed, stream: "\(model.name)/\(data.name)", theta: nil)
    let runs = try model.visit(
      Visitor(place: place, settings: settings, name: name, threads: threads), data: data, source: source)
    records.append(Record(caseName: name, runs: runs))
  }

  /// Bonferroni over every SGD checkpoint of the run.
  public var criticalZ: Double {
    let tests = records.flatMap(\.runs).flatMap(\.points).filter { $0.noise != nil }.count
    return bonferroniCriticalZ(familyWiseAlpha: alpha, tests: Swift.max(1, tests))
  }

  public var table: CSVDocument {
    var doc = CSVDocument(header: [
      "case", "run", "b", "eta", "step", "examples", "cost", "gradient_norm", "noise_mse", "noise_mse_se",
      "noise_theory", "noise_z",
    ])
    for r in records {
      for run in r.runs {
        for point in run.points {
          doc.append([
            CSVCell(r.caseName), CSVCell(run.label), CSVCell(run.batch), CSVCell(run.eta), CSVCell(point.step),
            CSVCell(point.examples), CSVCell(point.cost), CSVCell(point.gradientNorm),
            CSVCell(point.noise?.meanSquaredError), CSVCell(point.noiseNullStandardError),
            CSVCell(point.noiseTheory), CSVCell(point.noiseZ),
          ])
        }
      }
    }
    return doc
  }

  public var verdictRows: [VerdictRow] {
    var rows: [VerdictRow] = []
    let z = criticalZ
    for r in records {
      guard let gd = r.runs.first(where: { $0.batch == 0 }) else { continue }
      let costs = gd.points.map(\.cost)
      let descends = zip(costs, costs.dropFirst()).allSatisfy { $1 <= $0 }
      rows.append(
        VerdictRow(
          claim: "T-descent", caseName: "\(r.caseName) gd eta=\(settings.eta)",
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
            claim: "T-C3", caseName: "\(r.caseName) sgd b=\(run.batch)",
            keyFigure: "noise vs C3 max|z| \(rounded2(worst)) (critical \(rounded2(z))) at \(zs.count) points; cost \(rounded3(sameSteps)) at equal steps, \(rounded3(sameExamples)) at equal examples (gd \(rounded3(costs.last ?? .nan)))",
            verdict: holds ? .pass : .fail))
      }
    }
    return rows
  }
}

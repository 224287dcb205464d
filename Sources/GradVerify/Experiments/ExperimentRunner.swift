import Foundation

/// What running one spec produced: its tables (file name → CSV) and verdict rows.
public struct ExperimentOutcome: Sendable {
  public var tables: [(name: String, document: CSVDocument)]
  public var verdicts: [VerdictRow]
  /// One-line notes for the user (e.g. which data sets were standardised).
  public var notes: [String]
}

/// Runs the specs in Experiments/.
public enum ExperimentRunner {
  /// The spec files of a folder, sorted by name.
  public static func specFiles(in folder: String) throws(InputError) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      throw InputError("\(folder): no such folder (run from the project root, or pass --experiments DIR)")
    }
    let specs = names.filter { $0.hasSuffix(".json") }.sorted().map { folder + "/" + $0 }
    guard !specs.isEmpty else { throw InputError("\(folder): no experiment specs (*.json)") }
    return specs
  }

  /// Decodes every spec first (so a bad one fails before any work), then runs them in order.
  public static func runAll(
    folder: String, threads: Int, progress: @escaping (String) -> Void = { _ in }
  ) throws(InputError) -> [ExperimentOutcome] {
    let files = try specFiles(in: folder)
    var specs: [(String, ExperimentSpec)] = []
    for file in files { specs.append((file, try ExperimentSpec.load(path: file))) }
    var outcomes: [ExperimentOutcome] = []
    for (file, spec) in specs { outcomes.append(try run(spec, file: file, threads: threads, progress: progress)) }
    return outcomes
  }

  /// Runs one spec; tables are named after the spec file ("C1-linearity.json" → "C1-linearity.csv", …).
  public static func run(
    _ spec: ExperimentSpec, file: String, threads: Int, progress: @escaping (String) -> Void = { _ in }
  ) throws(InputError) -> ExperimentOutcome {
    let url = URL(fileURLWithPath: file)
    let folder = url.deletingLastPathComponent().path
    let base = url.deletingPathExtension().lastPathComponent
    switch spec.claim {
    case .c1:
      var experiment = LinearityExperiment()
      var notes: [String] = []
      for (index, c) in spec.cases.enumerated() {
        let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
        if let s = data.standardization {
          let note = "\(data.name): \(s.summary)"
          if !notes.contains(note) { notes.append(note) }
        }
        try experiment.run(
          model: c.model, data: data, source: "\(file): cases[\(index)]", points: spec.points, seed: spec.seed,
          threads: threads, progress: { progress("\(spec.claim.rawValue) \($0)") })
      }
      return ExperimentOutcome(
        tables: [("\(base).csv", experiment.table), ("\(base)-halving.csv", experiment.halvingTable)],
        verdicts: experiment.verdictRows, notes: notes)
    case .c2c3:
      var experiment = SweepExperiment(settings: spec.sweep)
      var notes: [String] = []
      for (index, c) in spec.cases.enumerated() {
        let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
        if let s = data.standardization { notes.append("\(data.name): \(s.summary)") }
        for point in spec.points {
          progress("\(spec.claim.rawValue) \(LinearityExperiment.caseName(model: c.model, data: data, point: point.name))")
          try experiment.run(
            model: c.model, data: data, source: "\(file): cases[\(index)]", point: point, seed: spec.seed, threads: threads)
        }
      }
      experiment.evaluate()
      return ExperimentOutcome(
        tables: [
          ("\(base).csv", experiment.table), ("\(base)-population.csv", experiment.populationTable),
          ("\(base)-coordinates.csv", experiment.coordinateTable),
        ],
        verdicts: experiment.verdictRows, notes: Array(Set(notes)).sorted())
    case .n1:
      var experiment = CorrelatedExperiment(draws: spec.sweep.draws, alpha: spec.sweep.alpha)
      for (index, c) in spec.cases.enumerated() {
        let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
        for point in spec.points {
          progress("\(spec.claim.rawValue) \(LinearityExperiment.caseName(model: c.model, data: data, point: point.name))")
          try experiment.run(
            model: c.model, data: data, source: "\(file): cases[\(index)]", point: point, seed: spec.seed,
            sizes: spec.sweep.batchSizes, threads: threads)
        }
      }
      if let ar1 = spec.ar1 {
        experiment.runAR1(phi: ar1.phi, count: ar1.count, sizes: ar1.batchSizes, seed: spec.seed, threads: threads)
      }
      experiment.tests = experiment.records.reduce(0) { $0 + $1.measurement.exactBias.count + 1 }
      return ExperimentOutcome(tables: [("\(base).csv", experiment.table)], verdicts: experiment.verdictRows, notes: [])
    case .n2:
      var loaded: [(Int, CaseSpec, Dataset)] = []
      var tests = 0
      for (index, c) in spec.cases.enumerated() {
        let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
        loaded.append((index, c, data))
        tests += spec.points.count * spec.costs.count * spec.sweep.sizes(count: data.count, sampler: .withoutReplacement).count
      }
      var experiment = NonAdditiveExperiment(costs: spec.costs, settings: spec.sweep, tests: tests)
      for (index, c, data) in loaded {
        for point in spec.points {
          progress("\(spec.claim.rawValue) \(LinearityExperiment.caseName(model: c.model, data: data, point: point.name))")
          try experiment.run(
            model: c.model, data: data, source: "\(file): cases[\(index)]", point: point, seed: spec.seed, threads: threads)
          if spec.batchNorm && c.model.kind == .linear {
            experiment.runBatchNorm(data: data, point: point, seed: spec.seed, threads: threads)
          }
        }
      }
      return ExperimentOutcome(
        tables: [("\(base)-gradient.csv", experiment.gradientTable), ("\(base)-bias.csv", experiment.biasTable)],
        verdicts: experiment.verdictRows, notes: [])
    case .training:
      guard let settings = spec.training else { throw InputError("\(file): key 'training': missing") }
      var experiment = TrainingExperiment(settings: settings, alpha: spec.sweep.alpha)
      for (index, c) in spec.cases.enumerated() {
        let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
        for point in spec.points {
          progress("\(spec.claim.rawValue) \(LinearityExperiment.caseName(model: c.model, data: data, point: point.name))")
          try experiment.run(
            model: c.model, data: data, source: "\(file): cases[\(index)]", point: point, seed: spec.seed, threads: threads)
        }
      }
      return ExperimentOutcome(tables: [("\(base).csv", experiment.table)], verdicts: experiment.verdictRows, notes: [])
    case .n3:
      guard let settings = spec.drift else { throw InputError("\(file): key 'drift': missing") }
      var experiment = DriftExperiment(settings: settings, alpha: spec.sweep.alpha)
      for (index, c) in spec.cases.enumerated() {
        let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
        for point in spec.points {
          progress("\(spec.claim.rawValue) \(LinearityExperiment.caseName(model: c.model, data: data, point: point.name))")
          try experiment.run(
            model: c.model, data: data, source: "\(file): cases[\(index)]", point: point, seed: spec.seed, threads: threads)
        }
      }
      return ExperimentOutcome(tables: [("\(base).csv", experiment.table)], verdicts: experiment.verdictRows, notes: [])
    case .exact:
      var experiment = ExactOracleExperiment()
      for (index, c) in spec.cases.enumerated() {
        let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
        for point in spec.points {
          try experiment.run(
            model: c.model, data: data, source: "\(file): cases[\(index)]", point: point, seed: spec.seed,
            samplers: spec.sweep.samplers.filter { $0 != .poissonRealized })
        }
      }
      return ExperimentOutcome(tables: [("\(base).csv", experiment.table)], verdicts: experiment.verdictRows, notes: [])
    }
  }
}

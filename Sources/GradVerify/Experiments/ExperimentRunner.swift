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
    try runAllWithSpecs(folder: folder, threads: threads, progress: progress).map(\.outcome)
  }

  /// As `runAll`, keeping each outcome's spec file and spec (for the report).
  public static func runAllWithSpecs(
    folder: String, threads: Int, progress: @escaping (String) -> Void = { _ in }
  ) throws(InputError) -> [(file: String, spec: ExperimentSpec, outcome: ExperimentOutcome)] {
    var specs: [(String, ExperimentSpec)] = []
    for file in try specFiles(in: folder) { specs.append((file, try ExperimentSpec.load(path: file))) }
    var runs: [(file: String, spec: ExperimentSpec, outcome: ExperimentOutcome)] = []
    for (file, spec) in specs { runs.append((file, spec, try run(spec, file: file, threads: threads, progress: progress))) }
    return runs
  }

  /// One case of a spec with its data loaded, at one parameter point.
  struct Place {
    var model: ModelChoice
    var data: Dataset
    var point: ParameterPointSpec
    /// "file: cases[i]", for errors.
    var source: String
  }

  /// Every case's data, loaded once (all of them before any work, so a bad file fails first).
  static func places(_ spec: ExperimentSpec, file: String, folder: String) throws(InputError) -> [Place] {
    var places: [Place] = []
    for (index, c) in spec.cases.enumerated() {
      let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
      for point in spec.points {
        places.append(Place(model: c.model, data: data, point: point, source: "\(file): cases[\(index)]"))
      }
    }
    return places
  }

  /// Runs one spec; tables are named after the spec file ("C1-linearity.json" → "C1-linearity.csv", …).
  public static func run(
    _ spec: ExperimentSpec, file: String, threads: Int, progress: @escaping (String) -> Void = { _ in }
  ) throws(InputError) -> ExperimentOutcome {
    let url = URL(fileURLWithPath: file)
    let base = url.deletingPathExtension().lastPathComponent
    let places = try places(spec, file: file, folder: url.deletingLastPathComponent().path)
    var notes: [String] = []
    for place in places {
      if let s = place.data.standardization, !notes.contains("\(place.data.name): \(s.summary)") {
        notes.append("\(place.data.name): \(s.summary)")
      }
    }
    /// Calls `body` for every place, announcing it first.
    func each(_ body: (Place) throws(InputError) -> Void) throws(InputError) {
      for place in places {
        progress("\(spec.claim.rawValue) \(LinearityExperiment.caseName(model: place.model, data: place.data, point: place.point.name))")
        try body(place)
      }
    }
    func single(_ table: CSVDocument, _ verdicts: [VerdictRow]) -> ExperimentOutcome {
      ExperimentOutcome(tables: [("\(base).csv", table)], verdicts: verdicts, notes: notes)
    }
    let seed = spec.seed
    switch spec.claim {
    case .c1:
      var experiment = LinearityExperiment()
      try each { p throws(InputError) in
        try experiment.run(model: p.model, data: p.data, source: p.source, points: [p.point], seed: seed, threads: threads)
      }
      return ExperimentOutcome(
        tables: [("\(base).csv", experiment.table), ("\(base)-halving.csv", experiment.halvingTable)],
        verdicts: experiment.verdictRows, notes: notes)
    case .c2c3:
      var experiment = SweepExperiment(settings: spec.sweep)
      try each { p throws(InputError) in
        try experiment.run(model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, threads: threads)
      }
      experiment.evaluate()
      return ExperimentOutcome(
        tables: [
          ("\(base).csv", experiment.table), ("\(base)-population.csv", experiment.populationTable),
          ("\(base)-coordinates.csv", experiment.coordinateTable),
        ],
        verdicts: experiment.verdictRows, notes: notes)
    case .convention:
      var experiment = ConventionExperiment(settings: spec.sweep)
      try each { p throws(InputError) in
        try experiment.run(model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, threads: threads)
      }
      experiment.evaluate()
      return single(experiment.table, experiment.verdictRows)
    case .exact:
      var experiment = ExactOracleExperiment()
      let samplers = spec.sweep.samplers.filter { $0 != .poissonRealized }
      try each { p throws(InputError) in
        try experiment.run(model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, samplers: samplers)
      }
      return single(experiment.table, experiment.verdictRows)
    case .n1:
      var experiment = CorrelatedExperiment(draws: spec.sweep.draws, alpha: spec.sweep.alpha)
      try each { p throws(InputError) in
        try experiment.run(
          model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, sizes: spec.sweep.batchSizes,
          threads: threads)
      }
      if let ar1 = spec.ar1 {
        experiment.runAR1(phi: ar1.phi, count: ar1.count, sizes: ar1.batchSizes, seed: seed, threads: threads)
      }
      experiment.tests = experiment.records.reduce(0) { $0 + $1.measurement.exactBias.count + 1 }
      return single(experiment.table, experiment.verdictRows)
    case .n2:
      let tests = places.reduce(0) {
        $0 + spec.costs.count * spec.sweep.sizes(count: $1.data.count, sampler: .withoutReplacement).count
      }
      var experiment = NonAdditiveExperiment(costs: spec.costs, settings: spec.sweep, tests: tests)
      try each { p throws(InputError) in
        try experiment.run(model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, threads: threads)
        if spec.batchNorm && p.model.kind == .linear {
          experiment.runBatchNorm(data: p.data, point: p.point, seed: seed, threads: threads)
        }
      }
      return ExperimentOutcome(
        tables: [("\(base)-gradient.csv", experiment.gradientTable), ("\(base)-bias.csv", experiment.biasTable)],
        verdicts: experiment.verdictRows, notes: notes)
    case .n3:
      guard let settings = spec.drift else { throw InputError("\(file): key 'drift': missing") }
      var experiment = DriftExperiment(settings: settings, alpha: spec.sweep.alpha)
      try each { p throws(InputError) in
        try experiment.run(model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, threads: threads)
      }
      return single(experiment.table, experiment.verdictRows)
    case .training:
      guard let settings = spec.training else { throw InputError("\(file): key 'training': missing") }
      var experiment = TrainingExperiment(settings: settings, alpha: spec.sweep.alpha)
      try each { p throws(InputError) in
        try experiment.run(model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, threads: threads)
      }
      return single(experiment.table, experiment.verdictRows)
    case .calibration:
      guard let settings = spec.calibration else { throw InputError("\(file): key 'calibration': missing") }
      var experiment = CalibrationExperiment(settings: settings, sweep: spec.sweep, alpha: spec.sweep.alpha)
      try each { p throws(InputError) in
        try experiment.run(
          model: p.model, data: p.data, source: p.source, point: p.point, seed: seed, threads: threads, progress: progress)
      }
      experiment.evaluate()
      return single(experiment.table, experiment.verdictRows)
    }
  }
}

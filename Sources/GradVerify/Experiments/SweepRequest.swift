import Foundation

/// A model, a data file and a point θ, as `check` and `sweep` name them, before anything is read.
package struct ModelInput: Sendable, Equatable {
  public var model: ModelChoice
  public var dataPath: String
  public var standardize: Bool
  /// A file of θ, one number per line; nil for θ = N(0, 1) from the seed.
  public var paramsPath: String?
  /// The file's delimiter, target and dropped columns.
  public var layout: CSVLayout

  public init(
    model: ModelChoice, dataPath: String, standardize: Bool = false, paramsPath: String? = nil,
    layout: CSVLayout = CSVLayout()
  ) {
    (self.model, self.dataPath) = (model, dataPath)
    (self.standardize, self.paramsPath, self.layout) = (standardize, paramsPath, layout)
  }

  /// Reads and checks the data and θ; every problem is an `InputError` naming the file.
  public func load() throws(InputError) -> (data: Dataset, theta: [Double]?) {
    var data = try Dataset.load(csv: dataPath, target: model.kind.target, layout: layout)
    try model.validate(data, source: dataPath)
    if standardize { data = data.standardized() }
    guard let paramsPath else { return (data, nil) }
    let p = model.parameterCount(features: data.featureCount, classes: data.classCount)
    let layout = model.kind == .linear || model.kind == .logistic ? "[w1..w\(data.featureCount), b]" : model.kind.lossSummary
    return (data, try ParameterFile.load(path: paramsPath, expectedCount: p, layout: layout))
  }
}

/// Everything that determines a sweep's numbers: the input, the settings and the seed. Its identity (the
/// versions, then the request as one JSON object, `SweepIdentity`) is written into every ledger, so shards,
/// checkpoints and merges of one sweep can be matched, and a merge can run the sweep again from its parts
/// alone.
package struct SweepRequest: Sendable, Equatable {
  /// Where the per-example gradients come from: a built-in model on a data file, or a matrix a framework
  /// computed (`--gradients`).
  public enum Source: Sendable, Equatable {
    case model(ModelInput)
    case gradients(path: String)

    /// The file the sweep's numbers depend on (hashed into a ledger's identity).
    public var path: String {
      switch self {
      case .model(let input): input.dataPath
      case .gradients(let path): path
      }
    }
  }

  public var source: Source
  public var settings: SweepSettings
  public var seed: UInt64
  /// `--project K`: a `--gradients` matrix sketched to K coordinates as it is read (nil: used as it is).
  public var projection: SketchProjection?

  public init(source: Source, settings: SweepSettings, seed: UInt64, projection: SketchProjection? = nil) {
    (self.source, self.settings, self.seed, self.projection) = (source, settings, seed, projection)
  }

  public init(input: ModelInput, settings: SweepSettings, seed: UInt64) {
    self.init(source: .model(input), settings: settings, seed: seed)
  }

  /// The versions every identity starts with: a ledger from other samplers cannot be merged here.
  static var versionLines: [String] {
    [
      "gradverify \(GradVerifyVersion.current)", "sampler-version \(MiniBatchSweep.samplerVersion)",
      "block-size \(MiniBatchSweep.blockSize)",
    ]
  }

  /// The identity: the versions, `sweep`, the settings, and (for a ledger) the data file's sha256.
  public func identity(withDataHash: Bool) throws(InputError) -> [String] {
    var lines = Self.versionLines + ["sweep", SweepIdentity(self).text]
    if withDataHash {
      // Hashed in pieces: the file is never held whole.
      lines.append("data-sha256 " + (try sha256Hex(fileAt: source.path)))
    }
    return lines
  }

  /// The request an identity (with its data hash) describes, read from the ledger at `source`.
  public init(identity: [String], source: String) throws(InputError) {
    guard let start = identity.firstIndex(of: "sweep"), start + 2 < identity.count,
      identity.last?.hasPrefix("data-sha256 ") == true
    else {
      throw InputError("\(source): the part's signature is not a sweep's")
    }
    guard Array(identity[..<start]) == Self.versionLines else {
      throw InputError("\(source): made by '\(identity.first ?? "?")' with other sampler versions; merge it with that version")
    }
    // Only the line this build writes for the request it decodes to: no unknown key, no other spelling.
    let line = identity[start + 1]
    guard let decoded = try? JSONDecoder().decode(SweepIdentity.self, from: Data(line.utf8)), decoded.text == line else {
      throw InputError("\(source): the part's signature is not a sweep's request")
    }
    do {
      self = try decoded.request()
    } catch {
      throw InputError(file: source, "the part's signature holds a request gradverify refuses: \(error.message)")
    }
  }
}

/// `--full-gradient`: the framework's gradient of the mean loss, to judge against the mean of the rows.
package struct FullGradientRequest: Sendable {
  /// The share of the run's α the framework check spends (the sweep's tests spend the rest).
  public static let alphaShare = 0.1
  public var path: String
  /// The precision of the framework's arithmetic; nil: the dtype of the file.
  public var precision: FrameworkGradientCheck.Precision?
  /// K, rounded operations per coordinate in one example's forward and backward pass.
  public var backwardDepth: Int

  public init(path: String, precision: FrameworkGradientCheck.Precision? = nil, backwardDepth: Int = FrameworkGradientCheck.defaultBackwardDepth) {
    (self.path, self.precision, self.backwardDepth) = (path, precision, backwardDepth)
  }
}

/// One `gradverify sweep` process: a request, the shard it computes, where its output goes, whether it
/// resumes; the checkpoint, resume, shard and merge rules live here, the command line only prints.
package struct SweepJob: Sendable {
  public var request: SweepRequest
  /// The shard this process computes, writing a part file; nil for the whole sweep, writing its table.
  public var shard: Shard?
  /// The table (or, for a shard, its part file); checkpoints go to `out + ".partial"`.
  public var out: String?
  public var resume: Bool
  public var checkpointInterval: Double
  public var threads: Int
  /// The framework's own gradient of the mean loss (`--full-gradient`), judged against the mean of the rows
  /// of a `--gradients` matrix: the precision of the framework's arithmetic (nil: the file's own dtype) and
  /// K, the rounded operations per coordinate in one example's pass.
  public var fullGradient: FullGradientRequest?
  /// The most seconds the planned cost may come to (`--max-seconds`); a plan above it is refused before
  /// any draw.
  public var maxSeconds: Double

  /// Four hours: generous for a laptop, a plan above it is almost always a mistake in the draws or sizes.
  public static let defaultMaxSeconds = 14_400.0

  public init(
    request: SweepRequest, shard: Shard? = nil, out: String? = nil, resume: Bool = false,
    checkpointInterval: Double = 5, threads: Int,
    fullGradient: FullGradientRequest? = nil, maxSeconds: Double = SweepJob.defaultMaxSeconds
  ) {
    (self.maxSeconds, self.fullGradient, self.request, self.shard) = (maxSeconds, fullGradient, request, shard)
    (self.out, self.resume, self.checkpointInterval, self.threads) = (out, resume, checkpointInterval, threads)
  }

  /// What a run produced: a shard's part file, or the whole sweep judged (with its notes, and its verdict
  /// rows: the sweep's, then the framework gradient's when one was given).
  public enum Outcome {
    case part(SweepLedger)
    case table(SweepEngine.Result, notes: [String], verdicts: [VerdictRow])
  }

  /// Each verdict row of the finished sweep with the family-wise level the JSON reports for it: the sweep's
  /// rows the run's α, the framework gradient's row none (its bound's confidence is stated in the row).
  public func levels(of verdicts: [VerdictRow]) -> [(row: VerdictRow, level: Double?)] {
    let sweepRows = verdicts.count - (fullGradient == nil ? 0 : 1)
    return verdicts.enumerated().map { k, row in (row, k < sweepRows ? request.settings.alpha : nil) }
  }

  /// The gradients a sweep samples: a built-in model's at its θ, or a matrix read from a file.
  struct Loaded {
    var population: GradientPopulation
    var caseName: String
    var notes: [String]
    /// The model's data and θ, for the built-in route.
    var model: (choice: ModelChoice, data: Dataset, theta: [Double]?, point: ParameterPointSpec)?
  }

  func load(progress: (@Sendable (String, Int, Int) -> Void)? = nil) throws(InputError) -> Loaded {
    switch request.source {
    case .model(let input):
      let (data, theta) = try input.load()
      let point = theta == nil ? ParameterPointSpec(name: "unit", scale: 1) : ParameterPointSpec(name: "params", scale: 1)
      let gradients = try input.model.visit(
        GradientVisitor(model: input.model, data: data, point: point, seed: request.seed, theta: theta),
        data: data, source: input.dataPath)
      return Loaded(
        population: GradientPopulation(gradients), caseName: CaseName.of(model: input.model, data: data, point: point.name),
        notes: data.standardization.map { ["\(data.name): \($0.summary)"] } ?? [],
        model: (input.model, data, theta, point))
    case .gradients(let path):
      if let sketch = request.projection {
        let projected = try sketch.project(
          path: path, seed: request.seed, threads: threads, memoryLimit: Int(MemoryBudget.bytes),
          progress: progress.map { report in { done, total in report("projecting \(path)", done, total) } })
        let estimates = ProjectedNoiseScale(projected: projected.population)
        let name = "gradients/\(Dataset.baseName(of: path))@K=\(sketch.dimension)"
        return Loaded(
          population: projected.population, caseName: name,
          notes: [
            "\(path): \(projected.population.count) per-example gradients of \(projected.parameters) parameters (\(projected.storage)), read once and projected to K = \(sketch.dimension) (\(sketch.kind.rawValue) sketch, seed \(request.seed))",
            "\(name): \(estimates.summary(sketch: sketch))",
          ],
          model: nil)
      }
      let file = try GradientFile.load(path: path, threads: threads)
      return Loaded(
        population: file.population, caseName: "gradients/\(Dataset.baseName(of: path))",
        notes: ["\(path): \(file.count) per-example gradients of \(file.dimension) parameters (\(file.storage))"],
        model: nil)
    }
  }

  /// Runs the sweep (or, given `merged`, finishes one from a complete ledger of its parts), checkpointing
  /// to `out.partial`, writing the part or the table to `out`; `note` receives the lines to tell the user,
  /// `read` the data set a built-in model was read from.
  public func run(
    merged: (ledger: SweepLedger, source: String)? = nil, note: (String) -> Void = { _ in },
    progress: (@Sendable (String, Int, Int) -> Void)? = nil, read: (Dataset, String) -> Void = { _, _ in }
  ) throws(InputError) -> Outcome {
    let loaded = try load(progress: progress)
    let n = loaded.population.count
    let full = try fullGradient.map { (given: FullGradientRequest) throws(InputError) -> (values: [Double], precision: FrameworkGradientCheck.Precision, depth: Int) in
      let vector = try NPYMatrix.load(path: given.path)
      guard vector.values.count == loaded.population.dimension, vector.rows == 1 || vector.columns == 1 else {
        throw InputError(
          file: given.path, "shape \(vector.shapeText): the full gradient needs \(loaded.population.dimension) entries, one per column of the gradients")
      }
      return (vector.values, given.precision ?? vector.precision, given.backwardDepth)
    }
    if let sizes = request.settings.batchSizes {
      for s in request.settings.samplers where s != .withReplacement {
        if let b = sizes.first(where: { $0 > n }) {
          throw InputError(flag: "--batch-sizes", command: "sweep", "\(b) exceeds N = \(n), impossible for sampler '\(s.rawValue)'")
        }
      }
    }
    let shard = self.shard ?? .whole
    let partial = out.map { $0 + ".partial" }
    // The data's sha256 matters only to a ledger (a part, a checkpoint or a merge), so it is hashed only then.
    var plan = SweepBlockPlan(
      signature: try request.identity(withDataHash: out != nil || merged != nil), shard: shard,
      checkpointInterval: checkpointInterval)
    // A finished part resumed again (a resubmitted array task): nothing to compute.
    if resume, self.shard != nil, let out, let bytes = FileManager.default.contents(atPath: out) {
      let part = try SweepLedger.parse(bytes, path: out)
      try part.requireSameSweep(signature: plan.signature, shard: shard, source: out)
      if (part.done[shard.index]?.count ?? 0) == part.jobCount(ofShard: shard.index) {
        note("note: \(out) already holds every block of shard \(shard.description); nothing to do")
        return .part(part)
      }
    }
    if let merged {
      plan.completed = merged.ledger
      plan.completedSource = merged.source
    } else if resume, let partial {
      if let bytes = FileManager.default.contents(atPath: partial) {
        let done = try SweepLedger.parse(bytes, path: partial)
        try done.requireSameSweep(signature: plan.signature, shard: shard, source: partial)
        plan.completed = done
        plan.completedSource = partial
        note("note: resuming from \(partial): \(done.completedCount) of \(done.jobCount(ofShard: shard.index)) blocks done")
      } else {
        note("note: \(partial) not found; nothing to resume, starting from the first block")
      }
    }
    if let partial, merged == nil {
      plan.checkpoint = { (ledger: SweepLedger) throws(InputError) in try AtomicFile.write(ledger.text, to: partial) }
    }
    let engine = SweepEngine(settings: request.settings)
    let cells = try request.settings.cells(count: n, source: request.source.path)
    // The cost of what is left to do, measured on the population before any draw; refused above the limit:
    // first the moments' own estimate, then, with the moments formed (their K serves the draws, their laws
    // fix the draws C3 needs), the whole plan.
    if merged == nil {
      func refuse(_ seconds: Double) -> InputError {
        InputError(
          flag: "--max-seconds", command: "sweep",
          "\(String(format: "%g", maxSeconds)) s is less than the planned run, about \(String(format: "%.0f", seconds)) s on \(threads) thread\(threads == 1 ? "" : "s"): lower --draws, give fewer --batch-sizes, split it with --shard, or raise --max-seconds")
      }
      let momentEstimate = SweepCostPlan.momentSeconds(loaded.population, threads: threads)
      if momentEstimate > maxSeconds { throw refuse(momentEstimate) }
      let start = ContinuousClock.now
      let moments = SweepEngine.moments(loaded.population, settings: request.settings, keepGram: true)
      plan.moments = moments
      let cost = SweepCostPlan.measure(
        population: loaded.population, cells: cells, draws: request.settings.draws, threads: threads,
        gram: moments.gram,
        squaredErrorDraws: engine.squaredErrorDraws(cells: cells, population: loaded.population, moments: moments),
        noiseDraws: engine.noiseScaleDraws(population: loaded.population, cells: cells, moments: moments),
        momentSeconds: (ContinuousClock.now - start).seconds)
      let remaining = cost.remainingSeconds(holding: plan.completed, shard: shard, finishing: self.shard == nil)
      if remaining > maxSeconds { throw refuse(remaining) }
      plan.cost = cost
      note(cost.summary + (remaining < 0.995 * cost.seconds ? "; left to do: about \(String(format: "%.0f", remaining)) s" : ""))
    }
    // Every input is checked: say what was read, then work.
    if let model = loaded.model, case .model(let input) = request.source { read(model.data, input.dataPath) }
    let (ledger, measured) = try engine.measure(
      population: loaded.population, name: loaded.caseName, source: request.source.path, seed: request.seed,
      threads: threads, progress: progress, plan: plan)
    if self.shard != nil, let out, let partial {
      try AtomicFile.write(ledger.text, to: out)
      try? FileManager.default.removeItem(atPath: partial)
      return .part(ledger)
    }
    // The framework check spends a share of the run's α; the sweep's verdicts the rest.
    var judging = request.settings
    if full != nil { judging.alpha *= 1 - FullGradientRequest.alphaShare }
    let judge = SweepExperiment(settings: judging)
    let result = SweepEngine.Result(measured.map { [$0] } ?? [], settings: judging)
    if let out {
      try AtomicFile.write(judge.table(result).document.text, to: out)
      if let partial { try? FileManager.default.removeItem(atPath: partial) }
    }
    var verdicts = judge.verdicts(result)
    if let full {
      verdicts.append(
        FrameworkGradientCheck(
          population: loaded.population, fullGradient: full.values, precision: full.precision, backwardDepth: full.depth,
          alpha: request.settings.alpha * FullGradientRequest.alphaShare
        ).verdictRow(caseName: loaded.caseName))
    }
    return .table(result, notes: loaded.notes, verdicts: verdicts)
  }

  /// Checks a merge's outputs before any part is read: `--out` writable, required with `--part`, and neither
  /// it nor `--json` naming a part.
  public static func checkMerge(parts: [String], out: String?, json: String?, asPart: Bool) throws(InputError) {
    if let out { try flagged("--out") { () throws(InputError) in try AtomicFile.checkWritable(out) } }
    if asPart && out == nil { throw InputError("merge: --part needs --out PART, the file the combined part goes to") }
    try refuseClashes(outputs: [("--out", out), ("--json", json)], inputs: parts)
  }

  /// Reads part files and combines them: into one part for a later merge (`asPart`), or, when they hold
  /// every block, into the sweep they came from, ready to `run(merged:)`.
  public static func combine(paths: [String], asPart: Bool) throws(InputError) -> SweepLedger {
    var parts: [(path: String, ledger: SweepLedger)] = []
    for path in paths {
      let data = try InputFile.read(path)
      parts.append((path, try SweepLedger.parse(data, path: path)))
    }
    return try SweepLedger.combine(parts, requireComplete: !asPart)
  }
}

import Foundation

/// A model, a data file and a point θ, as `check` and `sweep` name them, before anything is read.
public struct ModelInput: Sendable, Equatable {
  public var model: ModelChoice
  public var dataPath: String
  public var standardize: Bool
  /// A file of θ, one number per line; nil for θ = N(0, 1) from the seed.
  public var paramsPath: String?

  public init(model: ModelChoice, dataPath: String, standardize: Bool = false, paramsPath: String? = nil) {
    self.model = model
    self.dataPath = dataPath
    self.standardize = standardize
    self.paramsPath = paramsPath
  }

  /// Reads and checks the data and θ; every problem is an `InputError` naming the file.
  public func load() throws(InputError) -> (data: Dataset, theta: [Double]?) {
    var data = try Dataset.load(csv: dataPath, target: model.kind.target)
    try model.validate(data, source: dataPath)
    if standardize { data = data.standardized() }
    guard let paramsPath else { return (data, nil) }
    let p = model.parameterCount(features: data.featureCount, classes: data.classCount)
    let layout = model.kind == .linear || model.kind == .logistic ? "[w1..w\(data.featureCount), b]" : model.kind.lossSummary
    return (data, try ParameterFile.load(path: paramsPath, expectedCount: p, layout: layout))
  }
}

/// Everything that determines a sweep's numbers: the input, the settings and the seed. Its identity, one
/// canonical line per setting, is written into every ledger, so shards, checkpoints and merges of one
/// sweep can be matched, and a merge can run the sweep again from its parts alone.
public struct SweepRequest: Sendable, Equatable {
  public var input: ModelInput
  public var settings: SweepSettings
  public var seed: UInt64

  public init(input: ModelInput, settings: SweepSettings, seed: UInt64) {
    self.input = input
    self.settings = settings
    self.seed = seed
  }

  /// The versions every identity starts with: a ledger from other samplers cannot be merged here.
  static var versionLines: [String] {
    [
      "gradverify \(GradVerifyVersion.current)", "sampler-version \(MiniBatchSweep.samplerVersion)",
      "block-size \(MiniBatchSweep.blockSize)",
    ]
  }

  /// The settings as `--flag value` lines, spelled one way whatever the command line's spelling was.
  var settingLines: [String] {
    var lines = ["--model \(input.model.kind.rawValue)"]
    if input.model.kind == .mlp { lines.append("--hidden \(input.model.hidden)") }
    if input.model.l2 != 0 { lines.append("--l2 \(input.model.l2)") }
    lines.append("--data \(input.dataPath)")
    if input.standardize { lines.append("--standardize") }
    if let paramsPath = input.paramsPath { lines.append("--params \(paramsPath)") }
    lines.append("--sampler " + settings.samplers.map(\.rawValue).joined(separator: ","))
    if let sizes = settings.batchSizes { lines.append("--batch-sizes " + sizes.map(String.init).joined(separator: ",")) }
    lines += ["--draws \(settings.draws)", "--alpha \(settings.alpha)", "--seed \(seed)"]
    return lines
  }

  /// The identity: the versions, `sweep`, the settings, and (for a ledger) the data file's sha256.
  public func identity(withDataHash: Bool) throws(InputError) -> [String] {
    var lines = Self.versionLines + ["sweep"] + settingLines
    if withDataHash {
      guard let data = FileManager.default.contents(atPath: input.dataPath) else {
        throw InputError("\(input.dataPath): cannot read")
      }
      lines.append("data-sha256 " + sha256Hex(Array(data)))
    }
    return lines
  }

  /// The request an identity (with its data hash) describes, read from the ledger at `source`.
  public init(identity: [String], source: String) throws(InputError) {
    guard let start = identity.firstIndex(of: "sweep"), identity.last?.hasPrefix("data-sha256 ") == true else {
      throw InputError("\(source): the part's signature is not a sweep's")
    }
    guard Array(identity[..<start]) == Self.versionLines else {
      throw InputError("\(source): made by '\(identity.first ?? "?")' with other sampler versions; merge it with that version")
    }
    var values: [String: String] = [:]
    for line in identity[(start + 1)..<(identity.count - 1)] {
      let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
      values[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    func fail(_ flag: String) -> InputError { InputError("\(source): the part's signature has no valid \(flag)") }
    guard let kind = values["--model"].flatMap(ModelKind.init(rawValue:)) else { throw fail("--model") }
    let hidden = try values["--hidden"].map { (text: String) throws(InputError) -> Int in
      guard let h = Int(text), ModelChoice.hiddenProblem(h) == nil else { throw fail("--hidden") }
      return h
    } ?? 16
    let l2 = try values["--l2"].map { (text: String) throws(InputError) -> Double in
      guard let v = Double(text), ModelChoice.l2Problem(v) == nil else { throw fail("--l2") }
      return v
    } ?? 0
    guard let dataPath = values["--data"], !dataPath.isEmpty else { throw fail("--data") }
    var settings = SweepSettings()
    guard let samplers = values["--sampler"]?.split(separator: ",").map({ SamplerKind(rawValue: String($0)) }),
      !samplers.isEmpty, samplers.allSatisfy({ $0 != nil })
    else { throw fail("--sampler") }
    settings.samplers = samplers.compactMap { $0 }
    if let text = values["--batch-sizes"] {
      let sizes = text.split(separator: ",").compactMap { Int($0) }.filter { $0 >= 1 }
      guard !sizes.isEmpty, sizes.count == text.split(separator: ",").count else { throw fail("--batch-sizes") }
      settings.batchSizes = sizes
    }
    guard let draws = values["--draws"].flatMap({ Int($0) }), draws >= 2, draws <= 1_000_000_000 else { throw fail("--draws") }
    guard let alpha = values["--alpha"].flatMap({ Double($0) }), alpha > 0, alpha < 1 else { throw fail("--alpha") }
    guard let seed = values["--seed"].flatMap({ UInt64($0) }) else { throw fail("--seed") }
    settings.draws = draws
    settings.alpha = alpha
    self.init(
      input: ModelInput(
        model: ModelChoice(kind: kind, hidden: hidden, l2: l2), dataPath: dataPath,
        standardize: values["--standardize"] != nil, paramsPath: values["--params"]),
      settings: settings, seed: seed)
  }
}

/// One `gradverify sweep` process: a request, the shard it computes, where its output goes, whether it
/// resumes; the checkpoint, resume, shard and merge rules live here, the command line only prints.
public struct SweepJob: Sendable {
  public var request: SweepRequest
  /// The shard this process computes, writing a part file; nil for the whole sweep, writing its table.
  public var shard: Shard?
  /// The table (or, for a shard, its part file); checkpoints go to `out + ".partial"`.
  public var out: String?
  public var resume: Bool
  public var checkpointInterval: Double
  public var threads: Int

  public init(
    request: SweepRequest, shard: Shard? = nil, out: String? = nil, resume: Bool = false,
    checkpointInterval: Double = 5, threads: Int
  ) {
    self.request = request
    self.shard = shard
    self.out = out
    self.resume = resume
    self.checkpointInterval = checkpointInterval
    self.threads = threads
  }

  /// What a run produced: a shard's part file, or the whole sweep judged.
  public enum Outcome {
    case part(SweepLedger)
    case table(SweepExperiment, SweepExperiment.Result, data: Dataset)
  }

  /// Runs the sweep (or, given `merged`, finishes one from a complete ledger of its parts), checkpointing
  /// to `out.partial`, writing the part or the table to `out`; `note` receives the lines to tell the user.
  public func run(
    merged: (ledger: SweepLedger, source: String)? = nil, note: (String) -> Void = { _ in },
    progress: (@Sendable (String) -> Void)? = nil
  ) throws(InputError) -> Outcome {
    let (data, theta) = try request.input.load()
    if let sizes = request.settings.batchSizes {
      for s in request.settings.samplers where s != .withReplacement {
        if let b = sizes.first(where: { $0 > data.count }) {
          throw InputError("sweep: --batch-sizes \(b) exceeds N = \(data.count), impossible for sampler '\(s.rawValue)'")
        }
      }
    }
    let shard = self.shard ?? .whole
    let partial = out.map { $0 + ".partial" }
    // The data's sha256 matters only to a ledger (a part, a checkpoint or a merge), so it is hashed only then.
    var plan = SweepBlockPlan(
      signature: try request.identity(withDataHash: out != nil || merged != nil), shard: shard,
      checkpointInterval: checkpointInterval)
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
    let point = theta == nil ? ParameterPointSpec(name: "unit", scale: 1) : ParameterPointSpec(name: "params", scale: 1)
    let experiment = SweepExperiment(settings: request.settings)
    let (ledger, measured) = try experiment.measure(
      model: request.input.model, data: data, source: request.input.dataPath, point: point, seed: request.seed,
      theta: theta, threads: threads, progress: progress, plan: plan)
    if self.shard != nil, let out, let partial {
      try AtomicFile.write(ledger.text, to: out)
      try? FileManager.default.removeItem(atPath: partial)
      return .part(ledger)
    }
    let result = SweepExperiment.Result(measured.map { [$0] } ?? [], settings: request.settings)
    if let out {
      try AtomicFile.write(experiment.table(result).document.text, to: out)
      if let partial { try? FileManager.default.removeItem(atPath: partial) }
    }
    return .table(experiment, result, data: data)
  }

  /// Reads part files and combines them: into one part for a later merge (`asPart`), or, when they hold
  /// every block, into the sweep they came from, ready to `run(merged:)`.
  public static func combine(paths: [String], asPart: Bool) throws(InputError) -> SweepLedger {
    var parts: [(path: String, ledger: SweepLedger)] = []
    for path in paths {
      guard let data = FileManager.default.contents(atPath: path) else { throw InputError(file: path, "cannot read the part file") }
      parts.append((path, try SweepLedger.parse(data, path: path)))
    }
    return try SweepLedger.combine(parts, requireComplete: !asPart)
  }
}

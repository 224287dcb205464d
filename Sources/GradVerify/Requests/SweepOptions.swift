/// `gradverify sweep` as given, before anything is read: every flag's value, checked together by `job()`
/// into the job to run. The command line only fills it in.
package struct SweepOptions: Sendable {
  /// `--gradients FILE`: a per-example gradient matrix instead of a model and data.
  public var gradientsPath: String?
  /// The model flags; `modelFlagsGiven` lists those present, which `--gradients` refuses.
  public var model = ModelOptions()
  public var modelFlagsGiven: [String] = []
  public var fullGradientPath: String?
  public var precisionName: String?
  public var projection: Int?
  public var sketchName: String?
  public var backwardDepth: Int?
  /// nil: with and without replacement.
  public var samplers: [SamplerKind]?
  public var batchSizes: [Int]?
  /// "auto" (nil) or a number of draws.
  public var draws: String?
  public var alpha: Double?
  public var seed: UInt64 = 1
  public var out: String?
  public var shard: Shard?
  public var resume = false
  public var checkpointSeconds: Double = 5
  public var maxSeconds = SweepJob.defaultMaxSeconds
  public var threads = 1
  public var report: String?

  public init() {}

  /// The sweep's settings: the samplers (default with and without replacement), sizes, draws and α.
  public func settings() throws(InputError) -> SweepSettings {
    var settings = SweepSettings()
    settings.samplers = samplers ?? [.withReplacement, .withoutReplacement]
    settings.batchSizes = batchSizes
    // `--draws auto` (the default): C2 takes the default draws, C3 those its power needs; a number R: both R.
    switch draws {
    case nil, "auto": settings.squaredErrorDrawsByPower = true
    case let text?:
      guard let r = Int(text), SweepSettings.drawsRange.contains(r) else {
        throw InputError(flag: "--draws", command: "sweep", "must be 'auto' or an integer from 2 to 1000000000, got '\(text)'")
      }
      settings.draws = r
    }
    if let alpha {
      guard SweepSettings.isLevel(alpha) else { throw InputError("sweep: --alpha must lie in (0, 1), got \(alpha)") }
      settings.alpha = alpha
    }
    return settings
  }

  /// Every flag checked against the others, then the job: a refusal names its flag, before any file is read.
  public func job() throws(InputError) -> SweepJob {
    let source: SweepRequest.Source
    if let gradientsPath {
      if let flag = modelFlagsGiven.first {
        throw InputError(flag: flag, command: "sweep", "does not go with --gradients (the matrix is the per-example gradients already)")
      }
      source = .gradients(path: gradientsPath)
    } else {
      source = .model(try model.validated(command: "sweep"))
    }
    let precision = try precisionName.map { (name: String) throws(InputError) in
      try parsePrecision(name, command: "sweep", allowed: [.float32, .float64])
    }
    if fullGradientPath != nil, case .model = source {
      throw InputError(flag: "--full-gradient", command: "sweep", "needs --gradients (the framework's rows whose mean it is)")
    }
    if precision != nil && fullGradientPath == nil {
      throw InputError(flag: "--precision", command: "sweep", "applies to --full-gradient only")
    }
    let sketch = try projection.map { (k: Int) throws(InputError) -> SketchProjection in
      let kind = try sketchName.map { (name: String) throws(InputError) -> SketchProjection.Kind in
        guard let kind = SketchProjection.Kind(rawValue: name) else {
          throw InputError(flag: "--sketch", command: "sweep", "'\(name)' is not gaussian or rademacher")
        }
        return kind
      } ?? .gaussian
      return try SketchProjection.validated(dimension: k, kind: kind)
    }
    if sketch == nil, sketchName != nil {
      throw InputError(flag: "--sketch", command: "sweep", "applies to --project K only")
    }
    if sketch != nil, case .model = source {
      throw InputError(flag: "--project", command: "sweep", "needs --gradients (a matrix file to sketch as it is read)")
    }
    if sketch != nil && fullGradientPath != nil {
      throw InputError(flag: "--project", command: "sweep", "does not go with --full-gradient (the check needs the rows themselves)")
    }
    if backwardDepth != nil && fullGradientPath == nil {
      throw InputError(flag: "--backward-depth", command: "sweep", "applies to --full-gradient only")
    }
    let settings = try settings()
    guard checkpointSeconds > 0 && checkpointSeconds <= 86_400 else {
      throw InputError("sweep: --checkpoint-every must be a number of seconds in (0, 86400], got \(checkpointSeconds)")
    }
    guard maxSeconds > 0 && maxSeconds <= 1e9 else {
      throw InputError("sweep: --max-seconds must be a number of seconds in (0, 1e9], got \(maxSeconds)")
    }
    if fullGradientPath != nil && shard != nil {
      throw InputError(flag: "--full-gradient", command: "sweep", "goes with the whole sweep, not with --shard (a merge does not run the framework check)")
    }
    if report != nil && shard != nil { throw InputError(flag: "--report", command: "sweep", "goes with the whole sweep or its merge, not with --shard") }
    if let out {
      try flagged("--out") { () throws(InputError) in
        try AtomicFile.checkWritable(out)
        try AtomicFile.checkWritable(out + ".partial")
      }
    }
    if shard != nil && out == nil { throw InputError("sweep: --shard needs --out PART, the file its blocks go to") }
    if resume && out == nil { throw InputError("sweep: --resume needs --out FILE (it continues from FILE.partial)") }
    return SweepJob(
      request: SweepRequest(source: source, settings: settings, seed: seed, projection: sketch), shard: shard, out: out,
      resume: resume, checkpointInterval: checkpointSeconds, threads: threads,
      fullGradient: fullGradientPath.map {
        FullGradientRequest(path: $0, precision: precision, backwardDepth: backwardDepth ?? FrameworkGradientCheck.defaultBackwardDepth)
      }, maxSeconds: maxSeconds)
  }

  /// The files the sweep reads, and the outputs it writes with their flags, for the clash check.
  public func files(json: String?) -> (outputs: [(flag: String, path: String?)], inputs: [String?]) {
    let inputs: [String?] = [gradientsPath ?? model.dataPath, fullGradientPath] + (gradientsPath == nil ? [model.paramsPath] : [])
    return ([("--out", out), ("--out", out.map { $0 + ".partial" }), ("--json", json)], inputs)
  }
}

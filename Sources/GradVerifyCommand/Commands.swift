import Foundation
import GradVerify

/// The exit codes of the command line (argument-parser's convention).
enum ExitStatus: Int32 {
  case success = 0
  case claimFailed = 1
  case usage = 64
}

/// Progress lines on stderr, only when stderr is a terminal.
func progressReporter() -> @Sendable (String) -> Void {
  guard isatty(2) != 0 else { return { _ in } }
  return { message in FileHandle.standardError.write(Data("gradverify: running \(message)\n".utf8)) }
}

func status(of rows: [VerdictRow]) -> ExitStatus {
  rows.allSatisfy(\.verdict.holds) ? .success : .claimFailed
}

func printOutcomes(_ outcomes: [ExperimentOutcome]) {
  for note in outcomes.flatMap(\.notes) { print("note: \(note)") }
  print(renderVerdictTable(outcomes.flatMap(\.verdicts)), terminator: "")
}

/// Every file a run produces beside REPORT.md and datapackage.json: its tables, then the figures drawn from them.
func artifacts(of outcomes: [ExperimentOutcome]) -> [(name: String, text: String)] {
  let tables = outcomes.flatMap(\.tables)
  return tables.map { ($0.name, $0.document.text) } + ResultFigures.render(tables: tables).map { ($0.name, $0.svg) }
}

func write(_ outcomes: [ExperimentOutcome], to folder: String) throws(InputError) {
  for artifact in artifacts(of: outcomes) {
    try AtomicFile.write(artifact.text, to: folder + "/" + artifact.name)
  }
}

/// `gradverify verify`
func verifyCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let folder = try args.value("--experiments") ?? "Experiments"
  let explicitResults = try args.value("--results")
  let skipComparison = try args.flag("--no-compare")
  let threads = try args.threads()
  _ = try args.positionals(expected: 0...0, usage: "no arguments")
  if explicitResults != nil && skipComparison { throw InputError("verify: --results and --no-compare exclude each other") }
  // The committed tables are compared when they are there (or named): a table that differs fails verify.
  var resultsFolder = explicitResults
  if resultsFolder == nil && !skipComparison && folder == "Experiments" {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: "results", isDirectory: &isDirectory), isDirectory.boolValue {
      resultsFolder = "results"
    }
  }
  let runs = try ExperimentRunner.runAllWithSpecs(folder: folder, threads: threads, progress: progressReporter())
  let outcomes = runs.map(\.outcome)
  printOutcomes(outcomes)
  let shares = runs.map(\.spec).filter(\.isStatistical).map(\.sweep.alpha)
  let total = shares.reduce(0, +)
  print("family-wise: \(shares.count) statistical specs spend α = \(shares.map { "\($0)" }.joined(separator: " + ")) = \(rounded6(total)) (Bonferroni): P(any false FAIL in this run) ≤ \(rounded6(total))")
  var status = status(of: outcomes.flatMap(\.verdicts))
  if let resultsFolder {
    var differing: [String] = []
    var compared = 0
    for artifact in artifacts(of: outcomes) {
      let path = resultsFolder + "/" + artifact.name
      compared += 1
      let committed = FileManager.default.contents(atPath: path)
      if committed != Data(artifact.text.utf8) {
        differing.append(committed == nil ? "\(path) (missing)" : path)
      }
    }
    if differing.isEmpty {
      print("tables: all \(compared) tables and figures in \(resultsFolder)/ reproduced byte for byte")
    } else {
      for path in differing { print("tables: \(path) differs from this run (run 'make results' if the change is intended)") }
      status = .claimFailed
    }
  }
  return status
}

/// `gradverify results`
func resultsCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let folder = try args.value("--experiments") ?? "Experiments"
  let out = try args.value("--out") ?? "results"
  let threads = try args.threads()
  _ = try args.positionals(expected: 0...0, usage: "no arguments")
  try AtomicFile.prepareFolder(out, flag: "--out")
  let provenance = try Provenance.collect(experimentsFolder: folder, command: "gradverify results")
  let runs = try ExperimentRunner.runAllWithSpecs(folder: folder, threads: threads, progress: progressReporter())
  let outcomes = runs.map(\.outcome)
  try write(outcomes, to: out)
  let package = try DataPackage.render(tables: outcomes.flatMap(\.tables), provenance: provenance)
  try AtomicFile.write(package, to: out + "/datapackage.json")
  let figures = Set(artifacts(of: outcomes).map(\.name).filter { $0.hasSuffix(".svg") })
  try AtomicFile.write(ReportWriter.render(runs: runs, figures: figures), to: out + "/REPORT.md")
  printOutcomes(outcomes)
  return status(of: outcomes.flatMap(\.verdicts))
}

/// `gradverify run SPEC.json`
func runCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let out = try args.value("--out")
  let threads = try args.threads()
  let file = try args.positionals(expected: 1...1, usage: "one spec file (gradverify run Experiments/X.json)")[0]
  let spec = try ExperimentSpec.load(path: file)
  if let out { try AtomicFile.prepareFolder(out, flag: "--out") }
  let outcome = try ExperimentRunner.run(spec, file: file, threads: threads, progress: progressReporter())
  if let out { try write([outcome], to: out) }
  printOutcomes([outcome])
  return status(of: outcome.verdicts)
}

/// `gradverify check`
func checkCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let input = try ModelOnData(&args)
  var choice = input.choice
  let data = input.data
  let seed = try args.seed("--seed") ?? 1
  let out = try args.value("--out")
  let dumpPath = try args.value("--dump-gradients")
  let faultSize = try args.number("--inject-fault")
  let faultCoordinate = try args.integer("--fault-coordinate", in: 0...Int(Int32.max))
  if faultCoordinate != nil && faultSize == nil { throw InputError("check: --fault-coordinate needs --inject-fault") }
  let threads = try args.threads()
  _ = try args.positionals(expected: 0...0, usage: "options only")

  if let faultSize {
    let p = choice.parameterCount(features: data.featureCount, classes: data.classCount)
    choice.fault = GradientFault(coordinate: faultCoordinate ?? p - 1, relative: faultSize)
  }
  let theta = input.theta
  let points = theta == nil ? ParameterPointSpec.defaults : [ParameterPointSpec(name: "params", scale: 1)]
  // Every output place is checked before any work, so a bad one costs nothing and writes nothing.
  if let out { try AtomicFile.prepareFolder(out, flag: "--out") }
  if let dumpPath { try AtomicFile.checkWritable(dumpPath, flag: "--dump-gradients") }

  var experiment = LinearityExperiment()
  try experiment.run(
    model: choice, data: data, source: input.source, points: points, seed: seed, thetaOverride: theta,
    keepGradients: dumpPath != nil, threads: threads, progress: progressReporter())
  if let s = data.standardization { print("note: \(data.name): \(s.summary)") }
  print(renderVerdictTable(experiment.verdictRows), terminator: "")
  if let out {
    try AtomicFile.write(experiment.table.text, to: out + "/check-linearity.csv")
    try AtomicFile.write(experiment.halvingTable.text, to: out + "/check-linearity-halving.csv")
  }
  if let dumpPath, let gradients = experiment.records.first?.gradients {
    try AtomicFile.write(gradients.csv.text, to: dumpPath)
  }
  return status(of: experiment.verdictRows)
}

/// `gradverify bench`: the parts named by --only (default all), each a line of key=value fields.
func benchCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let n = try args.integer("--n", in: 2...10_000_000) ?? 4096
  let d = try args.integer("--d", in: 1...100_000) ?? 64
  let draws = try args.integer("--draws", in: 2...100_000_000) ?? 2000
  let threads = try args.threads()
  let sizes = try args.list(
    "--sizes", item: { Int($0).flatMap { (1...n).contains($0) ? $0 : nil } },
    refused: { "--sizes needs batch sizes from 1 to N = \(n), got '\($0)'" }) ?? SweepBenchmark.powersOfTwo(upTo: n)
  let parts = ["rows", "csv", "kernel", "check", "data"]
  let only = Set(
    try args.list(
      "--only", item: { parts.contains(String($0)) ? String($0) : nil },
      refused: { "--only '\($0)' is not a part (expected \(parts.joined(separator: ", ")))" }) ?? parts)
  let work = try args.value("--work") ?? ".build/bench"
  _ = try args.positionals(expected: 0...0, usage: "options only")
  try AtomicFile.prepareFolder(work, flag: "--work")
  let ingestFile = work + "/ingest-50000x100.csv"
  let sweepFile = work + "/sweep-4096x64.csv"
  func note(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

  if only.contains("rows") {
    for sampler in [SamplerKind.withoutReplacement, .withReplacement] {
      let one = SweepBenchmark.run(count: n, dimension: d, draws: draws, sizes: sizes, sampler: sampler, threads: 1, seed: 1)
      print(one.line)
      if threads > 1 {
        let many = SweepBenchmark.run(
          count: n, dimension: d, draws: draws, sizes: sizes, sampler: sampler, threads: threads, seed: 1)
        print(many.line)
        print("sampler=\(sampler.rawValue) speedup_\(threads)_threads=\(((many.rowsPerSecond / one.rowsPerSecond) * 100).rounded() / 100)")
      }
    }
  }
  if only.contains("csv") || only.contains("check") || only.contains("data") {
    note("bench: writing \(ingestFile) and \(sweepFile) unless they exist")
    try ScaleBenchmark.writeData(path: ingestFile, rows: 50_000, features: 99, seed: 1)
    // The peer's workload as data: 4096 rows, 63 features and y, so the linear model's P is 64.
    try ScaleBenchmark.writeData(path: sweepFile, rows: 4096, features: 63, seed: 2)
    print("data ingest=\(ingestFile) sweep=\(sweepFile)")
  }
  if only.contains("csv") { print(try ScaleBenchmark.ingest(path: ingestFile, threads: threads)) }
  if only.contains("kernel") {
    note("bench: the kernel at N = 10^6, P = 100 (800 MB of gradients; about a minute)")
    let bandwidth = ScaleBenchmark.readBandwidth()
    let population = ScaleBenchmark.kernelPopulation(count: 1_000_000, dimension: 100)
    for sampler in [SamplerKind.withoutReplacement, .withReplacement] {
      for t in Set([1, threads]).sorted() {
        print(ScaleBenchmark.kernel(
          population: population, sampler: sampler, sizes: [1000, 10_000, 100_000], draws: 1024, threads: t,
          bandwidth: bandwidth))
      }
    }
  }
  if only.contains("check") { print(try ScaleBenchmark.check(path: ingestFile, threads: threads)) }
  return .success
}

/// The model, data and θ options shared by `check` and `sweep`, read and validated before any work.
struct ModelOnData {
  var choice: ModelChoice
  var data: Dataset
  var theta: [Double]?
  /// The data file, for error messages.
  var source: String

  init(_ args: inout ArgumentList) throws(InputError) {
    let command = args.command
    guard let modelName = try args.value("--model") else {
      throw InputError("\(command): --model is required (linear, logistic, softmax or mlp)")
    }
    guard let kind = ModelKind(rawValue: modelName) else {
      throw InputError("\(command): --model '\(modelName)' is not a model (expected linear, logistic, softmax or mlp)")
    }
    guard let dataPath = try args.value("--data") else { throw InputError("\(command): --data FILE.csv is required") }
    let hidden = try args.integer("--hidden", in: ModelChoice.hiddenRange)
    if hidden != nil && kind != .mlp { throw InputError("\(command): --hidden applies to --model mlp only") }
    let l2 = try args.number("--l2") ?? 0
    if let problem = ModelChoice.l2Problem(l2) { throw InputError("\(command): --l2 \(problem), got \(l2)") }
    let standardize = try args.flag("--standardize")
    let paramsPath = try args.value("--params")
    choice = ModelChoice(kind: kind, hidden: hidden ?? 16, l2: l2)
    source = dataPath
    data = try Dataset.load(csv: dataPath, target: kind.target)
    try choice.validate(data, source: dataPath)
    if standardize { data = data.standardized() }
    if let paramsPath {
      let p = choice.parameterCount(features: data.featureCount, classes: data.classCount)
      let layout = kind == .linear || kind == .logistic ? "[w1..w\(data.featureCount), b]" : kind.lossSummary
      theta = try ParameterFile.load(path: paramsPath, expectedCount: p, layout: layout)
    }
  }
}

/// `gradverify sweep`; `merged` holds every block of a sharded run when `merge` finishes it.
func sweepCommand(_ args: inout ArgumentList, merged: (ledger: SweepLedger, source: String)? = nil) throws(InputError) -> ExitStatus {
  let signature = try SweepSignature.make(arguments: args.remaining)
  let input = try ModelOnData(&args)
  var settings = SweepSettings()
  if let samplers = try args.list(
    "--sampler", item: { SamplerKind(rawValue: String($0)) },
    refused: { "--sampler '\($0)' is not a sampler (expected with, without, poisson or poisson-realized)" })
  {
    settings.samplers = samplers
  } else {
    throw InputError("sweep: --sampler is required (with, without, poisson or poisson-realized; a comma list runs several)")
  }
  if let sizes = try args.list(
    "--batch-sizes", item: { Int($0).flatMap { $0 >= 1 ? $0 : nil } },
    refused: { "--batch-sizes needs positive integers separated by commas, got '\($0)'" })
  {
    let n = input.data.count
    for s in settings.samplers where s != .withReplacement {
      if let b = sizes.first(where: { $0 > n }) {
        throw InputError("sweep: --batch-sizes \(b) exceeds N = \(n), impossible for sampler '\(s.rawValue)'")
      }
    }
    settings.batchSizes = sizes
  }
  settings.draws = try args.integer("--draws", in: 2...1_000_000_000) ?? settings.draws
  if let alpha = try args.number("--alpha") {
    guard alpha > 0 && alpha < 1 else { throw InputError("sweep: --alpha must lie in (0, 1), got \(alpha)") }
    settings.alpha = alpha
  }
  let seed = try args.seed("--seed") ?? 1
  let out = try args.value("--out")
  let shardText = try args.value("--shard")
  let shard = try shardText.map { (text: String) throws(InputError) in try Shard.parse(text, flag: "sweep: --shard") } ?? .whole
  let resume = try args.flag("--resume")
  let checkpointSeconds = try args.number("--checkpoint-every") ?? 5
  guard checkpointSeconds > 0 && checkpointSeconds <= 86_400 else {
    throw InputError("sweep: --checkpoint-every must be a number of seconds in (0, 86400], got \(checkpointSeconds)")
  }
  let threads = try args.threads()
  _ = try args.positionals(expected: 0...0, usage: "options only")
  if let out { try AtomicFile.checkWritable(out, flag: "--out") }
  if shardText != nil && out == nil { throw InputError("sweep: --shard needs --out PART, the file its blocks go to") }
  if resume && out == nil { throw InputError("sweep: --resume needs --out FILE (it continues from FILE.partial)") }

  // While blocks are computed they are saved now and then to OUT.partial (atomically), which --resume reads.
  let partial = out.map { $0 + ".partial" }
  var plan = SweepBlockPlan(
    // The data's sha256 matters only to a ledger (a part, a checkpoint or a merge), so it is hashed only then.
    signature: signature.lines + (out != nil || merged != nil ? [try SweepSignature.dataLine(input.source)] : []),
    shard: shard, checkpointInterval: checkpointSeconds)
  if let merged {
    plan.completed = merged.ledger
    plan.completedSource = merged.source
  } else if resume, let partial {
    if let data = FileManager.default.contents(atPath: partial) {
      let done = try SweepLedger.parse(data, path: partial)
      try done.requireSameSweep(signature: plan.signature, shard: shard, source: partial)
      plan.completed = done
      plan.completedSource = partial
      print("note: resuming from \(partial): \(done.completedCount) of \(done.jobCount(ofShard: shard.index)) blocks done")
    } else {
      print("note: \(partial) not found; nothing to resume, starting from the first block")
    }
  }
  if let partial, merged == nil {
    plan.checkpoint = { (ledger: SweepLedger) throws(InputError) in try AtomicFile.write(ledger.text, to: partial) }
  }

  let point = input.theta == nil ? ParameterPointSpec(name: "unit", scale: 1) : ParameterPointSpec(name: "params", scale: 1)
  var experiment = SweepExperiment(settings: settings)
  let progress = progressReporter()
  let ledger = try experiment.run(
    model: input.choice, data: input.data, source: input.source, point: point, seed: seed, theta: input.theta,
    threads: threads, progress: isatty(2) != 0 ? progress : nil, plan: plan)
  if shardText != nil, let out, let partial {
    try AtomicFile.write(ledger.text, to: out)
    try? FileManager.default.removeItem(atPath: partial)
    print("shard \(shard.description): \(ledger.completedCount) of \(ledger.jobCount) blocks written to \(out) (combine with 'gradverify merge')")
    return .success
  }
  experiment.evaluate()
  if let s = input.data.standardization { print("note: \(input.data.name): \(s.summary)") }
  print(renderVerdictTable(experiment.verdictRows), terminator: "")
  if let out {
    try AtomicFile.write(experiment.table.text, to: out)
    if let partial { try? FileManager.default.removeItem(atPath: partial) }
  }
  return status(of: experiment.verdictRows)
}

/// `gradverify merge PART… --out FILE` (every block: the sweep's table and verdicts), or
/// `gradverify merge PART… --part --out PART` (any disjoint parts: one part holding them all, to merge later).
func mergeCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let out = try args.value("--out")
  let threads = try args.value("--threads")
  let asPart = try args.flag("--part")
  let paths = try args.positionals(expected: 1...100_000, usage: "the part files of every shard")
  if let out { try AtomicFile.checkWritable(out, flag: "--out") }
  if asPart && out == nil { throw InputError("merge: --part needs --out PART, the file the combined part goes to") }
  var parts: [(path: String, ledger: SweepLedger)] = []
  for path in paths {
    guard let data = FileManager.default.contents(atPath: path) else { throw InputError("\(path): cannot read the part file") }
    parts.append((path, try SweepLedger.parse(data, path: path)))
  }
  let combined = try SweepLedger.combine(parts, requireComplete: !asPart)
  if asPart, let out {
    try AtomicFile.write(combined.text, to: out)
    let shards = combined.shards.map(String.init).joined(separator: ",")
    print("merged \(parts.count) parts: \(combined.completedCount) of \(combined.jobCount) blocks (shards \(shards) of \(combined.shardCount)) written to \(out)")
    return .success
  }
  var arguments = try SweepSignature.arguments(of: combined.signature, source: paths[0])
  if let out { arguments += ["--out", out] }
  if let threads { arguments += ["--threads", threads] }
  var sweepArguments = ArgumentList(command: "sweep", arguments)
  return try sweepCommand(&sweepArguments, merged: (combined, paths[0]))
}

/// The signature of a sweep: the tool and sampler versions, the block size, the sweep's own options (all
/// but where it writes, which shard it is, whether it resumes and how many threads it uses) and the data's
/// sha256. Shards of one sweep have equal signatures; `merge` reruns the sweep from it.
enum SweepSignature {
  static let excluded: Set<String> = ["--out", "--shard", "--threads", "--checkpoint-every"]
  static let excludedFlags: Set<String> = ["--resume"]

  static func make(arguments: [String]) throws(InputError) -> (lines: [String], arguments: [String]) {
    var kept: [String] = []
    var i = 0
    while i < arguments.count {
      let a = arguments[i]
      let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
      if excludedFlags.contains(a) {
        i += 1
      } else if excluded.contains(name) {
        i += a.contains("=") ? 1 : 2
      } else {
        kept.append(a)
        i += 1
      }
    }
    let header = [
      "gradverify \(GradVerifyVersion.current)", "sampler-version \(MiniBatchSweep.samplerVersion)",
      "block-size \(MiniBatchSweep.blockSize)",
    ]
    return (header + ["sweep"] + kept, kept)
  }

  /// The data file's sha256, so a part made from other data cannot be merged with this run.
  static func dataLine(_ path: String) throws(InputError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw InputError("\(path): cannot read") }
    return "data-sha256 " + sha256Hex(Array(data))
  }

  /// The sweep options recorded in a signature, checked against this tool's versions.
  static func arguments(of signature: [String], source: String) throws(InputError) -> [String] {
    guard let start = signature.firstIndex(of: "sweep"), signature.last?.hasPrefix("data-sha256 ") == true else {
      throw InputError("\(source): the part's signature is not a sweep's")
    }
    let current = try make(arguments: []).lines
    guard Array(signature[..<start]) == Array(current.dropLast()) else {
      throw InputError("\(source): made by '\(signature.first ?? "?")' with other sampler versions; merge it with that version")
    }
    return Array(signature[(start + 1)..<(signature.count - 1)])
  }
}

/// x to six decimals, for levels that are sums of a few decimal shares.
func rounded6(_ x: Double) -> String { String((x * 1e6).rounded() / 1e6) }

import Foundation
import GradVerify

/// The exit codes of the command line (argument-parser's convention).
enum ExitStatus: Int32 {
  case success = 0
  case claimFailed = 1
  case usage = 64
}

/// Progress of a run's cases on stderr (`Progress`).
func progressReporter() -> @Sendable (String) -> Void {
  { message in Progress.shared.announce(message) }
}

func status(of rows: [VerdictRow]) -> ExitStatus {
  rows.allSatisfy(\.verdict.holds) ? .success : .claimFailed
}

/// Set by `--json -`: standard output then carries the JSON alone, and the results shown to people go to
/// standard error.
nonisolated(unsafe) var resultsToStandardError = false

/// The width of the text for people on standard output (or standard error under `--json -`): COLUMNS, the
/// terminal's, or nil for a pipe or a file.
var resultWidth: Int? { TextWidth.current(descriptor: resultsToStandardError ? STDERR_FILENO : STDOUT_FILENO) }

/// `text` with every line longer than `width` wrapped, its continuation lines indented by four.
func fitted(_ text: String, width: Int?) -> String {
  guard let width else { return text }
  return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
    TextWidth.columns(line) <= width ? String(line) : TextWidth.wrap(String(line), width: width, indent: 4).joined(separator: "\n")
  }.joined(separator: "\n")
}

/// Results for people (verdict tables, summaries): standard output, or standard error under `--json -`;
/// lines wider than the terminal (or COLUMNS) wrapped.
func printResult(_ text: String, terminator: String = "\n") {
  let data = Data((fitted(text, width: resultWidth) + terminator).utf8)
  (resultsToStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(data)
}

/// A verdict table, stacked when its rows are wider than the terminal (or COLUMNS).
func printVerdicts(_ rows: [VerdictRow]) {
  printResult(renderVerdictTable(rows, width: resultWidth), terminator: "")
}

/// A note for the user, on stderr (stdout carries the results only), wrapped to the terminal's width; not
/// repeated when what it says after its subject ("iris: …") was said already (the read summary says how the
/// data were standardised).
func printNote(_ text: String) {
  Progress.shared.finish()
  guard !Progress.shared.isQuiet else { return }
  let (subject, body) = text.firstRange(of: ": ").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? ("", text)
  guard !saidOnStandardError.contains(where: { $0.contains(subject) && $0.contains(body) }) else { return }
  printToStandardError((text.hasPrefix("note: ") ? "" : "note: ") + text)
}

/// What this run has written to stderr through `printToStandardError`.
nonisolated(unsafe) var saidOnStandardError: [String] = []

/// `text` on stderr, lines wider than its terminal (or COLUMNS) wrapped.
func printToStandardError(_ text: String) {
  saidOnStandardError.append(text)
  FileHandle.standardError.write(Data((fitted(text, width: TextWidth.current(descriptor: STDERR_FILENO)) + "\n").utf8))
}

/// The notes of every outcome (`printNote` says each once), then the verdict table.
func printOutcomes(_ outcomes: [ExperimentOutcome]) {
  Progress.shared.finish()
  for note in outcomes.flatMap(\.notes) { printNote(note) }
  printVerdicts(outcomes.flatMap(\.verdicts))
}

/// `gradverify verify`
func verifyCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let folder = try args.value("--experiments") ?? "Experiments"
  let explicitResults = try args.value("--results")
  let skipComparison = try args.flag("--no-compare")
  let threads = try args.threads()
  let json = try jsonTarget(&args)
  _ = try args.positionals(expected: 0...0, usage: "no arguments")
  // The committed tables are compared when they are there (or named): a table that differs fails verify.
  let resultsFolder = try ResultArtifacts.comparisonFolder(experiments: folder, named: explicitResults, skip: skipComparison)
  let runs = try ExperimentRunner.runAll(folder: folder, threads: threads, progress: progressReporter())
  let outcomes = runs.map(\.outcome)
  printOutcomes(outcomes)
  let shares = runs.compactMap(\.spec.alpha)
  let total = shares.reduce(0, +)
  printResult("family-wise: \(shares.count) statistical specs spend α = \(shares.map { "\($0)" }.joined(separator: " + ")) = \(rounded6(total)) (Bonferroni): P(any false FAIL in this run) ≤ \(rounded6(total))")
  var status = status(of: outcomes.flatMap(\.verdicts))
  if let resultsFolder {
    let artifacts = ResultArtifacts(outcomes)
    let differing = artifacts.differences(from: resultsFolder)
    if differing.isEmpty {
      printResult("tables: all \(artifacts.files.count) tables and figures in \(resultsFolder)/ reproduced byte for byte")
    } else {
      for d in differing {
        printResult("tables: \(d.path)\(d.missing ? " (missing)" : "") differs from this run (run 'make results' if the change is intended)")
      }
      status = .claimFailed
    }
  }
  try writeJSON(
    json, command: "verify", rows: runs.flatMap { run in run.outcome.verdicts.map { ($0, run.spec.alpha) } },
    notes: runs.flatMap(\.outcome.notes), inputs: runs.map(\.file))
  return status
}

/// `gradverify results`
func resultsCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let folder = try args.value("--experiments") ?? "Experiments"
  let out = try args.value("--out") ?? "results"
  let threads = try args.threads()
  _ = try args.positionals(expected: 0...0, usage: "no arguments")
  try flagged("--out") { () throws(InputError) in try OutputFolder.check(out) }
  let source = SourceState.current()
  let provenance = try Provenance.collect(
    experimentsFolder: folder, command: "gradverify results", sourceCommit: source.commit, sourceDirty: source.dirty)
  let runs = try ExperimentRunner.runAll(folder: folder, threads: threads, progress: progressReporter())
  let outcomes = runs.map(\.outcome)
  let artifacts = ResultArtifacts(outcomes)
  let package = try DataPackage.render(
    tables: outcomes.flatMap(\.tables), figures: artifacts.figures, provenance: provenance)
  let report = ReportWriter.render(runs: runs, figures: artifacts.figures)
  let page = HTMLReport.render(markdown: report, figures: Dictionary(artifacts.figures.map { ($0.name, $0.svg) }) { a, _ in a })
  let extra = [("datapackage.json", package), ("REPORT.md", report), ("REPORT.html", page)]
    + ReportWriter.latexTables(runs: runs, figures: artifacts.figures)
  let earlier = DataPackage.describedFiles(in: out)
  try artifacts.write(to: out, with: extra)
  let removed = try ResultArtifacts.removeLeftovers(
    described: earlier, written: artifacts.files.map(\.name) + extra.map(\.0), from: out)
  if !removed.isEmpty {
    printNote("\(out)/: removed \(removed.joined(separator: ", ")), written by an earlier run and no longer by this one")
  }
  printOutcomes(outcomes)
  return status(of: outcomes.flatMap(\.verdicts))
}

/// `gradverify figures`
func figuresCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let folder = try args.value("--experiments") ?? "Experiments"
  let results = try args.value("--results") ?? "results"
  _ = try args.positionals(expected: 0...0, usage: "no arguments")
  let figures = try ResultArtifacts.redrawnFigures(experiments: folder, results: results)
  for figure in figures { try AtomicFile.write(figure.svg, to: results + "/" + figure.name) }
  printResult("figures: \(figures.count) redrawn from the tables in \(results)/: \(figures.map(\.name).joined(separator: ", "))")
  let undescribed = DataPackage.undescribed(figures, in: results)
  if !undescribed.isEmpty {
    printNote(
      "\(results)/datapackage.json still describes the earlier \(undescribed.joined(separator: ", ")) (another sha256): "
        + "write the folder again with the command that made it ('make results' for results/) to describe the figures drawn now")
  }
  return .success
}

/// `gradverify run SPEC.json`
func runCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let out = try args.value("--out")
  let threads = try args.threads()
  let json = try jsonTarget(&args)
  let file = try args.positionals(expected: 1...1, usage: "one spec file (gradverify run Experiments/X.json)")[0]
  let spec = try ExperimentSpec.load(path: file)
  try refuseClashes(outputs: [("--json", json)], inputs: [file])
  if let out { try flagged("--out") { () throws(InputError) in try OutputFolder.check(out) } }
  let outcome = try ExperimentRunner.run(spec, file: file, threads: threads, progress: progressReporter())
  if let out { try ResultArtifacts([outcome]).write(to: out) }
  printOutcomes([outcome])
  try writeJSON(json, command: "run", rows: outcome.verdicts.map { ($0, spec.alpha) }, notes: outcome.notes, inputs: [file])
  return status(of: outcome.verdicts)
}

/// `gradverify check`
func checkCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  var request = CheckRequest()
  request.model = try modelOptions(&args)
  request.seed = try args.seed("--seed") ?? 1
  request.out = try args.value("--out")
  request.dumpPath = try args.value("--dump-gradients")
  request.faultSize = try args.number("--inject-fault")
  request.faultCoordinate = try args.integer("--fault-coordinate", in: 0...Int(Int32.max))
  request.threads = try args.threads()
  let json = try jsonTarget(&args)
  let report = try reportFolder(&args)
  _ = try args.positionals(expected: 0...0, usage: "options only")
  let prepared = try request.prepare(json: json)
  printSummary(prepared.data, path: prepared.input.dataPath)
  let (experiment, result, verdicts) = try request.run(
    prepared, progress: progressReporter(),
    coordinates: { task, done, total in Progress.shared.blocks("C1 \(task)", done: done, total: total) })
  printVerdicts(verdicts)
  let notes = [prepared.data.summary(path: prepared.input.dataPath)]
  try writeJSON(
    json, command: "check", rows: verdicts.map { ($0, nil) }, notes: notes,
    inputs: [prepared.input.dataPath] + (prepared.input.paramsPath.map { [$0] } ?? []))
  if let report {
    try OutputFolder.write(RunReport.check(experiment, result, verdicts: verdicts, notes: notes, command: commandLine()), to: report)
  }
  return status(of: verdicts)
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
  try flagged("--work") { () throws(InputError) in try AtomicFile.prepareFolder(work) }
  let ingestFile = work + "/ingest-50000x100.csv"
  let sweepFile = work + "/sweep-4096x64.csv"
  func note(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

  if only.contains("rows") {
    for sampler in [SamplerKind.withoutReplacement, .withReplacement] {
      let one = SweepBenchmark.run(count: n, dimension: d, draws: draws, sizes: sizes, sampler: sampler, threads: 1, seed: 1)
      printResult(one.line)
      if threads > 1 {
        let many = SweepBenchmark.run(
          count: n, dimension: d, draws: draws, sizes: sizes, sampler: sampler, threads: threads, seed: 1)
        printResult(many.line)
        printResult("sampler=\(sampler.rawValue) speedup_\(threads)_threads=\(((many.rowsPerSecond / one.rowsPerSecond) * 100).rounded() / 100)")
      }
    }
  }
  if only.contains("csv") || only.contains("check") || only.contains("data") {
    note("bench: writing \(ingestFile) and \(sweepFile) unless they exist")
    try ScaleBenchmark.writeData(path: ingestFile, rows: 50_000, features: 99, seed: 1)
    // The peer's workload as data: 4096 rows, 63 features and y, so the linear model's P is 64.
    try ScaleBenchmark.writeData(path: sweepFile, rows: 4096, features: 63, seed: 2)
    printResult("data ingest=\(ingestFile) sweep=\(sweepFile)")
  }
  if only.contains("csv") { printResult(try ScaleBenchmark.ingest(path: ingestFile, threads: threads)) }
  if only.contains("kernel") {
    note("bench: the kernel at N = 10^6, P = 100 (800 MB of gradients; about a minute)")
    let bandwidth = ScaleBenchmark.readBandwidth()
    let population = ScaleBenchmark.kernelPopulation(count: 1_000_000, dimension: 100)
    for sampler in [SamplerKind.withoutReplacement, .withReplacement] {
      for t in Set([1, threads]).sorted() {
        printResult(ScaleBenchmark.kernel(
          population: population, sampler: sampler, sizes: [1000, 10_000, 100_000], draws: 1024, threads: t,
          bandwidth: bandwidth))
      }
    }
  }
  if only.contains("check") { printResult(try ScaleBenchmark.check(path: ingestFile, threads: threads)) }
  return .success
}

/// The model, data and θ flags shared by `check` and `sweep`, as given (checked by `ModelOptions`).
func modelOptions(_ args: inout ArgumentList) throws(InputError) -> ModelOptions {
  var options = ModelOptions()
  options.model = try args.value("--model")
  options.dataPath = try args.value("--data")
  options.hidden = try args.integer("--hidden", in: ModelChoice.hiddenRange)
  options.l2 = try args.number("--l2")
  options.delimiter = try args.value("--delimiter")
  options.target = try args.value("--target")
  options.drop = try args.list(
    "--drop", item: { $0.isEmpty ? nil : CSVLayout.Column(String($0)) },
    refused: { _ in "--drop needs column names or 1-based positions separated by commas" })
  options.standardize = try args.flag("--standardize")
  options.paramsPath = try args.value("--params")
  return options
}

/// The one-line summary of what was read, on stderr (not under `--quiet`), and a hint to `--standardize`
/// when a feature is far from unit scale.
func printSummary(_ data: Dataset, path: String) {
  guard !Progress.shared.isQuiet else { return }
  printToStandardError("gradverify: read \(data.summary(path: path))")
  if let hint = data.unscaledHint { printNote(hint) }
}

/// `gradverify sweep` (`merge` finishes a sharded run through the same job).
func sweepCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  var options = SweepOptions()
  options.gradientsPath = try args.value("--gradients")
  if options.gradientsPath != nil {
    for flag in (CommandOptions.model.map(\.flag) + ["--params"]) where args.contains(flag) {
      options.modelFlagsGiven.append(flag)
    }
  } else {
    options.model = try modelOptions(&args)
  }
  options.fullGradientPath = try args.value("--full-gradient")
  options.precisionName = try args.value("--precision")
  options.projection = try args.integer("--project", in: 1...Int(Int32.max))
  options.sketchName = try args.value("--sketch")
  options.backwardDepth = try args.integer("--backward-depth", in: 0...1_000_000)
  options.samplers = try args.list(
    "--sampler", item: { SamplerKind(rawValue: String($0)) },
    refused: { "--sampler '\($0)' is not a sampler (expected with, without, poisson or poisson-realized)" })
  options.batchSizes = try args.list(
    "--batch-sizes", item: { Int($0).flatMap { $0 >= 1 ? $0 : nil } },
    refused: { "--batch-sizes needs positive integers separated by commas, got '\($0)'" })
  options.draws = try args.value("--draws")
  options.alpha = try args.number("--alpha")
  options.seed = try args.seed("--seed") ?? 1
  options.out = try args.value("--out")
  options.shard = try args.value("--shard").map { (text: String) throws(InputError) in try Shard.parse(text, flag: "sweep: --shard") }
  options.resume = try args.flag("--resume")
  options.checkpointSeconds = try args.number("--checkpoint-every") ?? options.checkpointSeconds
  options.maxSeconds = try args.number("--max-seconds") ?? options.maxSeconds
  options.threads = try args.threads()
  let json = try jsonTarget(&args)
  options.report = try reportFolder(&args)
  // The request refuses flags that do not go together (a model's with --gradients) before any leftover
  // is called unknown.
  let job = try options.job()
  _ = try args.positionals(expected: 0...0, usage: "options only")
  let files = options.files(json: json)
  try refuseClashes(outputs: files.outputs, inputs: files.inputs)
  // Held until this command returns: a second sweep into the same file is refused, not interleaved.
  let lock = try options.out.map { (path: String) throws(InputError) in try OutputLock(for: path) }
  defer { lock?.release() }
  let (shard, out, report, settings, source, fullGradientPath) = (
    options.shard, options.out, options.report, job.request.settings, job.request.source, options.fullGradientPath
  )

  let outcome = try job.run(
    merged: nil, note: printNote,
    progress: { task, done, total in Progress.shared.blocks(task, done: done, total: total) },
    read: { data, path in printSummary(data, path: path) })
  Progress.shared.finish()
  switch outcome {
  case .part(let ledger):
    printResult("shard \((shard ?? .whole).description): \(ledger.completedCount) of \(ledger.jobCount) blocks written to \(out ?? "") (combine with 'gradverify merge')")
    return .success
  case .table(let result, let notes, let verdicts):
    try writeJSON(
      json, command: "sweep", rows: job.levels(of: verdicts),
      notes: notes, inputs: [source.path] + (fullGradientPath.map { [$0] } ?? []),
      figures: SweepEngine(settings: settings).figures(result))
    if let report {
      try OutputFolder.write(
        RunReport.sweep(SweepExperiment(settings: settings), result, verdicts: verdicts, notes: notes, command: commandLine()),
        to: report)
    }
    return printSweep(result, settings: settings, notes: notes, verdicts: verdicts)
  }
}

/// A finished sweep's notes (stderr), verdict table and population figures (stdout), and its exit status.
func printSweep(_ result: SweepEngine.Result, settings: SweepSettings, notes: [String], verdicts: [VerdictRow]) -> ExitStatus {
  for note in notes { printNote(note) }
  printVerdicts(verdicts)
  for line in SweepEngine(settings: settings).summaryLines(result) { printResult(line) }
  return status(of: verdicts)
}

/// `gradverify merge PART… --out FILE` (every block: the sweep's table and verdicts), or
/// `gradverify merge PART… --part --out PART` (any disjoint parts: one part holding them all, to merge later).
func mergeCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  let out = try args.value("--out")
  let threads = try args.threads()
  let asPart = try args.flag("--part")
  let json = try jsonTarget(&args)
  let paths = try args.positionals(expected: 1...100_000, usage: "the part files of every shard")
  try SweepJob.checkMerge(parts: paths, out: out, json: json, asPart: asPart)
  let combined = try SweepJob.combine(paths: paths, asPart: asPart)
  if asPart, let out {
    try AtomicFile.write(combined.text, to: out)
    let shards = combined.shards.map(String.init).joined(separator: ",")
    printResult("merged \(paths.count) parts: \(combined.completedCount) of \(combined.jobCount) blocks (shards \(shards) of \(combined.shardCount)) written to \(out)")
    return .success
  }
  let job = SweepJob(request: try SweepRequest(identity: combined.signature, source: paths[0]), out: out, threads: threads)
  guard case .table(let result, let notes, let verdicts) = try job.run(merged: (combined, paths[0])) else { return .success }
  try writeJSON(
    json, command: "merge", rows: job.levels(of: verdicts), notes: notes,
    inputs: [job.request.source.path] + paths)
  return printSweep(result, settings: job.request.settings, notes: notes, verdicts: verdicts)
}

/// The `--report DIR` of check and sweep, checked (not created) before any work.
func reportFolder(_ args: inout ArgumentList) throws(InputError) -> String? {
  guard let folder = try args.value("--report") else { return nil }
  try flagged("--report") { () throws(InputError) in try OutputFolder.check(folder) }
  return folder
}

/// This process's command line, quoted where a word needs it, for a report.
func commandLine() -> String {
  (["gradverify"] + CommandLine.arguments.dropFirst()).map { word in
    word.contains(where: { " \"'$".contains($0) }) ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
  }.joined(separator: " ")
}

/// The `--json FILE` of a verdict-producing command, checked before any work.
func jsonTarget(_ args: inout ArgumentList) throws(InputError) -> String? {
  guard let path = try args.value("--json") else { return nil }
  if path == "-" { resultsToStandardError = true }
  try flagged("--json") { () throws(InputError) in try AtomicFile.checkWritable(path) }
  return path
}

/// Writes the verdicts as JSON (schema gradverify-verdicts 1: `gradverify help json`) when asked.
func writeJSON(
  _ path: String?, command: String, rows: [(row: VerdictRow, level: Double?)], notes: [String], inputs: [String],
  figures: [String: Double?] = [:], hypotheses: [VerdictReport.Hypothesis]? = nil, replay: [VerdictReport.ReplayRow]? = nil,
  holds: Bool? = nil
) throws(InputError) {
  guard let path else { return }
  var report = VerdictReport(command: command, commandLine: commandLine(), rows: rows, notes: notes, inputs: inputs)
  report.figures = figures.mapValues { JSONValue($0) }
  report.hypotheses = hypotheses
  report.replay = replay
  if let holds { report.holds = holds }
  try AtomicFile.write(report.text, to: path)
}

/// x to six decimals, for levels that are sums of a few decimal shares.
func rounded6(_ x: Double) -> String { String((x * 1e6).rounded() / 1e6) }

import Foundation
import Synchronization
import Testing

/// Runs the built `gradverify` binary, as a user would, and returns its exit code and output.
struct CommandRun {
  var status: Int32
  var stdout: String
  var stderr: String
  /// The child's peak resident memory (wait4's ru_maxrss) and the CPU time it used (user + system).
  var peakMemoryBytes: Int
  var cpuSeconds: Double

  /// The binary sits beside the test bundle in the build folder (`make test` builds it first).
  static var binary: URL {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [here, here.deletingLastPathComponent()] {
      let url = candidate.appendingPathComponent("gradverify")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return here.appendingPathComponent("gradverify")
  }

  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  struct SpawnFailed: Error { var code: Int32 }

  /// Runs the binary in `folder` with `arguments` (and `environment` over this process's), stdout and
  /// stderr each read to the end on its own thread (so neither pipe can fill and block the child), and
  /// reaps it with wait4 for its resource use.
  init(_ arguments: [String], in folder: URL = CommandRun.packageRoot, environment: [String: String] = [:]) throws {
    var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
    guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw SpawnFailed(code: errno) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
    // The folder is entered by a shell that then becomes the binary (exec: the same process, so wait4
    // measures the binary); Glibc's addchdir action is not visible to Swift.
    let argv = (["/bin/sh", "-c", "cd -- \"$1\" || exit 125; shift; exec \"$@\"", "sh", folder.path, Self.binary.path] + arguments)
      .map { strdup($0) } + [nil]
    // A COLUMNS exported by the user's shell would wrap the output the tests read; a test that wants a
    // width gives one.
    var inherited = ProcessInfo.processInfo.environment
    inherited["COLUMNS"] = nil
    let env = inherited.merging(environment) { $1 }.map { strdup("\($0)=\($1)") } + [nil]
    defer { for p in argv + env { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, env)
    close(outPipe[1])
    close(errPipe[1])
    guard spawned == 0 else {
      close(outPipe[0])
      close(errPipe[0])
      throw SpawnFailed(code: spawned)
    }
    let errReader = FileHandle(fileDescriptor: errPipe[0], closeOnDealloc: true)
    let errData = Mutex(Data())
    let errDone = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      let data = errReader.readDataToEndOfFile()
      errData.withLock { $0 = data }
      errDone.signal()
    }
    let outData = FileHandle(fileDescriptor: outPipe[0], closeOnDealloc: true).readDataToEndOfFile()
    errDone.wait()
    var wstatus: Int32 = 0
    var usage = rusage()
    while wait4(pid, &wstatus, 0, &usage) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS, or 128 + the signal, as a shell reports it.
    status = wstatus & 0x7f == 0 ? (wstatus >> 8) & 0xff : 128 + (wstatus & 0x7f)
    stdout = String(decoding: outData, as: UTF8.self)
    stderr = String(decoding: errData.withLock { $0 }, as: UTF8.self)
    peakMemoryBytes = usage.ru_maxrss * 1024
    cpuSeconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
  }
}

/// A fresh temporary folder with some files in it.
func temporaryFolder(_ files: [String: String] = [:]) throws -> URL {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gradverify-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  for (name, text) in files {
    let file = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: file)
  }
  return folder
}

@Suite("Command line: bad input to check", .serialized)
struct CheckBadInputTests {
  typealias Row = BadInput

  static let good = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n"

  static let rows: [Row] = [
    Row(name: "missing file", texts: [:], arguments: ["--model", "logistic", "--data", "absent.csv"], mentions: ["absent.csv", "no such file"]),
    Row(name: "ragged row", texts: ["d.csv": "a,b,label\n1,2,x\n3,y\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv:3", "expected 3 columns"]),
    Row(name: "non-numeric cell", texts: ["d.csv": "a,b,label\n1,2,x\n3,abc,y\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv:3", "column 2 'b'", "'abc'"]),
    Row(name: "NaN", texts: ["d.csv": "a,b,label\n1,NaN,x\n3,4,y\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv:2", "column 2", "not finite"]),
    Row(name: "Inf", texts: ["d.csv": "a,b,label\n1,2,x\ninf,4,y\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv:3", "column 1", "not finite"]),
    Row(name: "overflowing number", texts: ["d.csv": "a,b,label\n1,2,x\n1e999,4,y\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv:3", "overflows"]),
    Row(name: "empty file", texts: ["d.csv": ""], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv", "empty file"]),
    Row(name: "header only", texts: ["d.csv": "a,b,label\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv", "header only"]),
    Row(name: "unknown model", texts: ["d.csv": good], arguments: ["--model", "svm", "--data", "d.csv"], mentions: ["--model", "'svm'"]),
    Row(name: "one class", texts: ["d.csv": "a,b,label\n1,2,x\n3,4,x\n"], arguments: ["--model", "softmax", "--data", "d.csv"], mentions: ["d.csv", "at least 2 classes", "found 1"]),
    Row(name: "three classes for logistic", texts: ["d.csv": "a,label\n1,x\n2,y\n3,z\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv", "exactly 2 classes"]),
    Row(name: "label target for linear", texts: ["d.csv": good], arguments: ["--model", "linear", "--data", "d.csv"], mentions: ["d.csv:2", "column 3 'label'", "'x'"]),
    Row(name: "params of the wrong length", texts: ["d.csv": good, "p.txt": "0.1\n0.2\n"], arguments: ["--model", "logistic", "--data", "d.csv", "--params", "p.txt"], mentions: ["p.txt", "has 2 numbers", "P = 3"]),
    Row(name: "params not a number", texts: ["d.csv": good, "p.txt": "0.1\nzero\n0.3\n"], arguments: ["--model", "logistic", "--data", "d.csv", "--params", "p.txt"], mentions: ["p.txt:2", "'zero'"]),
    Row(name: "missing params file", texts: ["d.csv": good], arguments: ["--model", "logistic", "--data", "d.csv", "--params", "nothere.txt"], mentions: ["nothere.txt"]),
    Row(name: "unknown option", texts: ["d.csv": good], arguments: ["--model", "logistic", "--data", "d.csv", "--frobnicate"], mentions: ["--frobnicate"]),
    Row(name: "bad hidden width", texts: ["d.csv": good], arguments: ["--model", "mlp", "--data", "d.csv", "--hidden", "0"], mentions: ["--hidden"]),
    Row(name: "hidden for a linear model", texts: ["d.csv": good], arguments: ["--model", "logistic", "--data", "d.csv", "--hidden", "4"], mentions: ["--hidden", "mlp"]),
    Row(name: "bad seed", texts: ["d.csv": good], arguments: ["--model", "logistic", "--data", "d.csv", "--seed", "-3"], mentions: ["--seed", "'-3'"]),
    Row(name: "missing --data", texts: [:], arguments: ["--model", "logistic"], mentions: ["--data"]),
    Row(name: "unterminated quote", texts: ["d.csv": "a,b,label\n1,\"2,x\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv:2", "quote"]),
    Row(name: "duplicate header", texts: ["d.csv": "a,a,label\n1,2,x\n3,4,y\n"], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv:1", "'a'"]),
    Row(name: "not UTF-8", files: ["d.csv": Data("a,b,label\n1,2,\u{FF}x\n".utf8.map { $0 == 0xC3 ? 0xFF : $0 })], arguments: ["--model", "logistic", "--data", "d.csv"], mentions: ["d.csv"]),
  ]

  /// Each row runs `check` with an output folder and a gradient dump, which must not appear.
  @Test("exit 64, one line naming the place, no output written", arguments: rows)
  func badInput(_ row: Row) throws {
    var row = row
    row.arguments = ["check"] + row.arguments + ["--out", "out", "--dump-gradients", "g.csv"]
    try row.expectRefused()
  }
}

@Suite("Command line: check, run and help", .serialized)
struct CommandLineTests {
  @Test("check on iris passes, writes its tables and the N×P gradient matrix")
  func checkWritesGradients() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
    let run = try CommandRun(
      ["check", "--model", "softmax", "--data", iris, "--out", "out", "--dump-gradients", "g.csv", "--threads", "2"],
      in: folder)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    #expect(run.stdout.contains("3 cases: 3 PASS, 0 FAIL, 0 INCONCLUSIVE"), "\(run.stdout)")
    let dump = try String(contentsOf: folder.appendingPathComponent("g.csv"), encoding: .utf8)
    let lines = dump.split(separator: "\n")
    // iris: N = 150 examples, softmax P = K(d + 1) = 3·5 = 15.
    #expect(lines.count == 151)
    #expect(lines.first == Substring((0..<15).map { "g\($0)" }.joined(separator: ",")))
    #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",").count == 15 })
    let table = try String(contentsOf: folder.appendingPathComponent("out/check-linearity.csv"), encoding: .utf8)
    #expect(table.split(separator: "\n").count == 4)  // header + the three default points
  }

  @Test("--params gives θ in the documented layout; the gradient dump matches a hand computation")
  func paramsLayout() throws {
    // linear model, d = 2, θ = [w1, w2, b] = [1, −1, 0.5]; example (x = (2, 3), y = 1):
    // r = 2 − 3 + 0.5 − 1 = −1.5, gradient = [r·2, r·3, r] = [−3, −4.5, −1.5];
    // example (x = (0, 1), y = 0): r = 0 − 1 + 0.5 − 0 = −0.5, gradient = [−0.5·0, −0.5, −0.5] (−0.5·0 is −0.0).
    let folder = try temporaryFolder(["d.csv": "x1,x2,y\n2,3,1\n0,1,0\n", "p.txt": "1\n-1\n0.5\n"])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(
      ["check", "--model", "linear", "--data", "d.csv", "--params", "p.txt", "--dump-gradients", "g.csv"], in: folder)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let dump = try String(contentsOf: folder.appendingPathComponent("g.csv"), encoding: .utf8)
    #expect(dump == "g0,g1,g2\n-3.0,-4.5,-1.5\n-0.0,-0.5,-0.5\n")
  }

  @Test("run rejects a spec with an unknown key, naming the file and key")
  func specUnknownKey() throws {
    let spec = """
      {"claim": "C1", "title": "t", "seed": 1, "points": [{"name": "p", "scale": 1}],
       "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 10, "d": 2, "seed": 1, "nosie": 3}}]}
      """
    let folder = try temporaryFolder(["s.json": spec])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(["run", "s.json"], in: folder)
    #expect(run.status == 64)
    #expect(run.stderr.contains("s.json: key 'cases[0].data.nosie': unknown key"), "\(run.stderr)")
  }

  @Test("run rejects a wrong type, naming the key")
  func specWrongType() throws {
    let spec = """
      {"claim": "C1", "title": "t", "seed": "one", "points": [], "cases": []}
      """
    let folder = try temporaryFolder(["s.json": spec])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(["run", "s.json"], in: folder)
    #expect(run.status == 64)
    #expect(run.stderr.contains("s.json: key 'seed': expected an integer"), "\(run.stderr)")
  }

  @Test("help answers for every command; an unknown command is a usage error")
  func help() throws {
    for command in ["verify", "results", "run", "check"] {
      let run = try CommandRun([command, "--help"])
      #expect(run.status == 0 && run.stdout.contains("USAGE: gradverify \(command)"), "\(command)")
    }
    let top = try CommandRun(["--help"])
    #expect(top.status == 0 && top.stdout.contains("COMMANDS"))
    let bad = try CommandRun(["frobnicate"])
    #expect(bad.status == 64 && bad.stderr.contains("unknown command 'frobnicate'"))
  }

  /// The flags a help text lists under OPTIONS (rendered from the command's declarations, which the parser
  /// must read exactly), and the flags its prose names outside a quoted command ('sweep --gradients' is
  /// another command's; an apostrophe, as in "G's", quotes nothing).
  static func flags(inHelp text: String) -> (listed: Set<String>, named: Set<String>) {
    let options = text.components(separatedBy: "\nOPTIONS:\n").last ?? ""
    let listed = Set(options.split(separator: "\n").compactMap { line in
      line.hasPrefix("  --") ? String(line.dropFirst(2).prefix { $0 != " " }) : nil
    })
    let quotedCommand = /'(?:gradverify )?(?:verify|results|figures|run|check|sweep|merge|audit|bench|help)[ '][^']*'/
    let unquoted = text.replacing(quotedCommand, with: " ")
    let named = Set(unquoted.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) })
    return (listed, named)
  }

  @Test("every command's --help lists its options, and every flag its prose names is one of them", arguments: [
    "verify", "results", "figures", "run", "check", "sweep", "merge", "audit", "bench",
  ])
  func helpListsEveryOption(command: String) throws {
    let run = try CommandRun([command, "--help"])
    #expect(run.status == 0)
    let (listed, named) = Self.flags(inHelp: run.stdout)
    #expect(listed.contains("--threads") || command == "figures", "\(command): \(listed.sorted())")
    let strangers = named.subtracting(listed).subtracting(["--help", "--quiet"])
    #expect(strangers.isEmpty, "\(command) --help names \(strangers.sorted()) but does not list them under OPTIONS")
  }

  @Test("bench reads exactly the options its help lists: a tiny rows benchmark runs")
  func benchRuns() throws {
    let folder = try temporaryFolder([:])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun([
      "bench", "--only", "rows", "--n", "16", "--d", "2", "--draws", "4", "--sizes", "1,2", "--threads", "1",
      "--work", folder.path,
    ])
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    let lines = run.stdout.split(separator: "\n")
    #expect(lines.contains { $0.hasPrefix("sampler=without ") } && lines.contains { $0.hasPrefix("sampler=with ") }, "\(run.stdout)")
  }

  @Test("verify exits 0 when every claim holds and 1 when a planted 1e-6 gradient bug makes one fail", arguments: [false, true])
  func verifyExitStatus(withFault: Bool) throws {
    let fault = withFault ? #", "fault": {"coordinate": 0, "relative": 1e-6}"# : ""
    let spec = """
      {"claim": "C1", "title": "t", "seed": 5, "points": [{"name": "p", "scale": 1}],
       "cases": [{"model": "mlp", "hidden": 3\(fault), "data": {"synthetic": "clusters", "n": 20, "d": 2, "classes": 3, "seed": 2}}]}
      """
    let folder = try temporaryFolder(["s.json": spec])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(["verify", "--experiments", folder.path])
    #expect(run.status == (withFault ? 1 : 0), "\(run.stdout) \(run.stderr)")
    #expect(run.stdout.contains(withFault ? "1 cases: 0 PASS, 1 FAIL, 0 INCONCLUSIVE" : "1 cases: 1 PASS, 0 FAIL, 0 INCONCLUSIVE"))
  }

  @Test("check --inject-fault 1e-6 turns PASS into FAIL with halving ratios near 1")
  func injectedFaultFlipsCheck() throws {
    let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
    let clean = try CommandRun(["check", "--model", "mlp", "--hidden", "4", "--data", iris])
    let faulty = try CommandRun(["check", "--model", "mlp", "--hidden", "4", "--data", iris, "--inject-fault", "1e-6"])
    #expect(clean.status == 0 && clean.stdout.contains("3 cases: 3 PASS"), "\(clean.stdout)")
    #expect(faulty.status == 1 && faulty.stdout.contains("3 cases: 0 PASS, 3 FAIL"), "\(faulty.stdout)")
    #expect(faulty.stdout.contains("halving 1.0"), "\(faulty.stdout)")
  }

  @Test("verify reproduces committed tables byte for byte, and names a table edited by hand")
  func verifyComparesTables() throws {
    let spec = """
      {"claim": "C2C3-exact", "title": "t", "seed": 3, "samplers": ["without"], "points": [{"name": "p", "scale": 1}],
       "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 5, "d": 2, "seed": 1}}]}
      """
    let folder = try temporaryFolder(["s.json": spec])
    defer { try? FileManager.default.removeItem(at: folder) }
    let experiments = folder.path
    let results = folder.appendingPathComponent("results").path
    let made = try CommandRun(["results", "--experiments", experiments, "--out", results])
    #expect(made.status == 0, "\(made.stderr)")
    let clean = try CommandRun(["verify", "--experiments", experiments, "--results", results])
    #expect(clean.status == 0 && clean.stdout.contains("reproduced byte for byte"), "\(clean.stdout)")
    let table = folder.appendingPathComponent("results/s.csv")
    var text = try String(contentsOf: table, encoding: .utf8)
    text = text.replacingOccurrences(of: "PASS", with: "PAS5")
    try Data(text.utf8).write(to: table)
    let edited = try CommandRun(["verify", "--experiments", experiments, "--results", results])
    #expect(edited.status == 1, "\(edited.stdout)")
    #expect(edited.stdout.contains("\(results)/s.csv differs"), "\(edited.stdout)")
  }
}

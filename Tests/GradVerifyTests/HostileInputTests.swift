import Foundation
import Testing

/// Hostile input to sweep, merge and run: every row must end in exit 64 with one stderr line naming the
/// file, line, key or flag at fault, print nothing to stdout and leave no file behind.
@Suite("Command line: hostile input to sweep, merge and run", .serialized)
struct HostileInputTests {
  typealias Row = BadInput

  static func text(_ s: String) -> Data { Data(s.utf8) }
  static let good = text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")

  /// Genuine part files of a small sweep over `good`, made once: shards 0/2 and 1/2, shard 1/2 of a run
  /// with another seed, and shard 1/3.
  static let parts: [String: Data] = {
    let folder = try! temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try! good.write(to: folder.appendingPathComponent("d.csv"))
    var made: [String: Data] = [:]
    for (name, extra) in [
      ("p0", ["--shard", "0/2"]), ("p1", ["--shard", "1/2"]), ("seed2", ["--shard", "1/2", "--seed", "2"]),
      ("third", ["--shard", "1/3"]),
    ] {
      let run = try! CommandRun(sweepWith(extra + ["--out", name]), in: folder)
      precondition(run.status == 0, "could not make part \(name): \(run.stderr)")
      made[name] = try! Data(contentsOf: folder.appendingPathComponent(name))
    }
    return made
  }()

  static let sweep = ["sweep", "--model", "logistic", "--data", "d.csv", "--sampler", "with"]
  static func sweepWith(_ extra: [String]) -> [String] { sweep + extra + (extra.contains("--draws") ? [] : ["--draws", "600"]) }

  static var rows: [Row] {
    let p0 = parts["p0"]!
    let p1 = parts["p1"]!
    let wide = text((0...100_000).map { "c\($0)" }.joined(separator: ",") + "\n" + Array(repeating: "1", count: 100_001).joined(separator: ",") + "\n")
    let wideish = text((0..<30_000).map { "c\($0)" }.joined(separator: ",") + ",label\n" + Array(repeating: "1", count: 30_000).joined(separator: ",") + ",x\n" + Array(repeating: "2", count: 30_000).joined(separator: ",") + ",y\n")
    let notUTF8 = Data("a,b,label\n1,2,x\n3,4,y\n".utf8.map { $0 == UInt8(ascii: "y") ? 0xFF : $0 })
    let spec = { (draws: String) in
      text(#"{"claim": "C2C3", "title": "t", "seed": 1, "draws": \#(draws), "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "logistic", "data": {"file": "d.csv"}}]}"#)
    }
    return [
      // Absurd sizes.
      Row(name: "batch size 0", files: ["d.csv": good], arguments: sweepWith(["--batch-sizes", "0"]), mentions: ["--batch-sizes", "'0'"]),
      Row(name: "b > N without replacement", files: ["d.csv": good], arguments: ["sweep", "--model", "logistic", "--data", "d.csv", "--sampler", "without", "--batch-sizes", "5"], mentions: ["--batch-sizes 5", "N = 4", "without"]),
      Row(name: "draws 0", files: ["d.csv": good], arguments: sweepWith(["--draws", "0"]), mentions: ["--draws", "'0'"]),
      Row(name: "draws 10^18", files: ["d.csv": good], arguments: sweepWith(["--draws", "1000000000000000000"]), mentions: ["--draws", "'1000000000000000000'"]),
      Row(name: "header of 100001 columns", files: ["d.csv": wide], arguments: sweepWith([]), mentions: ["d.csv:1", "more than 100000 columns"]),
      Row(name: "spec draws 0", files: ["d.csv": good, "s.json": spec("0")], arguments: ["run", "s.json"], mentions: ["s.json", "draws"]),
      // P = 100·2 + 100 + 2·100 + 2 = 502: the exact oracle compares P×P covariances (kept for P ≤ 256).
      Row(name: "exact oracle with P > 256", files: ["d.csv": good, "s.json": text(#"{"claim": "C2C3-exact", "title": "t", "seed": 1, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "mlp", "hidden": 100, "data": {"file": "d.csv"}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "P = 502", "256"]),
      Row(name: "T spec with sweep keys", files: ["d.csv": good, "s.json": text(#"{"claim": "T", "title": "t", "seed": 1, "draws": 5, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "logistic", "data": {"file": "d.csv"}}], "training": {"eta": 0.1, "steps": 2, "batch_sizes": [2], "checkpoints": 1, "noise_draws": 10}}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "draws"]),
      Row(name: "spec draws 10^18", files: ["d.csv": good, "s.json": spec("1000000000000000000")], arguments: ["run", "s.json"], mentions: ["s.json", "draws"]),
      // Damaged data.
      Row(name: "NaN", files: ["d.csv": text("a,b,label\n1,nan,x\n3,4,y\n")], arguments: sweepWith([]), mentions: ["d.csv:2", "not finite"]),
      Row(name: "-Inf", files: ["d.csv": text("a,b,label\n1,2,x\n3,-inf,y\n")], arguments: sweepWith([]), mentions: ["d.csv:3", "not finite"]),
      Row(name: "overflow", files: ["d.csv": text("a,b,label\n1,2,x\n3,-1e400,y\n")], arguments: sweepWith([]), mentions: ["d.csv:3", "overflows"]),
      Row(name: "ragged row", files: ["d.csv": text("a,b,label\n1,2,x\n3,4,y,9\n")], arguments: sweepWith([]), mentions: ["d.csv:3", "expected 3 columns"]),
      Row(name: "empty file", files: ["d.csv": Data()], arguments: sweepWith([]), mentions: ["d.csv", "empty file"]),
      Row(name: "duplicate header", files: ["d.csv": text("a,label,label\n1,x,x\n3,y,y\n")], arguments: sweepWith([]), mentions: ["d.csv:1", "'label'"]),
      Row(name: "missing header name", files: ["d.csv": text("a,,label\n1,2,x\n3,4,y\n")], arguments: sweepWith([]), mentions: ["d.csv:1", "column 2"]),
      Row(name: "line break inside a quoted cell", files: ["d.csv": text("a,b,label\n1,\"4\r9\",x\n3,4,y\n")], arguments: sweepWith([]), mentions: ["d.csv:2", "column 2", #"'4\r9'"#]),
      Row(name: "a 10 kB cell", files: ["d.csv": text("a,b,label\n1," + String(repeating: "7x", count: 5000) + ",x\n3,4,y\n")], arguments: sweepWith([]), mentions: ["d.csv:2", "column 2", "(10000 bytes)"]),
      Row(name: "non-UTF-8 bytes", files: ["d.csv": notUTF8], arguments: sweepWith([]), mentions: ["d.csv"]),
      Row(name: "spec with an unknown key", files: ["d.csv": good, "s.json": text(#"{"claim": "C2C3", "title": "t", "seed": 1, "drawz": 5, "cases": [{"model": "logistic", "data": {"file": "d.csv"}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "drawz"]),
      Row(name: "spec not JSON", files: ["s.json": Data([0xFF, 0xFE, 0x00, 0x7B])], arguments: ["run", "s.json"], mentions: ["s.json"]),
      // Bad flags.
      Row(name: "shard i = n", files: ["d.csv": good], arguments: sweepWith(["--shard", "3/3", "--out", "o"]), mentions: ["--shard", "'3/3'"]),
      Row(name: "shard negative", files: ["d.csv": good], arguments: sweepWith(["--shard", "-1/2", "--out", "o"]), mentions: ["--shard", "'-1/2'"]),
      Row(name: "shard not i/n", files: ["d.csv": good], arguments: sweepWith(["--shard", "half", "--out", "o"]), mentions: ["--shard", "'half'"]),
      Row(name: "shard without --out", files: ["d.csv": good], arguments: sweepWith(["--shard", "0/2"]), mentions: ["--shard", "--out"]),
      Row(name: "checkpoint every 0 s", files: ["d.csv": good], arguments: sweepWith(["--checkpoint-every", "0", "--out", "o"]), mentions: ["--checkpoint-every"]),
      Row(name: "resume without --out", files: ["d.csv": good], arguments: sweepWith(["--resume"]), mentions: ["--resume", "--out"]),
      Row(name: "--out in a missing folder", files: ["d.csv": good], arguments: sweepWith(["--out", "nowhere/t.csv"]), mentions: ["--out", "nowhere", "does not exist"]),
      Row(name: "--out under a file", files: ["d.csv": good], arguments: sweepWith(["--out", "d.csv/t.csv"]), mentions: ["--out", "d.csv/t.csv"]),
      Row(name: "--out is a folder", files: ["d.csv": good, "sub/keep": Data()], arguments: sweepWith(["--out", "sub"]), mentions: ["--out", "sub", "folder"]),
      // Damaged checkpoints and parts.
      Row(name: "damaged checkpoint", files: ["d.csv": good, "o.partial": text("gradverify sweep ledger v3\nsignature\tx\n")], arguments: sweepWith(["--out", "o", "--resume"]), mentions: ["o.partial:"]),
      Row(name: "checkpoint of another sweep", files: ["d.csv": good, "o.partial": p1], arguments: sweepWith(["--out", "o", "--resume", "--seed", "9"]), mentions: ["o.partial", "different sweep"]),
      Row(name: "truncated part", files: ["d.csv": good, "p0": p0, "p1": p1.prefix(p1.count / 2)], arguments: ["merge", "p0", "p1", "--out", "m.csv"], mentions: ["p1:"]),
      Row(name: "foreign file as a part", files: ["d.csv": good, "p0": p0], arguments: ["merge", "p0", "d.csv", "--out", "m.csv"], mentions: ["d.csv:1", "not a sweep ledger"]),
      Row(name: "duplicate part", files: ["d.csv": good, "p0": p0, "copy": p0], arguments: ["merge", "p0", "copy", "--out", "m.csv"], mentions: ["shard 0/2 given twice", "copy"]),
      Row(name: "missing part", files: ["d.csv": good, "p0": p0], arguments: ["merge", "p0", "--out", "m.csv"], mentions: ["shard 1/2 is missing"]),
      Row(name: "parts of different runs", files: ["d.csv": good, "p0": p0, "s2": parts["seed2"]!], arguments: ["merge", "p0", "s2", "--out", "m.csv"], mentions: ["s2", "different run", "seed: 2 against 1"]),
      Row(name: "parts of different shard counts", files: ["d.csv": good, "p0": p0, "t": parts["third"]!], arguments: ["merge", "p0", "t", "--out", "m.csv"], mentions: ["t", "n = 2"]),
      Row(name: "part of other data", files: ["d.csv": text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,9,y\n"), "p0": p0, "p1": p1], arguments: ["merge", "p0", "p1", "--out", "m.csv"], mentions: ["p0", "different sweep"]),
      Row(name: "part merged with itself through --part", files: ["d.csv": good, "p0": p0, "p1": p1], arguments: ["merge", "p0", "p0", "--part", "--out", "m"], mentions: ["shard 0/2 given twice", "p0"]),
      Row(name: "--part without --out", files: ["d.csv": good, "p0": p0], arguments: ["merge", "p0", "--part"], mentions: ["--part", "--out"]),
      Row(name: "absent part", files: ["p0": p0], arguments: ["merge", "p0", "gone", "--out", "m.csv"], mentions: ["gone"]),
      Row(name: "merge without parts", files: [:], arguments: ["merge", "--out", "m.csv"], mentions: ["part"]),
      // Sizes checked before anything of that size is allocated.
      Row(name: "a run planned beyond --max-seconds", files: ["d.csv": good], arguments: sweepWith(["--max-seconds", "0.000001"]), mentions: ["--max-seconds 1e-06 s is less than the planned run, about", "--draws"]),
      Row(name: "--max-seconds 0", files: ["d.csv": good], arguments: sweepWith(["--max-seconds", "0"]), mentions: ["--max-seconds", "(0, 1e9]"]),
      Row(name: "batch size 2^31 − 1 with replacement", files: ["d.csv": good], arguments: sweepWith(["--batch-sizes", "2147483647"]), mentions: ["2147483647", "2^24"]),
      Row(name: "mlp --hidden 100000 on 30000 columns", files: ["w.csv": wideish], arguments: ["check", "--model", "mlp", "--hidden", "100000", "--data", "w.csv"], mentions: ["w.csv", "P = ", "GiB", "--hidden"]),
      Row(name: "spec generating 10^7 × 10^5", files: ["s.json": text(#"{"claim": "C2C3", "title": "t", "seed": 1, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 10000000, "d": 100000, "seed": 1}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "GiB"]),
      Row(name: "a 65 MiB line with no line break", files: ["d.csv": Data(repeating: UInt8(ascii: "1"), count: 65 << 20)], arguments: sweepWith([]), mentions: ["d.csv:1", "64 MiB"]),
      Row(name: "a 1 GiB line with no line break (written when the row runs)", files: [:], arguments: sweepWith([]), mentions: ["d.csv:1", "64 MiB"], digits: ["d.csv": 1 << 30]),
      // Spec numbers the decoder cannot place, and repeated keys: named by key.
      Row(name: "spec seed −1", files: ["d.csv": good, "s.json": text(#"{"claim": "C2C3", "title": "t", "seed": -1, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "logistic", "data": {"file": "d.csv"}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "seed", "-1"]),
      Row(name: "spec seed 2^64", files: ["d.csv": good, "s.json": text(#"{"claim": "C2C3", "title": "t", "seed": 18446744073709551616, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "logistic", "data": {"file": "d.csv"}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "seed", "18446744073709551616"]),
      Row(name: "spec draws 512.5", files: ["d.csv": good, "s.json": spec("512.5")], arguments: ["run", "s.json"], mentions: ["s.json", "draws", "512.5"]),
      Row(name: "spec alpha 1e400", files: ["d.csv": good, "s.json": text(#"{"claim": "C2C3", "title": "t", "seed": 1, "alpha": 1e400, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "logistic", "data": {"file": "d.csv"}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "alpha", "1e400"]),
      Row(name: "F spec summing 10^15 coordinates", files: ["d.csv": good, "s.json": text(#"{"claim": "F", "title": "t", "seed": 1, "precision": {"sizes": [100], "replicates": 1, "precisions": ["float32"], "coordinates": 1000000000000000, "twin_sizes": [100]}, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "logistic", "data": {"file": "d.csv"}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "coordinates", "10⁶"]),
      Row(name: "spec with a key given twice", files: ["d.csv": good, "s.json": text(#"{"claim": "C2C3", "title": "t", "seed": 1, "draws": 600, "draws": 700, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "logistic", "data": {"file": "d.csv"}}]}"#)], arguments: ["run", "s.json"], mentions: ["s.json", "draws", "twice"]),
      // Found before any work, so the read summary never precedes the refusal.
      Row(name: "fault coordinate outside θ", files: ["d.csv": good], arguments: ["check", "--model", "logistic", "--data", "d.csv", "--inject-fault", "1e-6", "--fault-coordinate", "99"], mentions: ["--fault-coordinate", "99", "P = 3"]),
      Row(name: "a folder where the checkpoint goes", files: ["d.csv": good, "o.partial/keep": Data()], arguments: sweepWith(["--out", "o"]), mentions: ["o.partial", "folder"]),
      // Inputs that are not regular files, and too little data.
      Row(name: "a folder as --params", files: ["d.csv": good, "theta/keep": Data()], arguments: sweepWith(["--params", "theta"]), mentions: ["--params", "theta", "is a folder"]),
      Row(name: "a folder as the spec", files: ["s.json/keep": Data()], arguments: ["run", "s.json"], mentions: ["s.json", "is a folder"]),
      Row(name: "/dev/null as --data", files: [:], arguments: ["sweep", "--model", "logistic", "--data", "/dev/null", "--sampler", "with"], mentions: ["/dev/null", "pipe or device"]),
      Row(name: "a CSV of one example", files: ["d.csv": text("a,b,y\n1,2,3\n")], arguments: ["check", "--model", "linear", "--data", "d.csv"], mentions: ["d.csv", "1 example"]),
      // Outputs that would overwrite an input or each other, and folders not created for a refused run.
      Row(name: "--out naming --data", files: ["d.csv": good], arguments: sweepWith(["--out", "d.csv"]), mentions: ["--out", "d.csv", "overwritten"]),
      Row(name: "--out naming --data by another path", files: ["d.csv": good], arguments: sweepWith(["--out", "./d.csv"]), mentions: ["--out", "overwritten"]),
      Row(name: "--json naming --out", files: ["d.csv": good], arguments: sweepWith(["--out", "o.csv", "--json", "o.csv"]), mentions: ["--json", "same file"]),
      Row(name: "check --dump-gradients naming --data", files: ["d.csv": good], arguments: ["check", "--model", "logistic", "--data", "d.csv", "--dump-gradients", "d.csv"], mentions: ["--dump-gradients", "overwritten"]),
      Row(name: "merge --out naming a part", files: ["p0": p0, "p1": p1], arguments: ["merge", "p0", "p1", "--out", "p1"], mentions: ["--out", "p1", "overwritten"]),
      Row(name: "run --out DIR with a spec whose data is missing", files: ["s.json": spec("5")], arguments: ["run", "s.json", "--out", "new/dir"], mentions: ["d.csv"]),
      Row(name: "sweep --report with --shard", files: ["d.csv": good], arguments: sweepWith(["--report", "rep", "--shard", "0/2", "--out", "o"]), mentions: ["--report"]),
      Row(name: "merge --out in a missing folder", files: ["p0": p0, "p1": p1], arguments: ["merge", "p0", "p1", "--out", "no/m.csv"], mentions: ["--out", "does not exist"]),
    ]
  }

  @Test("exit 64, one line naming the place, nothing printed, no file written", arguments: rows)
  func hostile(_ row: Row) throws { try row.expectRefused() }
}

/// One bad input: the files it needs (any bytes), the command line, and what the error line must name.
struct BadInput: CustomStringConvertible, Sendable {
  var name: String
  var files: [String: Data]
  var arguments: [String]
  var mentions: [String]
  /// Files of this many bytes of the digit 1 (no line break), written in 1 MiB pieces when the row runs so
  /// that a gigabyte never sits in the test's memory.
  var digits: [String: Int]
  var description: String { name }

  init(name: String, files: [String: Data], arguments: [String], mentions: [String], digits: [String: Int] = [:]) {
    (self.name, self.files, self.arguments, self.mentions, self.digits) = (name, files, arguments, mentions, digits)
  }

  /// The same with text files.
  init(name: String, texts: [String: String], arguments: [String], mentions: [String]) {
    self.init(name: name, files: texts.mapValues { Data($0.utf8) }, arguments: arguments, mentions: mentions)
  }

  /// Runs the command in a fresh folder holding `files` and expects a refusal: exit 64, one stderr line
  /// naming every mention, nothing on stdout, the folder exactly as it was, and the refusal cheap: below
  /// 1 GiB of peak memory and 5 s of CPU time (a refusal reads at most a line cap's worth; the slowest here
  /// takes about 0.3 s).
  func expectRefused() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for (file, data) in files {
      let url = folder.appendingPathComponent(file)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try data.write(to: url)
    }
    for (file, size) in digits {
      let url = folder.appendingPathComponent(file)
      _ = FileManager.default.createFile(atPath: url.path, contents: nil)
      let handle = try FileHandle(forWritingTo: url)
      let piece = Data(repeating: UInt8(ascii: "1"), count: 1 << 20)
      for _ in 0..<(size >> 20) { try handle.write(contentsOf: piece) }
      try handle.close()
    }
    let before = try Self.listing(folder)
    let run = try CommandRun(arguments, in: folder)
    #expect(run.status == 64, "\(name): exit \(run.status), stderr \(run.stderr)")
    #expect(run.peakMemoryBytes < 1 << 30, "\(name): peak memory \(run.peakMemoryBytes >> 20) MiB before the refusal")
    #expect(run.cpuSeconds < 5, "\(name): \(run.cpuSeconds) s of CPU before the refusal")
    // Counted as Unicode scalars, so a stray \r, \r\n or U+2028 counts as a line break too.
    let breaks = run.stderr.unicodeScalars.filter { $0.properties.isWhitespace && $0.properties.generalCategory != .spaceSeparator && $0 != "\t" }
    #expect(breaks.count == 1 && run.stderr.hasSuffix("\n"), "\(name): stderr should be one line: \(run.stderr.debugDescription)")
    for mention in mentions {
      #expect(run.stderr.contains(mention), "\(name): '\(mention)' not in: \(run.stderr)")
    }
    #expect(run.stdout.isEmpty, "\(name): printed \(run.stdout)")
    #expect(try Self.listing(folder) == before, "\(name): the folder changed")
  }

  /// Every file under a folder with its contents (above 256 MiB: its size and modification time), to see
  /// that a refused command changed nothing.
  static func listing(_ folder: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for case let path as String in FileManager.default.enumerator(atPath: folder.path)! {
      let url = folder.appendingPathComponent(path)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes[.size] as? Int) ?? 0
        files[path] = size > 256 << 20
          ? Data("\(size) \(String(describing: attributes[.modificationDate]))".utf8) : try Data(contentsOf: url)
      }
    }
    return files
  }
}


import Foundation
import GradVerify
import Testing

/// The bytes of a version-1.0 `.npy` file with the given header fields and data (for files NumPy would not
/// write, or writes with other values).
func npyBytes(descr: String = "<f8", fortran: Bool = false, shape: String, data: [UInt8]) -> Data {
  var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
  while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
  header += "\n"
  var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
  bytes += Array(header.utf8) + data
  return Data(bytes)
}

/// A version-1.0 file from `npyBytes` made a 3.0 one (uint32 header length), with the header's last pad
/// space replaced by `headerByte`.
func npyVersion3(_ v1: Data, headerByte: UInt8) -> Data {
  var bytes = Array(v1)
  let length = Int(bytes[8]) | Int(bytes[9]) << 8
  bytes[8 + 2 + length - 2] = headerByte
  let header = bytes[10..<(10 + length)]
  // Two more length bytes: drop two pad spaces from the front of the padding so 64-byte alignment holds.
  var padded = Array(header)
  padded.removeSubrange((padded.count - 4)..<(padded.count - 2))
  return Data([0x93] + Array("NUMPY".utf8) + [3, 0] + [UInt8(padded.count & 0xFF), UInt8(padded.count >> 8), 0, 0] + padded + bytes[(10 + length)...])
}

/// Little-endian float64 bytes.
func float64Bytes(_ values: [Double]) -> [UInt8] {
  values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt64($0))) } }
}

@Suite("Per-example gradients from a file: NumPy's .npy and CSV")
struct GradientFileTests {
  static let fixtures = CommandRun.packageRoot.appendingPathComponent("Tests/Fixtures/npy")
  /// The matrix every fixture holds (Tests/Fixtures/npy/README.md).
  static let known: [Double] = [1.5, -2.25, 0.125, 3.0, -0.5, 4.75]

  @Test(
    "NumPy's files read back as the matrix they hold: float64 and float32, C and Fortran order, versions 1 to 3",
    arguments: [
      ("f8-c-v1.npy", "float64"), ("f4-c-v1.npy", "float32"), ("f8-fortran-v1.npy", "float64"),
      ("f4-fortran-v3.npy", "float32"), ("f8-big-endian-v2.npy", "float64"),
    ])
  func fixturesReadBack(name: String, storage: String) throws {
    let file = try GradientFile.load(path: Self.fixtures.appendingPathComponent(name).path)
    #expect(file.count == 3 && file.dimension == 2 && file.storage == storage)
    #expect(file.matrix.doubles == Self.known, "\(name): \(file.matrix.doubles)")
  }

  @Test("a vector reads as n × 1 (a full gradient), and is refused as a gradient matrix")
  func vectors() throws {
    let path = Self.fixtures.appendingPathComponent("mean-f8-v1.npy").path
    let mean = try NPYMatrix.load(path: path)
    #expect(mean.dimensions == 1 && mean.values == [(1.5 + 0.125 - 0.5) / 3, (-2.25 + 3.0 + 4.75) / 3])
    #expect(throws: InputError.self) { try GradientFile.load(path: path) }
  }

  @Test(
    "malformed files are one-line errors naming the file",
    arguments: [
      ("bad magic", Data("NUMPY\u{1}\u{0}xxxxxxxx".utf8), "not a .npy file"),
      ("truncated data", npyBytes(shape: "(3, 2)", data: float64Bytes([1, 2, 3, 4, 5])), "truncated data"),
      ("extra bytes", npyBytes(shape: "(3, 2)", data: float64Bytes([1, 2, 3, 4, 5, 6, 7])), "bytes after the data"),
      ("integer dtype", npyBytes(descr: "<i8", shape: "(3, 2)", data: float64Bytes([1, 2, 3, 4, 5, 6])), "'<i8' is not float64"),
      ("object array", npyBytes(descr: "|O", shape: "(3, 2)", data: []), "'|O' is not float64"),
      ("NaN", npyBytes(shape: "(3, 2)", data: float64Bytes([1, 2, 3, .nan, 5, 6])), "element [1, 1] is not finite"),
      ("three dimensions", npyBytes(shape: "(3, 2, 1)", data: float64Bytes([1, 2, 3, 4, 5, 6])), "not one- or two-dimensional"),
      ("one example", npyBytes(shape: "(1, 2)", data: float64Bytes([1, 2])), "need at least 2 examples"),
      ("version 4", Data([0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0, 0, 0]), "version 4.0"),
      ("3.0 header not UTF-8", npyVersion3(npyBytes(shape: "(3, 2)", data: float64Bytes([1, 2, 3, 4, 5, 6])), headerByte: 0xFF), "not valid UTF-8"),
    ])
  func malformed(name: String, bytes: Data, message: String) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("g.npy").path
    try bytes.write(to: URL(fileURLWithPath: path))
    do {
      _ = try GradientFile.load(path: path)
      Issue.record("\(name): read without error")
    } catch {
      #expect(error.message.hasPrefix(path + ": ") && error.message.contains(message), "\(name): \(error.message)")
      #expect(!error.message.contains("\n"))
    }
    let run = try CommandRun(["sweep", "--gradients", path, "--sampler", "with"])
    #expect(run.status == 64 && run.stderr.split(separator: "\n").count == 1, "\(name): \(run.stderr)")
  }

  @Test("a model's flags with --gradients are refused by name, as not going with it",
        arguments: [["--model", "linear"], ["--data", "x.csv"], ["--standardize"], ["--l2", "0.1"]])
  func modelFlagsWithGradients(_ flag: [String]) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("g.npy").path
    try npyBytes(shape: "(3, 2)", data: float64Bytes([1, 2, 3, 4, 5, 6])).write(to: URL(fileURLWithPath: path))
    let run = try CommandRun(["sweep", "--gradients", path] + flag)
    #expect(run.status == 64, "\(run.stderr)")
    #expect(run.stderr.contains("sweep: \(flag[0]) does not go with --gradients"), "\(run.stderr)")
  }

  @Test("a CSV with a header row reads as the same matrix")
  func csvMatrix() throws {
    let folder = try temporaryFolder(["g.csv": "g0,g1\n1.5,-2.25\n0.125,3\n-0.5,4.75\n"])
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try GradientFile.load(path: folder.appendingPathComponent("g.csv").path)
    #expect(file.matrix.doubles == Self.known && file.count == 3 && file.dimension == 2)
  }
}

@Suite("sweep --gradients: the framework's matrix through C2, C3 and the noise scale", .serialized)
struct SweepGradientsTests {
  static let diabetes = CommandRun.packageRoot.appendingPathComponent("Experiments/data/diabetes.csv").path

  /// The column of a CSV file, by name.
  static func column(_ name: String, of path: String) throws -> [String] {
    let table = try CSVTable.load(path: path)
    let k = try #require(table.header.firstIndex(of: name))
    return table.records.map { $0.cells[k] }
  }

  @Test("check --dump-gradients then sweep --gradients gives the built-in route's laws and verdicts")
  func sameAsBuiltInRoute() throws {
    let theta = (0..<11).map { "\(0.1 * Double($0 + 1) - 0.3)" }.joined(separator: "\n")
    let folder = try temporaryFolder(["theta.txt": theta + "\n"])
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = { (name: String) in folder.appendingPathComponent(name).path }
    let model = ["--model", "linear", "--data", Self.diabetes, "--standardize", "--params", path("theta.txt")]
    let dump = try CommandRun(["check"] + model + ["--dump-gradients", path("G.csv")])
    #expect(dump.status == 0, "\(dump.stderr)")
    let sweep = ["--sampler", "with,without", "--draws", "2000", "--batch-sizes", "1,4,16,64"]
    let builtIn = try CommandRun(["sweep"] + model + sweep + ["--out", path("model.csv")])
    let given = try CommandRun(["sweep", "--gradients", path("G.csv")] + sweep + ["--out", path("given.csv")])
    #expect(builtIn.status == 0 && given.status == 0, "\(builtIn.stderr)\(given.stderr)")
    for column in ["sampler", "b", "N", "P", "draws", "theory", "variance_verdict", "bias_verdict"] {
      #expect(try Self.column(column, of: path("model.csv")) == Self.column(column, of: path("given.csv")), "\(column)")
    }
    #expect(given.stderr.contains("note: \(path("G.csv")): 442 per-example gradients of 11 parameters"), "\(given.stderr)")
  }

  /// The fixture's rows with a full gradient written as `values`, swept with --full-gradient.
  static func framework(_ values: [Double], precision: String? = "float64") throws -> CommandRun {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let full = folder.appendingPathComponent("g.npy")
    try npyBytes(shape: "(\(values.count),)", data: float64Bytes(values)).write(to: full)
    let rows = GradientFileTests.fixtures.appendingPathComponent("f8-c-v1.npy").path
    return try CommandRun([
      "sweep", "--gradients", rows, "--sampler", "with", "--draws", "20000", "--full-gradient", full.path,
    ] + (precision.map { ["--precision", $0] } ?? []))
  }

  @Test("--full-gradient: the rows' own mean PASSes; a sum, or a mean with one row left out, FAILs with its size")
  func fullGradient() throws {
    let mean = [(1.5 + 0.125 - 0.5) / 3, (-2.25 + 3.0 + 4.75) / 3]
    let own = try Self.framework(mean)
    #expect(own.stdout.contains("C1-framework") && own.status == 0, "\(own.stdout)")
    // Without --precision the file's dtype (float64 here) is the framework's arithmetic.
    let undeclared = try Self.framework(mean, precision: nil)
    #expect(undeclared.status == 0 && undeclared.stdout.contains("float64, N = 3"), "\(undeclared.stdout)")
    let sum = try Self.framework(mean.map { 3 * $0 })
    let leftOut = try Self.framework([(1.5 + 0.125) / 2, (-2.25 + 3.0) / 2], precision: "float32")
    for (run, what) in [(sum, "sum"), (leftOut, "one row left out")] {
      let line = run.stdout.split(separator: "\n").first { $0.hasPrefix("C1-framework") }.map(String.init) ?? ""
      #expect(run.status == 1 && line.hasSuffix("FAIL") && line.contains("bound"), "\(what): \(run.stdout)")
    }
  }
}

import Foundation
import GradVerify
import Testing

/// Real-world CSV shapes (pandas' index, an id column, the target in the middle, `;` and tabs, quoted
/// headers): each read as intended with --target/--drop/--delimiter, or refused with a hint.
@Suite("CSV layouts: --target, --drop, --delimiter", .serialized)
struct CSVLayoutTests {
  /// Four examples of y = 2a − b + 1 with features a, b; `shape` lays them out.
  static let a = ["1", "2", "0.5", "-3"], b = ["4", "-1", "2", "0"], y = ["-1", "6", "0", "-5"]

  static func file(header: [String], rows: [[String]], delimiter: String = ",") -> String {
    ([header] + rows).map { $0.joined(separator: delimiter) }.joined(separator: "\n") + "\n"
  }
  static var plain: [[String]] { (0..<4).map { [a[$0], b[$0], y[$0]] } }

  /// (name, file text, extra flags, expected stderr text, expected exit status)
  static let shapes: [(String, String, [String], String, Int32)] = [
    ("plain", file(header: ["a", "b", "y"], rows: plain), [], "target 'y' (numeric)", 0),
    ("pandas index, refused", file(header: ["", "a", "b", "y"], rows: (0..<4).map { ["\($0)"] + plain[$0] }), [],
     "header column 1 has no name (a pandas index? pass --drop 1, or write the file with to_csv(index=False))", 64),
    ("pandas index, dropped", file(header: ["", "a", "b", "y"], rows: (0..<4).map { ["\($0)"] + plain[$0] }), ["--drop", "1"],
     "d = 2 features; target 'y'", 0),
    ("id column, warned", file(header: ["id", "a", "b", "y"], rows: (0..<4).map { ["\($0 + 1)"] + plain[$0] }), [],
     "WARNING: feature 'id' counts the rows (an index or id?); pass --drop 1", 0),
    ("id column, dropped by name", file(header: ["id", "a", "b", "y"], rows: (0..<4).map { ["\($0 + 1)"] + plain[$0] }),
     ["--drop", "id"], "d = 2 features; target 'y'", 0),
    ("target in the middle", file(header: ["a", "y", "b"], rows: (0..<4).map { [a[$0], y[$0], b[$0]] }), ["--target", "y"],
     "d = 2 features; target 'y' (numeric)", 0),
    ("target by position", file(header: ["y", "a", "b"], rows: (0..<4).map { [y[$0], a[$0], b[$0]] }), ["--target", "1"],
     "target 'y'", 0),
    ("unknown target", file(header: ["a", "b", "y"], rows: plain), ["--target", "z"], "--target column 'z' is not in the header", 64),
    ("semicolons, refused", file(header: ["a", "b", "y"], rows: plain, delimiter: ";"), [], "pass --delimiter ';'", 64),
    ("semicolons", file(header: ["a", "b", "y"], rows: plain, delimiter: ";"), ["--delimiter", ";"], "d = 2 features", 0),
    ("tabs", file(header: ["a", "b", "y"], rows: plain, delimiter: "\t"), ["--delimiter", "tab"], "d = 2 features", 0),
    ("quoted header and cells", file(header: ["\"a\"", "\"b\"", "\"y\""], rows: plain.map { $0.map { "\"\($0)\"" } }), [],
     "target 'y'", 0),
    ("quoted, semicolons, a ';' inside a name", file(header: ["\"a;1\"", "b", "y"], rows: plain, delimiter: ";"),
     ["--delimiter", ";"], "d = 2 features", 0),
    ("target also dropped", file(header: ["a", "b", "y"], rows: plain), ["--drop", "y"], "the target column is also in --drop", 64),
    ("bad delimiter", file(header: ["a", "b", "y"], rows: plain), ["--delimiter", ";;"], "--delimiter must be one ASCII character", 64),
  ]

  @Test("each shape read as intended or refused with its hint", arguments: shapes.indices)
  func shape(_ index: Int) throws {
    let (name, text, flags, expected, status) = Self.shapes[index]
    let folder = try temporaryFolder(["d.csv": text])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(["check", "--model", "linear", "--data", "d.csv"] + flags, in: folder)
    #expect(run.status == status, "\(name): \(run.stderr)")
    #expect(run.stderr.contains(expected), "\(name): \(run.stderr)")
    #expect(run.stderr.split(separator: "\n").count == 1, "\(name): one line on stderr: \(run.stderr)")
  }

  @Test("a rearranged file reads as the same data set as its plain twin, to the bit")
  func sameDataAsPlain() throws {
    let folder = try temporaryFolder([
      "plain.csv": Self.file(header: ["a", "b", "y"], rows: Self.plain),
      "odd.csv": Self.file(header: ["id", "a", "y", "b"], rows: (0..<4).map { ["\($0)", Self.a[$0], Self.y[$0], Self.b[$0]] }, delimiter: "\t"),
    ])
    defer { try? FileManager.default.removeItem(at: folder) }
    let plain = try Dataset.load(csv: folder.appendingPathComponent("plain.csv").path, target: .numeric)
    let odd = try Dataset.load(
      csv: folder.appendingPathComponent("odd.csv").path, target: .numeric,
      layout: CSVLayout(delimiter: UInt8(ascii: "\t"), target: .name("y"), drop: [.position(1)]))
    #expect(plain.features == odd.features && plain.targets == odd.targets && plain.featureNames == odd.featureNames)
    #expect(odd.targetName == "y")
  }
}

import Foundation
import GradVerify
import Testing

/// Settings read through `Checked`: every committed spec's settings object refuses a key it does not name and
/// a value outside its range, each error naming the key's path. (The claims' `init(settingsFrom:)` reaches
/// `Checked` through a constrained protocol extension; this shows the checked one is the one chosen.)
@Suite struct CheckedDecodingTests {
  /// A committed spec, the key of a settings object in it, one field of that object with a value out of
  /// range, and what the error says of it.
  static let cases: [(spec: String, object: String, field: String, value: String, reason: String)] = [
    ("N3-drift", "drift", "k", "1", "must be between 2 and 10⁶"),
    ("RR-reshuffling", "reshuffling", "batch", "0", "must be between 1 and 10⁶"),
    ("T-training", "training", "noise_draws", "1", "must be between 2 and 10⁸"),
    ("F-finite-precision", "precision", "twin_sizes", "[65537]", "needs sizes between 2 and 2¹⁶"),
    ("N1-correlated", "ar1", "phi", "1", "must lie in (−1, 1)"),
  ]

  static func spec(_ name: String, _ object: String, with entry: String) throws -> (Data, String) {
    let path = CommandRun.packageRoot.appendingPathComponent("Experiments/\(name).json").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let opening = try #require(text.range(of: "\"\(object)\": {"))
    return (Data(text.replacingCharacters(in: opening, with: "\"\(object)\": { \(entry),").utf8), path)
  }

  @Test("a settings object refuses an unknown key", arguments: cases.map(\.spec).indices)
  func unknownKey(index: Int) throws {
    let c = Self.cases[index]
    let (data, path) = try Self.spec(c.spec, c.object, with: #""bogus": 1"#)
    let error = try #require(throws: InputError.self) { try decodeStrictly(ExperimentSpec.self, from: data, file: path) }
    #expect(error.place == .file(path: path, line: nil, key: "\(c.object).bogus") && error.reason.hasPrefix("unknown key"), "\(error.message)")
  }

  @Test("a settings field out of its range is refused by name", arguments: cases.map(\.spec).indices)
  func outOfRange(index: Int) throws {
    let c = Self.cases[index]
    // The field given twice would be refused as a duplicate: remove the committed one first.
    let path = CommandRun.packageRoot.appendingPathComponent("Experiments/\(c.spec).json").path
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    var object = json[c.object] as! [String: Any]
    object[c.field] = try JSONSerialization.jsonObject(with: Data(c.value.utf8), options: .fragmentsAllowed)
    var edited = json
    edited[c.object] = object
    let data = try JSONSerialization.data(withJSONObject: edited)
    let error = try #require(throws: InputError.self) { try decodeStrictly(ExperimentSpec.self, from: data, file: path) }
    #expect(error.place == .file(path: path, line: nil, key: "\(c.object).\(c.field)") && error.reason.hasPrefix(c.reason), "\(error.message)")
  }

  @Test("a parameter point refuses an unknown key and an empty name")
  func parameterPoint() throws {
    let path = CommandRun.packageRoot.appendingPathComponent("Experiments/N3-drift.json").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    for (replacement, key, reason) in [
      (#"{ "name": "unit", "scale": 1, "seed": 2 }"#, "points[0].seed", "unknown key"),
      (#"{ "name": "", "scale": 1 }"#, "points[0].name", "must not be empty"),
    ] {
      let edited = text.replacingOccurrences(of: #"{ "name": "unit", "scale": 1 }"#, with: replacement)
      let error = try #require(throws: InputError.self) {
        try decodeStrictly(ExperimentSpec.self, from: Data(edited.utf8), file: path)
      }
      #expect(error.place == .file(path: path, line: nil, key: key) && error.reason.hasPrefix(reason), "\(error.message)")
    }
  }
}

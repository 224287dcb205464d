import Foundation
import GradVerify
import Testing

/// Settings read through `Checked`: a committed spec's settings object refuses a key it does not name and a
/// value outside its range, each error naming the key's path (`expectChecked`, which each claim's tests call
/// for its own settings object). The claims' `init(settingsFrom:)` reaches `Checked` through a constrained
/// protocol extension; this shows the checked one is the one chosen.
@Suite struct CheckedDecodingTests {
  /// The committed spec `spec` (a file stem of Experiments/) with its settings object `object` given an
  /// unknown key, and then its `field` set to `value`, out of range: each refused, naming the key's path,
  /// the second with an error that begins with `reason`. Each claim's tests call it for its own settings.
  static func expectChecked(spec: String, object: String, field: String, value: String, reason: String) throws {
    let path = CommandRun.packageRoot.appendingPathComponent("Experiments/\(spec).json").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let opening = try #require(text.range(of: "\"\(object)\": {"))
    let unknown = Data(text.replacingCharacters(in: opening, with: "\"\(object)\": { \"bogus\": 1,").utf8)
    let refused = try #require(throws: InputError.self) { try decodeStrictly(ExperimentSpec.self, from: unknown, file: path) }
    #expect(refused.place == .file(path: path, line: nil, key: "\(object).bogus") && refused.reason.hasPrefix("unknown key"), "\(refused.message)")
    // The field given twice would be refused as a duplicate: replace the committed one.
    let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    var settings = try #require(json[object] as? [String: Any])
    settings[field] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
    var edited = json
    edited[object] = settings
    let data = try JSONSerialization.data(withJSONObject: edited)
    let error = try #require(throws: InputError.self) { try decodeStrictly(ExperimentSpec.self, from: data, file: path) }
    #expect(error.place == .file(path: path, line: nil, key: "\(object).\(field)") && error.reason.hasPrefix(reason), "\(error.message)")
  }

  @Test("a parameter point refuses an unknown key and an empty name")
  func parameterPoint() throws {
    // C1's points are near, unit and far: the unit point is the second.
    let path = CommandRun.packageRoot.appendingPathComponent("Experiments/C1-linearity.json").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    for (replacement, key, reason) in [
      (#"{ "name": "unit", "scale": 1, "seed": 2 }"#, "points[1].seed", "unknown key"),
      (#"{ "name": "", "scale": 1 }"#, "points[1].name", "must not be empty"),
    ] {
      let edited = text.replacingOccurrences(of: #"{ "name": "unit", "scale": 1 }"#, with: replacement)
      let error = try #require(throws: InputError.self) {
        try decodeStrictly(ExperimentSpec.self, from: Data(edited.utf8), file: path)
      }
      #expect(error.place == .file(path: path, line: nil, key: key) && error.reason.hasPrefix(reason), "\(error.message)")
    }
  }
}

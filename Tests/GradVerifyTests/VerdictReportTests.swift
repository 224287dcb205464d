import Foundation
import GradVerify
import Testing

/// A JSON value, decoded so that booleans, integers and other numbers stay apart.
indirect enum JSON: Decodable, Equatable {
  case null, bool(Bool), integer(Int), number(Double), string(String), array([JSON]), object([String: JSON])

  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null }
    else if let b = try? c.decode(Bool.self) { self = .bool(b) }
    else if let i = try? c.decode(Int.self) { self = .integer(i) }
    else if let d = try? c.decode(Double.self) { self = .number(d) }
    else if let s = try? c.decode(String.self) { self = .string(s) }
    else if let a = try? c.decode([JSON].self) { self = .array(a) }
    else { self = .object(try c.decode([String: JSON].self)) }
  }

  static func parse(_ data: Data) throws -> JSON { try JSONDecoder().decode(JSON.self, from: data) }

  var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .integer: "integer"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  subscript(_ key: String) -> JSON? { if case .object(let o) = self { o[key] } else { nil } }
}

/// A validator for the part of JSON Schema (draft 2020-12) that `VerdictReport.schemaText` uses: type
/// (a name or a list), enum, required, properties, additionalProperties (false or a schema), items.
/// Returns the problems found, each with its JSON path.
func schemaProblems(_ value: JSON, _ schema: JSON, at path: String = "$") -> [String] {
  var problems: [String] = []
  switch schema["type"] {
  case .string(let t)?:
    if !(value.typeName == t || (t == "number" && value.typeName == "integer")) {
      problems.append("\(path): \(value.typeName), expected \(t)")
    }
  case .array(let ts)?:
    let names = ts.compactMap { if case .string(let t) = $0 { t } else { nil } }
    if !(names.contains(value.typeName) || (names.contains("number") && value.typeName == "integer")) {
      problems.append("\(path): \(value.typeName), expected \(names.joined(separator: " or "))")
    }
  default: break
  }
  if case .array(let options)? = schema["enum"], !options.contains(value) {
    problems.append("\(path): \(value) not in the enum")
  }
  if case .object(let object) = value {
    if case .array(let required)? = schema["required"] {
      for case .string(let key) in required where object[key] == nil { problems.append("\(path): missing '\(key)'") }
    }
    for (key, member) in object {
      if case .object(let properties)? = schema["properties"], let sub = properties[key] {
        problems += schemaProblems(member, sub, at: "\(path).\(key)")
      } else if let extra = schema["additionalProperties"] {
        if extra == .bool(false) { problems.append("\(path): unexpected '\(key)'") }
        if case .object = extra { problems += schemaProblems(member, extra, at: "\(path).\(key)") }
      }
    }
  }
  if case .array(let items) = value, let itemSchema = schema["items"] {
    for (i, item) in items.enumerated() { problems += schemaProblems(item, itemSchema, at: "\(path)[\(i)]") }
  }
  return problems
}

@Suite("--json: the verdicts for programs, valid against their schema", .serialized)
struct VerdictReportTests {
  static let schema = try! JSON.parse(Data(VerdictReport.schemaText.utf8))
  static let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path

  static func validate(_ path: URL, command: String) throws -> JSON {
    let object = try JSON.parse(Data(contentsOf: path))
    let problems = schemaProblems(object, Self.schema)
    #expect(problems.isEmpty, "\(command): \(problems)")
    #expect(object["command"] == .string(command))
    return object
  }

  @Test("the validator can fail: a missing field, a wrong type and an unknown verdict are found")
  func validatorFails() {
    let bad = try! JSON.parse(Data(#"""
      {"schema": "gradverify-verdicts", "schema_version": 2, "tool": "gradverify", "tool_version": "x", "command": "sweep", "command_line": "gradverify sweep", "figures": {},
       "holds": "yes", "counts": {}, "notes": [], "inputs": [],
       "verdicts": [{"claim": "C2", "case": "c", "key_figure": "k", "verdict": "MAYBE", "holds": true}]}
      """#.utf8))
    let problems = schemaProblems(bad, Self.schema)
    #expect(problems.contains { $0.contains("$.holds") })
    #expect(problems.contains { $0.contains("MAYBE") })
    #expect(problems.contains { $0.contains("missing 'level'") })
  }

  @Test("check, sweep, run and verify write reports valid against the schema, agreeing with their exit codes")
  func commandsWriteValidReports() throws {
    let spec = #"{"claim": "C1", "title": "t", "seed": 1, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "softmax", "data": {"file": "\#(Self.iris)"}}]}"#
    let folder = try temporaryFolder(["specs/C1-small.json": spec])
    defer { try? FileManager.default.removeItem(at: folder) }
    let json = { (name: String) in folder.appendingPathComponent(name) }
    let runs: [(String, [String])] = [
      ("check", ["check", "--model", "softmax", "--data", Self.iris, "--json", json("check.json").path]),
      ("sweep", ["sweep", "--model", "softmax", "--data", Self.iris, "--sampler", "with", "--draws", "500", "--json", json("sweep.json").path]),
      ("run", ["run", folder.appendingPathComponent("specs/C1-small.json").path, "--json", json("run.json").path]),
      ("verify", ["verify", "--experiments", folder.appendingPathComponent("specs").path, "--no-compare", "--json", json("verify.json").path]),
    ]
    for (command, arguments) in runs {
      let run = try CommandRun(arguments)
      #expect(run.status == 0, "\(command): \(run.stderr)")
      let report = try Self.validate(json("\(command).json"), command: command)
      #expect(report["holds"] == .bool(true))
      guard case .array(let rows)? = report["verdicts"] else {
        Issue.record("\(command): no verdicts")
        continue
      }
      #expect(!rows.isEmpty && rows.count == run.stdout.split(separator: "\n").filter { $0.hasSuffix(" PASS") }.count, "\(command)")
      if command == "sweep" {
        #expect(rows.allSatisfy { $0["level"] == .number(0.01) })
        // Every C2 and C3 row states its power.
        #expect(rows.filter { $0["claim"] == .string("C2") || $0["claim"] == .string("C3") }.allSatisfy {
          if case .number(let d)? = $0["detectable"] { d > 0 } else { false }
        })
      }
      if command == "check" { #expect(rows.allSatisfy { $0["level"] == .null }) }
    }
  }
}

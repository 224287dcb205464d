import Foundation

/// The machine-readable verdicts of a command (`--json FILE`): schema `gradverify-verdicts`, version 1,
/// described field by field by `VerdictReport.schema` (a JSON Schema, draft 2020-12, printed by
/// `gradverify help json`).
///
/// ```
/// { "schema": "gradverify-verdicts", "schema_version": 1, "tool": "gradverify", "tool_version": "…",
///   "command": "sweep", "holds": true,
///   "counts": {"PASS": 5, …},
///   "verdicts": [{"claim": "C2", "case": "…", "key_figure": "…", "verdict": "PASS", "holds": true,
///                 "level": 0.01, "detectable": 0.011}, …],
///   "notes": ["…"], "inputs": [{"path": "…", "sha256": "…"}] }
/// ```
/// `level` is the family-wise α the row's verdicts share (null for the deterministic claims); `detectable`
/// the row's power where it states one (the smallest effect its test detects with probability ½).
public struct VerdictReport: Encodable, Sendable {
  public struct Row: Encodable, Sendable {
    public var claim: String
    public var caseName: String
    public var keyFigure: String
    public var verdict: String
    public var holds: Bool
    public var level: Double?
    public var detectable: Double?

    enum CodingKeys: String, CodingKey {
      case claim, verdict, holds, level, detectable
      case caseName = "case"
      case keyFigure = "key_figure"
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(claim, forKey: .claim)
      try c.encode(caseName, forKey: .caseName)
      try c.encode(keyFigure, forKey: .keyFigure)
      try c.encode(verdict, forKey: .verdict)
      try c.encode(holds, forKey: .holds)
      if let level { try c.encode(level, forKey: .level) } else { try c.encodeNil(forKey: .level) }
      if let detectable { try c.encode(detectable, forKey: .detectable) } else { try c.encodeNil(forKey: .detectable) }
    }
  }

  public struct Input: Encodable, Sendable {
    public var path: String
    public var sha256: String
  }

  public var schema = "gradverify-verdicts"
  public var schemaVersion = 1
  public var tool = "gradverify"
  public var toolVersion = GradVerifyVersion.current
  public var command: String
  public var holds: Bool
  public var counts: [String: Int]
  public var verdicts: [Row]
  public var notes: [String]
  public var inputs: [Input]
  /// The command as typed, to run it again.
  public var commandLine: String

  enum CodingKeys: String, CodingKey {
    case schema, tool, command, holds, counts, verdicts, notes, inputs
    case commandLine = "command_line"
    case schemaVersion = "schema_version"
    case toolVersion = "tool_version"
  }

  /// - Parameters:
  ///   - rows: the verdict rows with the family-wise α each shares (nil: deterministic).
  ///   - inputs: the files the verdicts rest on, hashed here.
  public init(
    command: String, commandLine: String, rows: [(row: VerdictRow, level: Double?)], notes: [String], inputs: [String]
  ) {
    self.command = command
    self.commandLine = commandLine
    verdicts = rows.map {
      Row(
        claim: $0.row.claim, caseName: $0.row.caseName, keyFigure: $0.row.keyFigure, verdict: $0.row.verdict.rawValue,
        holds: $0.row.verdict.holds, level: $0.level, detectable: $0.row.detectable)
    }
    holds = rows.allSatisfy { $0.row.verdict.holds }
    counts = Dictionary(grouping: rows, by: { $0.row.verdict.rawValue }).mapValues(\.count)
    self.notes = notes
    self.inputs = inputs.map { path in
      // Streamed in pieces: an input may be a matrix of gigabytes.
      Input(path: path, sha256: (try? sha256Hex(fileAt: path)) ?? "")
    }
  }

  /// The JSON text: keys sorted, so the same run gives the same bytes.
  public var text: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return ((try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
  }

  /// The JSON Schema of the report.
  public static let schemaText = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "title": "gradverify-verdicts, version 1",
      "type": "object",
      "required": ["schema", "schema_version", "tool", "tool_version", "command", "command_line", "holds", "counts", "verdicts", "notes", "inputs"],
      "additionalProperties": false,
      "properties": {
        "schema": {"type": "string", "enum": ["gradverify-verdicts"]},
        "schema_version": {"type": "integer", "enum": [1]},
        "tool": {"type": "string", "enum": ["gradverify"]},
        "tool_version": {"type": "string"},
        "command": {"type": "string", "enum": ["check", "sweep", "merge", "run", "verify"]},
        "command_line": {"type": "string", "description": "the command as typed, to run it again"},
        "holds": {"type": "boolean", "description": "every verdict is PASS or FAILS-AS-PREDICTED (exit code 0)"},
        "counts": {"type": "object", "description": "rows per verdict word", "additionalProperties": {"type": "integer"}},
        "verdicts": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["claim", "case", "key_figure", "verdict", "holds", "level", "detectable"],
            "additionalProperties": false,
            "properties": {
              "claim": {"type": "string"},
              "case": {"type": "string"},
              "key_figure": {"type": "string", "description": "the measured figures, the bound and the power where stated"},
              "verdict": {"type": "string", "enum": ["PASS", "FAIL", "INCONCLUSIVE", "FAILS-AS-PREDICTED", "UNEXPECTED-PASS"]},
              "holds": {"type": "boolean"},
              "level": {"type": ["number", "null"], "description": "family-wise α the row's tests share; null when deterministic"},
              "detectable": {"type": ["number", "null"], "description": "power: the smallest effect the row's test detects with probability 1/2 (C2: bias / ‖g‖∞; C3: relative deviation of the MSE); null when the row states none"}
            }
          }
        },
        "notes": {"type": "array", "items": {"type": "string"}},
        "inputs": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["path", "sha256"],
            "additionalProperties": false,
            "properties": {"path": {"type": "string"}, "sha256": {"type": "string"}}
          }
        }
      }
    }
    """#
}

import Foundation

/// The machine-readable verdicts of a command (`--json FILE`): schema `gradverify-verdicts`, version 2,
/// described field by field by `VerdictReport.schema` (a JSON Schema, draft 2020-12, printed by
/// `gradverify help json`).
///
/// ```
/// { "schema": "gradverify-verdicts", "schema_version": 1, "tool": "gradverify", "tool_version": "…",
///   "command": "sweep", "holds": true,
///   "counts": {"PASS": 5, …},
///   "verdicts": [{"claim": "C2", "case": "…", "key_figure": "…", "verdict": "PASS", "holds": true,
///                 "level": 0.01, "detectable": 0.011}, …],
///   "notes": ["…"], "inputs": [{"path": "…", "sha256": "…"}],
///   "figures": {"b_simple": 42.88, …},
///   "hypotheses": [{"name": "token-mean", "verdict": "PASS", …}], "replay": [{"precision": "bfloat16", …}] }
/// ```
/// Version 2 added `figures` (every number the command printed in its notes, as JSON numbers; null where
/// undefined) and, for `audit`, `hypotheses` and `replay`.
/// `level` is the family-wise α the row's verdicts share (null for the deterministic claims); `detectable`
/// the row's power where it states one (the smallest effect its test detects with probability ½).
package struct VerdictReport: Encodable, Sendable {
  public struct Row: Encodable, Sendable {
    public var claim: String
    public var caseName: String
    public var keyFigure: String
    public var verdict: String
    public var holds: Bool
    public var level: JSONValue<Double>
    public var detectable: JSONValue<Double>

    enum CodingKeys: String, CodingKey {
      case claim, verdict, holds, level, detectable
      case caseName = "case"
      case keyFigure = "key_figure"
    }
  }

  public struct Input: Encodable, Sendable {
    public var path: String
    public var sha256: String
  }

  public var schema = "gradverify-verdicts"
  public var schemaVersion = 2
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
  /// The figures behind the notes, by name (non-finite values as null).
  public var figures: [String: JSONValue<Double>] = [:]
  /// `audit` only: each reduction hypothesis, and the precision replay.
  public var hypotheses: [Hypothesis]?
  public var replay: [ReplayRow]?

  public struct Hypothesis: Encodable, Sendable {
    public var name: String
    public var verdict: String
    public var missingColumn: JSONValue<String>
    public var worstRatio: JSONValue<Double>
    public var relativeDistance: JSONValue<Double>
    public var bestScale: JSONValue<Double>

    public init(_ f: ReductionAudit.Finding) {
      name = f.hypothesis.rawValue
      verdict = f.verdict.rawValue
      missingColumn = JSONValue(f.missingColumn)
      let tested = f.missingColumn == nil
      worstRatio = JSONValue(tested ? f.worstRatio : nil)
      relativeDistance = JSONValue(tested ? f.relativeDistance : nil)
      bestScale = JSONValue(tested ? f.bestScale : nil)
    }

    enum CodingKeys: String, CodingKey {
      case name, verdict
      case missingColumn = "missing_column"
      case worstRatio = "worst_ratio"
      case relativeDistance = "relative_distance"
      case bestScale = "best_scale"
    }
  }

  public struct ReplayRow: Encodable, Sendable {
    public var precision: String
    public var method: String
    public var depth: Int
    public var errorNorm: JSONValue<Double>
    public var boundNorm: JSONValue<Double>
    public var worstRatio: JSONValue<Double>
    public var noiseRatio: JSONValue<Double>
    public var verdict: String

    public init(_ r: ReductionReplay.Row) {
      (precision, method, depth, verdict) = (r.precision.rawValue, r.method.rawValue, r.depth, r.verdict.rawValue)
      (errorNorm, boundNorm) = (JSONValue(r.errorNorm), JSONValue(r.boundNorm))
      (worstRatio, noiseRatio) = (JSONValue(r.worstRatio), JSONValue(r.noiseRatio))
    }

    enum CodingKeys: String, CodingKey {
      case precision, method, depth, verdict
      case errorNorm = "error_norm"
      case boundNorm = "bound_norm"
      case worstRatio = "worst_ratio"
      case noiseRatio = "noise_ratio"
    }
  }

  enum CodingKeys: String, CodingKey {
    case schema, tool, command, holds, counts, verdicts, notes, inputs, figures, hypotheses, replay
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
        holds: $0.row.verdict.holds, level: JSONValue($0.level), detectable: JSONValue($0.row.detectable))
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
      "title": "gradverify-verdicts, version 2",
      "type": "object",
      "required": ["schema", "schema_version", "tool", "tool_version", "command", "command_line", "holds", "counts", "verdicts", "notes", "inputs", "figures"],
      "additionalProperties": false,
      "properties": {
        "schema": {"type": "string", "enum": ["gradverify-verdicts"]},
        "schema_version": {"type": "integer", "enum": [2]},
        "tool": {"type": "string", "enum": ["gradverify"]},
        "tool_version": {"type": "string"},
        "command": {"type": "string", "enum": ["audit", "check", "sweep", "merge", "run", "verify"]},
        "command_line": {"type": "string", "description": "the command as typed, to run it again"},
        "holds": {"type": "boolean", "description": "every verdict is PASS or FAILS-AS-PREDICTED (exit code 0); audit: some hypothesis holds and every replayed rounding is within its bound"},
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
        },
        "figures": {
          "type": "object", "description": "the figures behind the notes by name (tr Σ_N, ‖g‖², B_simple and its interval, …); null where undefined",
          "additionalProperties": {"type": ["number", "null"]}
        },
        "hypotheses": {
          "type": "array", "description": "audit: each reduction the pipeline may have computed",
          "items": {
            "type": "object",
            "required": ["name", "verdict", "missing_column", "worst_ratio", "relative_distance", "best_scale"],
            "additionalProperties": false,
            "properties": {
              "name": {"type": "string", "enum": ["mean", "token-mean", "mean-of-micro-batch-means", "mean-of-rank-means", "sum", "scaled-by-ranks", "padding-counted"]},
              "verdict": {"type": "string", "enum": ["PASS", "FAIL", "INCONCLUSIVE"]},
              "missing_column": {"type": ["string", "null"], "description": "the --examples column an untested hypothesis needs"},
              "worst_ratio": {"type": ["number", "null"], "description": "max over coordinates of |g − Gᵀw| / rounding bound (≤ 1 holds)"},
              "relative_distance": {"type": ["number", "null"], "description": "‖g − Gᵀw‖ / ‖Gᵀw‖"},
              "best_scale": {"type": ["number", "null"], "description": "⟨g, Gᵀw⟩ / ‖Gᵀw‖²"}
            }
          }
        },
        "replay": {
          "type": "array", "description": "audit --replay: the rows' mean reduced in each precision and order",
          "items": {
            "type": "object",
            "required": ["precision", "method", "depth", "error_norm", "bound_norm", "worst_ratio", "noise_ratio", "verdict"],
            "additionalProperties": false,
            "properties": {
              "precision": {"type": "string", "enum": ["float32", "bfloat16"]},
              "method": {"type": "string", "enum": ["sequential", "pairwise", "ring", "tree"]},
              "depth": {"type": "integer", "description": "additions along the longest path"},
              "error_norm": {"type": ["number", "null"]},
              "bound_norm": {"type": ["number", "null"], "description": "null: no bound (k·u ≥ 1)"},
              "worst_ratio": {"type": ["number", "null"]},
              "noise_ratio": {"type": ["number", "null"], "description": "‖error‖ / √(tr Σ_N / b)"},
              "verdict": {"type": "string", "enum": ["PASS", "FAIL"]}
            }
          }
        }
      }
    }
    """#
}

/// A value whose key is always written, as null when absent: Codable's synthesised encoding drops an absent
/// optional, the schema keeps the key. A double that is not finite is absent (JSON has no NaN or infinity).
package struct JSONValue<Wrapped: Encodable & Sendable>: Encodable, Sendable {
  public var value: Wrapped?

  public init(_ value: Wrapped?) { self.value = value }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    if let value { try c.encode(value) } else { try c.encodeNil() }
  }
}

extension JSONValue where Wrapped == Double {
  package init(_ x: Double?) { value = x.flatMap { $0.isFinite ? $0 : nil } }
}

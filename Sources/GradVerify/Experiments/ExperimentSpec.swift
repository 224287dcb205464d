import Foundation

/// An experiment as written in Experiments/*.json: which claim, on which models and data, at which
/// parameter points, with which seed, and the claim's own settings. Decoded strictly: the common keys
/// here, the claim's keys by its `Experiment` type; any other key, or a wrong type, is an error.
package struct ExperimentSpec: Decodable, Sendable {
  /// The claim's own part of the spec (its settings), and the type that runs it.
  public var experiment: any Experiment
  /// A one-line statement for tables and the report.
  public var title: String
  /// The seed of every random number the experiment uses.
  public var seed: UInt64
  public var points: [ParameterPointSpec]
  public var cases: [CaseSpec]

  /// The spec's "claim" value.
  public var claim: String { type(of: experiment).claim }
  /// The family-wise α the spec's verdicts spend; nil when they are deterministic.
  public var alpha: Double? { experiment.alpha }
  /// Whether the spec's verdicts are statistical (Monte Carlo) and so spend a share of the run's α.
  public var isStatistical: Bool { alpha != nil }

  enum CodingKeys: String, CodingKey, CaseIterable { case claim, title, seed, points, cases }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let name = try c.decode(String.self, forKey: .claim)
    guard let kind = ExperimentRegistry.experiment(claim: name) else {
      let known = ExperimentRegistry.all.map { $0.claim }.joined(separator: ", ")
      throw invalid(c, .claim, "'\(name)' is not a claim (expected one of: \(known))")
    }
    try decoder.rejectUnknownKeys(known: CodingKeys.allCases.map(\.stringValue) + kind.keys, in: "a \(name) spec")
    title = try c.decode(String.self, forKey: .title)
    seed = try c.decode(UInt64.self, forKey: .seed)
    points = try c.decode([Checked<ParameterPointSpec>].self, forKey: .points).map(\.value)
    cases = try c.decode([CaseSpec].self, forKey: .cases)
    guard !points.isEmpty else { throw invalid(c, .points, "needs at least one parameter point") }
    guard !cases.isEmpty else { throw invalid(c, .cases, "needs at least one case") }
    guard Set(points.map(\.name)).count == points.count else { throw invalid(c, .points, "point names must differ") }
    experiment = try kind.init(settingsFrom: decoder)
  }

  /// Reads and decodes a spec file.
  public static func load(path: String) throws(InputError) -> ExperimentSpec {
    let data = try InputFile.read(path)
    return try decodeStrictly(ExperimentSpec.self, from: data, file: path)
  }
}

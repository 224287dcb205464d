/// `gradverify check` as a typed request: claim C1 on the user's model and data at the default points (or at
/// θ from `--params`), optionally with a planted gradient fault, writing its tables, its per-example
/// gradients and its report where asked. `prepare(json:)` reads and checks everything before any work;
/// `run` computes the claim through `LinearityExperiment`, as a spec's C1 does.
package struct CheckRequest: Sendable {
  public var model = ModelOptions()
  public var seed: UInt64 = 1
  public var out: String?
  public var dumpPath: String?
  public var faultSize: Double?
  public var faultCoordinate: Int?
  public var threads = 1

  public init() {}

  /// The request with its data read and every output place checked.
  public struct Prepared: Sendable {
    public var input: ModelInput
    public var data: Dataset
    public var theta: [Double]?
    public var choice: ModelChoice
    public var points: [ParameterPointSpec]
  }

  /// Reads the data (and θ), checks the fault against P and every output place against the inputs, before
  /// any work: a refusal costs nothing and writes nothing.
  public func prepare(json: String?) throws(InputError) -> Prepared {
    let input = try model.validated(command: "check")
    if faultCoordinate != nil && faultSize == nil { throw InputError("check: --fault-coordinate needs --inject-fault") }
    let (data, theta) = try input.load()
    var choice = input.model
    if let faultSize {
      let p = choice.parameterCount(features: data.featureCount, classes: data.classCount)
      if let j = faultCoordinate, j >= p {
        throw InputError(flag: "--fault-coordinate", command: "check", "\(j) is outside θ (P = \(p), coordinates 0…\(p - 1))")
      }
      choice.fault = GradientFault(coordinate: faultCoordinate ?? p - 1, relative: faultSize)
    }
    if let out { try flagged("--out") { () throws(InputError) in try OutputFolder.check(out) } }
    if let dumpPath { try flagged("--dump-gradients") { () throws(InputError) in try AtomicFile.checkWritable(dumpPath) } }
    try refuseClashes(outputs: [("--dump-gradients", dumpPath), ("--json", json)], inputs: [input.dataPath, input.paramsPath])
    let points = theta == nil ? ParameterPointSpec.defaults : [ParameterPointSpec(name: "params", scale: 1)]
    return Prepared(input: input, data: data, theta: theta, choice: choice, points: points)
  }

  /// Runs C1 on every point and writes the tables (`--out`) and the first point's gradients
  /// (`--dump-gradients`); `progress` hears each case as it starts, `coordinates` (case, coordinates done, P)
  /// as its coordinates finish.
  public func run(
    _ prepared: Prepared, progress: @escaping @Sendable (String) -> Void,
    coordinates: (@Sendable (String, Int, Int) -> Void)? = nil
  ) throws(InputError) -> (experiment: LinearityExperiment, result: LinearityExperiment.Result, verdicts: [VerdictRow]) {
    let experiment = LinearityExperiment()
    let result = LinearityExperiment.Result(
      records: try LinearityExperiment.records(
        model: prepared.choice, data: prepared.data, source: prepared.input.dataPath, points: prepared.points, seed: seed,
        thetaOverride: prepared.theta, keepGradients: dumpPath != nil, threads: threads, progress: progress,
        coordinates: coordinates))
    if let out {
      try OutputFolder.write(
        [("check-linearity.csv", experiment.table(result).document.text),
         ("check-linearity-halving.csv", experiment.halvingTable(result).document.text)], to: out)
    }
    if let dumpPath, let gradients = result.records.first?.gradients {
      try AtomicFile.write(gradients.csv.text, to: dumpPath)
    }
    return (experiment, result, experiment.verdicts(result))
  }
}

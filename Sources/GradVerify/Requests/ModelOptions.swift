/// The model, data and θ flags of `check` and `sweep` as given (`--model`, `--data`, `--hidden`, `--l2`,
/// `--delimiter`, `--target`, `--drop`, `--standardize`, `--params`), checked together into a `ModelInput`.
package struct ModelOptions: Sendable {
  public var model: String?
  public var dataPath: String?
  public var hidden: Int?
  public var l2: Double?
  public var delimiter: String?
  public var target: String?
  public var drop: [CSVLayout.Column]?
  public var standardize = false
  public var paramsPath: String?

  public init() {}

  /// The flags checked together, each refusal naming its flag and `command`.
  public func validated(command: String) throws(InputError) -> ModelInput {
    guard let model else { throw InputError("\(command): --model is required (linear, logistic, softmax or mlp)") }
    guard let kind = ModelKind(rawValue: model) else {
      throw InputError("\(command): --model '\(model)' is not a model (expected linear, logistic, softmax or mlp)")
    }
    guard let dataPath else { throw InputError("\(command): --data FILE.csv is required") }
    if hidden != nil && kind != .mlp { throw InputError("\(command): --hidden applies to --model mlp only") }
    let l2 = l2 ?? 0
    if let problem = ModelChoice.l2Problem(l2) { throw InputError("\(command): --l2 \(problem), got \(l2)") }
    var layout = CSVLayout()
    if let delimiter {
      guard let byte = CSVLayout.delimiter(named: delimiter) else {
        throw InputError(flag: "--delimiter", command: command, "must be one ASCII character or 'tab', got \(InputError.quote(delimiter))")
      }
      layout.delimiter = byte
    }
    layout.target = target.map(CSVLayout.Column.init)
    layout.drop = drop ?? []
    return ModelInput(
      model: ModelChoice(kind: kind, hidden: hidden ?? 16, l2: l2), dataPath: dataPath, standardize: standardize,
      paramsPath: paramsPath, layout: layout)
  }
}

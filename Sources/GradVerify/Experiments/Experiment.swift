
/// One claim of the harness, as one type: the spec keys it reads, its run, its tables with their schemas,
/// its verdicts, its figures and its report text. The runner, `verify`, `results`, the data package, the
/// figures and the report iterate over `ExperimentRegistry.all`; nothing switches on a claim's name.
///
/// A value of the type is the claim's part of one spec (its own keys, decoded by `init(settingsFrom:)`);
/// `run` returns an immutable result, from which `tables` and `verdicts` are read in any order.
package protocol Experiment: Sendable {
  associatedtype Result: Sendable
  /// The claims its verdict rows name (`VerdictClaim`): the claim itself and its parts.
  associatedtype VerdictClaims: VerdictClaim

  /// The spec's `"claim"` value, e.g. "N3".
  static var claim: String { get }
  /// The spec keys this claim reads besides the common ones (claim, title, seed, points, cases); a spec of
  /// this claim with any other key is refused.
  static var keys: [String] { get }
  /// The suffixes of the claim's tables (each table's `RecordTable.suffix`), in the order `tables(_:)`
  /// returns them: a spec "X.json" writes "X\(suffix).csv". Default: one table, "".
  static var tableSuffixes: [String] { get }
  /// One sentence: what the claim states (REPORT.md).
  static var statement: String { get }

  /// Decodes the claim's own keys from the spec object (unknown keys are already refused).
  init(settingsFrom decoder: any Decoder) throws
  /// The family-wise α the claim's verdicts spend; nil when they are deterministic.
  var alpha: Double? { get }
  /// How the claim is tested, in two or three sentences, with the spec's own numbers (REPORT.md).
  var method: String { get }
  /// Runs the claim on the spec's cases.
  func run(_ input: ExperimentInput) throws(InputError) -> Result
  /// The result's tables, in `tableSuffixes` order, each carrying its suffix.
  func tables(_ result: Result) -> [SchemaTable]
  /// The result's verdict rows.
  func verdicts(_ result: Result) -> [VerdictRow]
  /// The claim's figures, drawn from the tables of every spec of this claim in the run (in spec order, each
  /// keyed by suffix), so that they can be redrawn from committed tables alone. Default: none.
  static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure]
}

extension Experiment {
  /// Runs the claim on one model and data set at the given points, as a spec with that one case would:
  /// the entry for a case outside Experiments/.
  public func run(
    model: ModelChoice, data: Dataset, points: [ParameterPointSpec], seed: UInt64, threads: Int,
    source: String = "input"
  ) throws(InputError) -> Result {
    try run(
      ExperimentInput(
        places: points.map { ExperimentInput.Place(model: model, data: data, point: $0, source: source) }, seed: seed,
        threads: threads, claim: Self.claim))
  }

  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] { [] }

  public static var tableSuffixes: [String] { [""] }

  /// The names of `VerdictClaims`, in declaration order.
  public static var verdictClaimNames: [String] { VerdictClaims.allCases.map(\.rawValue) }
}

/// What a claim's run is given: the spec's cases with their data loaded, one place per case × point.
package struct ExperimentInput: Sendable {
  /// One case of a spec with its data loaded, at one parameter point.
  public struct Place: Sendable {
    public var model: ModelChoice
    public var data: Dataset
    public var point: ParameterPointSpec
    /// "file: cases[i]", for errors.
    public var source: String
    /// "logistic/iris+std@unit"
    public var caseName: String { CaseName.of(model: model, data: data, point: point.name) }

    public init(model: ModelChoice, data: Dataset, point: ParameterPointSpec, source: String) {
      self.model = model
      self.data = data
      self.point = point
      self.source = source
    }
  }

  public init(
    places: [Place], seed: UInt64, threads: Int, claim: String,
    progress: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.places = places
    self.seed = seed
    self.threads = threads
    self.claim = claim
    self.progress = progress
  }

  public var places: [Place]
  public var seed: UInt64
  public var threads: Int
  /// The spec's claim, to announce each place with.
  public var claim: String
  public var progress: @Sendable (String) -> Void

  /// `body` applied to every place, each announced on `progress` first, in order.
  public func map<T>(_ body: (Place) throws(InputError) -> T) throws(InputError) -> [T] {
    var results: [T] = []
    for place in places {
      progress("\(claim) \(place.caseName)")
      results.append(try body(place))
    }
    return results
  }
}

/// A result table with the schema that describes its columns (the header is the schema's names).
package struct SchemaTable: Sendable {
  public var schema: TableSchema
  public var document: CSVDocument
  /// What the table's file name adds to the spec's stem (one of its claim's `tableSuffixes`).
  public var suffix: String

  /// An empty table with the schema's columns.
  public init(_ schema: TableSchema, suffix: String = "") {
    self.schema = schema
    self.suffix = suffix
    document = CSVDocument(header: schema.columns.map(\.name))
  }

  public mutating func append(_ cells: [CSVCell]) { document.append(cells) }
}

/// A figure as written: its file name, its SVG text (no caption inside, so it projects cleanly), and the
/// caption that REPORT.md prints under it.
package struct DrawnFigure: Sendable {
  public var name: String
  public var svg: String
  public var caption: String
  /// Where the figure does not show what its words say (`PlotFigure.problems`); empty when true to them.
  public var problems: [String]

  init(name: String, figure: PlotFigure) {
    self.name = name
    svg = figure.render()
    caption = figure.caption.joined(separator: " ")
    problems = figure.problems()
  }
}

/// Figures as SVG text with their captions, in order.
func rendered(_ figures: [(String, PlotFigure)]) -> [DrawnFigure] {
  figures.map { DrawnFigure(name: $0.0, figure: $0.1) }
}

/// One figure drawn from the tables with `suffix` of every spec of a claim, concatenated; none when no spec
/// has that table.
func figure(
  _ name: String, from runs: [[String: ResultTable]], suffix: String = "", _ make: (ResultTable) -> PlotFigure
) -> [DrawnFigure] {
  guard let table = ResultTable.concatenating(runs.compactMap { $0[suffix] }) else { return [] }
  return [DrawnFigure(name: name, figure: make(table))]
}

/// A claim's result when it is one record per case, in spec order.
package struct CaseResults<Record: Sendable>: Sendable {
  public let records: [Record]
  public init(records: [Record]) { self.records = records }
}

/// One case of a control's run: its name and the control measured on it.
package struct CaseRecord<Control: Sendable>: Sendable {
  public var caseName: String
  public var control: Control
  public init(caseName: String, control: Control) {
    self.caseName = caseName
    self.control = control
  }
}

import Foundation

/// A table a run produced: its file name, its schema and its rows.
package struct ResultTableFile: Sendable {
  public var name: String
  public var schema: TableSchema
  public var document: CSVDocument

  public init(name: String, table: SchemaTable) {
    self.name = name
    schema = table.schema
    document = table.document
  }
}

/// What running one spec produced: its tables, verdict rows and notes.
package struct ExperimentOutcome: Sendable {
  /// The spec's claim ("N3").
  public var claim: String
  public var tables: [ResultTableFile]
  public var verdicts: [VerdictRow]
  /// One-line notes for the user (e.g. which data sets were standardised).
  public var notes: [String]
  /// The tables by the claim's suffixes, for its figures.
  var tablesBySuffix: [String: CSVDocument]
}

/// A spec file, its decoded spec and what running it produced.
package struct ExperimentRun: Sendable {
  public var file: String
  public var spec: ExperimentSpec
  public var outcome: ExperimentOutcome
}

/// A figure of the results: its file name, the claim it belongs to and its SVG text.
package struct ResultFigure: Sendable {
  public var name: String
  public var claim: String
  public var svg: String
  /// What the figure shows and how to read it (printed under it in REPORT.md, not drawn in it).
  public var caption: String
  /// Where it does not show what its words say (`DrawnFigure.problems`); empty when true to them.
  public var problems: [String] = []
}

/// Runs the specs in Experiments/, whatever their claims, through the claims' `Experiment` types.
package enum ExperimentRunner {
  /// The spec files of a folder, sorted by name.
  public static func specFiles(in folder: String) throws(InputError) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      throw InputError("\(folder): no such folder (run from the project root, or pass --experiments DIR)")
    }
    let specs = names.filter { $0.hasSuffix(".json") }.sorted().map { folder + "/" + $0 }
    guard !specs.isEmpty else { throw InputError("\(folder): no experiment specs (*.json)") }
    return specs
  }

  /// Every spec of a folder, decoded (so that a bad one fails before any work).
  public static func loadAll(folder: String) throws(InputError) -> [(file: String, spec: ExperimentSpec)] {
    var specs: [(file: String, spec: ExperimentSpec)] = []
    for file in try specFiles(in: folder) { specs.append((file, try ExperimentSpec.load(path: file))) }
    return specs
  }

  /// Decodes every spec first, then runs them in order.
  public static func runAll(
    folder: String, threads: Int, progress: @escaping @Sendable (String) -> Void = { _ in }
  ) throws(InputError) -> [ExperimentRun] {
    var runs: [ExperimentRun] = []
    for (file, spec) in try loadAll(folder: folder) {
      runs.append(ExperimentRun(file: file, spec: spec, outcome: try run(spec, file: file, threads: threads, progress: progress)))
    }
    return runs
  }

  /// Every case's data, loaded once (all of them before any work, so a bad file fails first).
  static func places(_ spec: ExperimentSpec, file: String, folder: String) throws(InputError) -> [ExperimentInput.Place] {
    var places: [ExperimentInput.Place] = []
    for (index, c) in spec.cases.enumerated() {
      let data = try c.data.load(target: c.model.kind.target, relativeTo: folder)
      for point in spec.points {
        places.append(ExperimentInput.Place(model: c.model, data: data, point: point, source: "\(file): cases[\(index)]"))
      }
    }
    return places
  }

  /// Runs one spec; its tables are named after the spec file ("C1-linearity.json" → "C1-linearity.csv",
  /// "C1-linearity-halving.csv").
  public static func run(
    _ spec: ExperimentSpec, file: String, threads: Int, progress: @escaping @Sendable (String) -> Void = { _ in }
  ) throws(InputError) -> ExperimentOutcome {
    let url = URL(fileURLWithPath: file)
    let places = try places(spec, file: file, folder: url.deletingLastPathComponent().path)
    var notes: [String] = []
    for place in places {
      if let s = place.data.standardization, !notes.contains("\(place.data.name): \(s.summary)") {
        notes.append("\(place.data.name): \(s.summary)")
      }
    }
    let input = ExperimentInput(
      places: places, seed: spec.seed, threads: threads, claim: spec.claim, progress: progress)
    return try spec.experiment.outcome(input, stem: url.deletingPathExtension().lastPathComponent, notes: notes)
  }

  /// The figures of a run's outcomes, claim by claim in registry order, each claim's drawn from the tables of
  /// all its specs.
  public static func figures(_ outcomes: [ExperimentOutcome]) throws(InputError) -> [ResultFigure] {
    try figures(outcomes.map { ($0.claim, $0.tablesBySuffix) })
  }

  /// The figures drawn from tables read back from files: each spec's tables found by its file stem (the
  /// way `run` named them); a spec whose tables are not all there draws nothing.
  public static func figures(
    specs: [(file: String, spec: ExperimentSpec)], tables: [String: CSVDocument]
  ) throws(InputError) -> [ResultFigure] {
    var runs: [(claim: String, tables: [String: CSVDocument])] = []
    for (file, spec) in specs {
      let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
      let suffixes = type(of: spec.experiment).tableSuffixes
      let found = suffixes.compactMap { suffix in tables["\(stem)\(suffix).csv"].map { (suffix, $0) } }
      if found.count == suffixes.count { runs.append((spec.claim, Dictionary(uniqueKeysWithValues: found))) }
    }
    return try figures(runs)
  }

  /// Each claim's figures from its tables; a column a figure reads that its table lacks is an error that
  /// names the claim's table and the column (a figure never silently loses what it shows).
  static func figures(_ runs: [(claim: String, tables: [String: CSVDocument])]) throws(InputError) -> [ResultFigure] {
    var figures: [ResultFigure] = []
    for kind in ExperimentRegistry.all {
      let mine = runs.filter { $0.claim == kind.claim }.map { $0.tables.mapValues(ResultTable.init) }
      guard !mine.isEmpty else { continue }
      let drawn = kind.figures(mine)
      for tables in mine {
        for (suffix, table) in tables.sorted(by: { $0.key < $1.key }) where !table.missingColumns.isEmpty {
          let names = table.missingColumns.map { "'\($0)'" }.joined(separator: ", ")
          throw InputError("\(kind.claim) table '\(suffix.isEmpty ? "main" : suffix)': no column \(names), which \(drawn.map(\.name).joined(separator: ", ")) reads")
        }
        for (suffix, table) in tables.sorted(by: { $0.key < $1.key }) {
          guard let bad = table.unusableCell else { continue }
          let problem = bad.text.isEmpty ? "is empty where the figure needs a number"
            : "\(InputError.quote(bad.text)) is not a number a figure can place (finite, 0 or between 1e-300 and 1e300 in size)"
          throw InputError("\(kind.claim) table '\(suffix.isEmpty ? "main" : suffix)', row \(bad.row), column '\(bad.column)': \(problem)")
        }
      }
      figures += drawn.map { ResultFigure(name: $0.name, claim: kind.claim, svg: $0.svg, caption: $0.caption, problems: $0.problems) }
    }
    return figures
  }
}

extension Experiment {
  /// Runs the claim and lays its result out as named tables and verdict rows.
  func outcome(_ input: ExperimentInput, stem: String, notes: [String]) throws(InputError) -> ExperimentOutcome {
    let result = try run(input)
    let tables = self.tables(result)
    precondition(tables.map(\.suffix) == Self.tableSuffixes, "\(Self.claim): tables \(tables.map(\.suffix)), not \(Self.tableSuffixes)")
    let files = tables.map { ResultTableFile(name: "\(stem)\($0.suffix).csv", table: $0) }
    let rows = verdicts(result)
    let undeclared = Set(rows.map(\.claim)).subtracting(Self.verdictClaimNames)
    precondition(undeclared.isEmpty, "\(Self.claim): verdict rows name \(undeclared.sorted()), not in VerdictClaims")
    return ExperimentOutcome(
      claim: Self.claim, tables: files, verdicts: rows, notes: notes,
      tablesBySuffix: Dictionary(uniqueKeysWithValues: tables.map { ($0.suffix, $0.document) }))
  }
}

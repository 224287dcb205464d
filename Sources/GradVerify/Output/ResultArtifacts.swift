import Foundation

/// Every file a run writes into results/ beside REPORT.md and datapackage.json: its tables, then the
/// figures drawn from them; and the comparison of a run with the files committed there.
package struct ResultArtifacts: Sendable {
  /// (file name, text) in the order written.
  public var files: [(name: String, text: String)]
  public var figures: [ResultFigure]

  public init(_ outcomes: [ExperimentOutcome]) {
    // The tables were just written by the claims themselves: a column missing here is a bug in a figure.
    do { figures = try ExperimentRunner.figures(outcomes) } catch { preconditionFailure(error.message) }
    files = outcomes.flatMap(\.tables).map { ($0.name, $0.document.text) } + figures.map { ($0.name, $0.svg) }
  }

  /// Writes every file into `folder`, all or none (`OutputFolder`), with `extra` files beside them.
  public func write(to folder: String, with extra: [(name: String, text: String)] = []) throws(InputError) {
    try OutputFolder.write(files.map { ($0.name, $0.text) } + extra, to: folder)
  }

  /// Removes from `folder` the files `earlier` names (what its previous datapackage.json described) that this
  /// write did not put there: the tables and figures of a claim or spec no longer run. Returns their names.
  public static func removeLeftovers(
    described earlier: [String], written: [String], from folder: String
  ) throws(InputError) -> [String] {
    // Regular files only: a folder or a link of that name is not something a run wrote.
    let leftovers = earlier.filter { name in
      var info = stat()
      return !written.contains(name) && lstat(folder + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }
    for name in leftovers {
      do { try FileManager.default.removeItem(atPath: folder + "/" + name) } catch {
        throw InputError(file: folder + "/" + name, "was written by an earlier run and cannot be removed (\(error.localizedDescription))")
      }
    }
    return leftovers
  }

  /// The files of `folder` that differ from this run's bytes (or are missing there), in order.
  public func differences(from folder: String) -> [(path: String, missing: Bool)] {
    files.compactMap { file in
      let path = folder + "/" + file.name
      let committed = FileManager.default.contents(atPath: path)
      return committed == Data(file.text.utf8) ? nil : (path, committed == nil)
    }
  }
}

extension ResultArtifacts {
  /// The tables (CSV files) of a results folder, read back as documents, by file name.
  public static func tables(in folder: String) throws(InputError) -> [String: CSVDocument] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      throw InputError("\(folder): no such folder (run 'make results' first, or pass --results DIR)")
    }
    var tables: [String: CSVDocument] = [:]
    for name in names.filter({ $0.hasSuffix(".csv") }).sorted() {
      let table = try CSVTable.load(path: folder + "/" + name)
      var document = CSVDocument(header: table.header)
      document.rows = table.records.map(\.cells)
      tables[name] = document
    }
    return tables
  }

  /// Every figure redrawn from the tables of `results` for the specs of `experiments`, without running
  /// anything: what `make results` would draw from those tables.
  public static func redrawnFigures(experiments: String, results: String) throws(InputError) -> [ResultFigure] {
    try ExperimentRunner.figures(specs: try ExperimentRunner.loadAll(folder: experiments), tables: try tables(in: results))
  }

  /// The folder `verify` compares its tables with: the one named (`--results`), none with `--no-compare`,
  /// otherwise `results/` when the run is of the committed `Experiments/` and that folder is there.
  public static func comparisonFolder(
    experiments: String, named: String?, skip: Bool
  ) throws(InputError) -> String? {
    if named != nil && skip { throw InputError("verify: --results and --no-compare exclude each other") }
    if let named { return named }
    guard !skip, experiments == "Experiments" else { return nil }
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: "results", isDirectory: &isDirectory) && isDirectory.boolValue ? "results" : nil
  }
}

import Synchronization

/// A results table read back by column name, for drawing figures from the same rows the CSV holds (so that
/// a figure can be redrawn from a committed table alone).
///
/// A column that is not there reads as empty, and its name is logged (`missingColumns`): whoever drew from
/// the table must then refuse the figure, so a renamed column can never silently drop what a figure shows.
public struct ResultTable: Sendable {
  public let document: CSVDocument
  private let columns: [String: Int]
  private let log: MissingColumnLog

  public init(_ document: CSVDocument) {
    self.init(document, log: MissingColumnLog())
  }

  init(_ document: CSVDocument, log: MissingColumnLog) {
    self.document = document
    self.log = log
    columns = Dictionary(document.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// The names read that the table does not have, in the order first read.
  public var missingColumns: [String] { log.names }

  /// The rows of several tables with one header (several specs of one claim), in order; tables with another
  /// header than the first are left out. Nil when there is none.
  public static func concatenating(_ tables: [ResultTable]) -> ResultTable? {
    guard let first = tables.first else { return nil }
    var document = first.document
    for table in tables.dropFirst() where table.document.header == document.header {
      document.rows += table.document.rows
    }
    return ResultTable(document, log: first.log)
  }

  /// One row, read by column name.
  public struct Row {
    let cells: [String]
    let columns: [String: Int]
    let log: MissingColumnLog

    /// The cell's text ("" when the column is absent, which is logged).
    public subscript(_ name: String) -> String {
      guard let k = columns[name] else {
        log.record(name)
        return ""
      }
      return cells[k]
    }

    /// The cell as a number; nil when empty or not a number.
    public func number(_ name: String) -> Double? { Double(self[name]) }
  }

  public var rows: [Row] { document.rows.map { Row(cells: $0, columns: columns, log: log) } }

  /// The distinct values of a column, in order of first appearance.
  public func distinct(_ name: String) -> [String] {
    var seen = Set<String>()
    return rows.map { $0[name] }.filter { seen.insert($0).inserted }
  }
}

/// The column names a figure asked a table for and did not find.
final class MissingColumnLog: Sendable {
  private let recorded = Mutex<[String]>([])
  func record(_ name: String) { recorded.withLock { if !$0.contains(name) { $0.append(name) } } }
  var names: [String] { recorded.withLock { $0 } }
}

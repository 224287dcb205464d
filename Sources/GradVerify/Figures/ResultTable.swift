
import Synchronization

/// A results table read back through the columns its claim declares, for drawing figures from the same rows the CSV holds (so that
/// a figure can be redrawn from a committed table alone).
///
/// A column that is not there reads as empty, and its name is logged (`missingColumns`); so is a cell read as
/// a number that is not one a figure can place (empty where a number is needed, text, non-finite, or beyond
/// 10^±300: `unusableCell`). Whoever
/// drew from the table must then refuse the figure, so a renamed column or an edited cell can never silently
/// change what a figure shows.
package struct ResultTable: Sendable {
  public let document: CSVDocument
  private let columns: [String: Int]
  private let log: TableReadLog

  public init(_ document: CSVDocument) {
    self.init(document, log: TableReadLog())
  }

  init(_ document: CSVDocument, log: TableReadLog) {
    self.document = document
    self.log = log
    columns = Dictionary(document.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// The names read that the table does not have, in the order first read.
  public var missingColumns: [String] { log.names }

  /// The first cell read as a number that is not a usable one: its data row (1 = the first after the
  /// header), column and text.
  public var unusableCell: (row: Int, column: String, text: String)? { log.unusable }

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

  /// One row, read by the columns its table declares (never by a name typed again).
  public struct Row {
    let cells: [String]
    let columns: [String: Int]
    let log: TableReadLog
    /// 1 for the first data row.
    let index: Int

    /// The cell's text ("" when the column is absent, which is logged).
    public subscript(_ column: Column) -> String { text(column.name) }
    public subscript(_ column: some ColumnName) -> String { text(column.rawValue) }

    /// The cell as a number a figure needs; nil (and logged) when it is empty or not a number a figure can
    /// place.
    public func number(_ column: Column) -> Double? { number(column.name) }
    public func number(_ column: some ColumnName) -> Double? { number(column.rawValue) }

    /// The cell as a number where the table leaves it empty by design (a quantity defined for some rows
    /// only): nil when empty; otherwise as `number`.
    public func optionalNumber(_ column: Column) -> Double? { text(column.name).isEmpty ? nil : number(column.name) }
    public func optionalNumber(_ column: some ColumnName) -> Double? {
      text(column.rawValue).isEmpty ? nil : number(column.rawValue)
    }

    /// Whether the cell holds `true` as a table writes it (`CSVCell(true)`).
    public func isTrue(_ column: some ColumnName) -> Bool { text(column.rawValue) == CSVCell(true).text }

    fileprivate func text(_ name: String) -> String {
      guard let k = columns[name] else {
        log.record(name)
        return ""
      }
      return cells[k]
    }

    private func number(_ name: String) -> Double? {
      let text = text(name)
      guard let x = Double(text), PlotAxis.isPlaceable(x) else {
        log.record(row: index, column: name, text: text)
        return nil
      }
      return x
    }
  }

  public var rows: [Row] {
    document.rows.enumerated().map { Row(cells: $1, columns: columns, log: log, index: $0 + 1) }
  }

  /// The distinct values of a column, in order of first appearance.
  public func distinct(_ column: Column) -> [String] { distinct(column.name) }
  public func distinct(_ column: some ColumnName) -> [String] { distinct(column.rawValue) }

  private func distinct(_ name: String) -> [String] {
    var seen = Set<String>()
    return rows.map { $0.text(name) }.filter { seen.insert($0).inserted }
  }
}

/// What a figure read from a table and could not use: column names it lacks, and the first unusable cell.
final class TableReadLog: Sendable {
  private let recorded = Mutex<[String]>([])
  private let firstUnusable = Mutex<(row: Int, column: String, text: String)?>(nil)
  func record(_ name: String) { recorded.withLock { if !$0.contains(name) { $0.append(name) } } }
  func record(row: Int, column: String, text: String) { firstUnusable.withLock { if $0 == nil { $0 = (row, column, text) } } }
  var names: [String] { recorded.withLock { $0 } }
  var unusable: (row: Int, column: String, text: String)? { firstUnusable.withLock { $0 } }
}

/// A results table read back by column name, for drawing figures from the same rows the CSV holds (so that
/// a figure can be redrawn from a committed table alone).
public struct ResultTable: Sendable {
  public let document: CSVDocument
  private let columns: [String: Int]

  public init(_ document: CSVDocument) {
    self.document = document
    columns = Dictionary(document.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// The rows of several tables with one header (several specs of one claim), in order; tables with another
  /// header than the first are left out. Nil when there is none.
  public static func concatenating(_ tables: [ResultTable]) -> ResultTable? {
    guard let first = tables.first else { return nil }
    var document = first.document
    for table in tables.dropFirst() where table.document.header == document.header {
      document.rows += table.document.rows
    }
    return ResultTable(document)
  }

  /// One row, read by column name.
  public struct Row {
    let cells: [String]
    let columns: [String: Int]

    /// The cell's text ("" when the column is absent).
    public subscript(_ name: String) -> String { columns[name].map { cells[$0] } ?? "" }

    /// The cell as a number; nil when empty or not a number.
    public func number(_ name: String) -> Double? { Double(self[name]) }
  }

  public var rows: [Row] { document.rows.map { Row(cells: $0, columns: columns) } }

  /// The distinct values of a column, in order of first appearance.
  public func distinct(_ name: String) -> [String] {
    var seen = Set<String>()
    return rows.map { $0[name] }.filter { seen.insert($0).inserted }
  }
}

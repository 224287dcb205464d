/// A results table read back by column name, for drawing figures from the same rows the CSV holds.
struct ResultTable {
  let document: CSVDocument
  private let columns: [String: Int]

  init(_ document: CSVDocument) {
    self.document = document
    columns = Dictionary(document.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// One row, read by column name.
  struct Row {
    let cells: [String]
    let columns: [String: Int]

    /// The cell's text ("" when the column is absent).
    subscript(_ name: String) -> String { columns[name].map { cells[$0] } ?? "" }

    /// The cell as a number; nil when empty or not a number.
    func number(_ name: String) -> Double? { Double(self[name]) }
  }

  var rows: [Row] { document.rows.map { Row(cells: $0, columns: columns) } }

  /// The distinct values of a column, in order of first appearance.
  func distinct(_ name: String) -> [String] {
    var seen = Set<String>()
    return rows.map { $0[name] }.filter { seen.insert($0).inserted }
  }
}

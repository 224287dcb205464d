import GradVerify
import Testing

/// The columns the test table's "figure" reads, as a claim declares them.
private enum ReadColumns: String, ColumnName { case count, missing = "not_in_the_table" }

@Suite("Typed tables: each column declared once with the cell it is filled with")
struct RecordTableTests {
  /// A table of (name, x, count) records: a column declared apart, a column of its own, and one a figure reads.
  typealias Record = (name: String, x: Double, count: Int?)

  static let name = Column("case", "the record's name", unit: "1")

  static let table = RecordTable<Record>([
    .column(name) { CSVCell($0.name) },
    .column("x", "an x, in gradient units", unit: "gradient") { CSVCell($0.x) },
    .column(ReadColumns.count, "how many", unit: "1") { CSVCell($0.count) },
  ])

  @Test("the header, the data package's schema and every row come from the one declaration, each cell under its column")
  func filledInDeclaredOrder() {
    let records: [Record] = [("a", 0.5, 3), ("b", .nan, nil), ("c", -2, 0)]
    let filled = Self.table.filled(with: records)
    #expect(filled.document.header == ["case", "x", "count"])
    #expect(filled.schema.columns.map { $0.name } == filled.document.header)
    #expect(filled.schema.columns.map { $0.unit } == ["1", "gradient", "1"])
    #expect(filled.schema.columns[1].description == "an x, in gradient units")
    #expect(filled.schema.columns[0] == Self.name)
    // A non-finite number and an absent count are empty cells; every row has one cell per column.
    #expect(filled.document.rows == [["a", "0.5", "3"], ["b", "", ""], ["c", "-2.0", "0"]])
    #expect(Self.table.filled(with: []).document.rows.isEmpty)
  }

  @Test("a figure reads a column by the name its claim declares; a declared name the table lacks is logged, not read as data")
  func readByDeclaredName() {
    let records: [Record] = [("a", 0.5, 3), ("b", 1, nil)]
    let table = ResultTable(Self.table.filled(with: records).document)
    let rows = table.rows
    #expect(rows[0].number(ReadColumns.count) == 3)
    #expect(rows[1].optionalNumber(ReadColumns.count) == nil)
    #expect(table.distinct(Self.name) == ["a", "b"])
    #expect(table.missingColumns.isEmpty && table.unusableCell == nil)
    #expect(rows[0][ReadColumns.missing] == "")
    #expect(table.missingColumns == ["not_in_the_table"])
    // A cell a figure needs as a number but the table left empty is named by row and column.
    #expect(rows[1].number(ReadColumns.count) == nil)
    #expect(table.unusableCell?.row == 2 && table.unusableCell?.column == "count")
  }
}

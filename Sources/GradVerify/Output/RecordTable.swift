
/// A result table declared once: each column with what it means and the function that fills its cell from
/// one typed record (a row). A column cannot be declared without its cell, nor a cell filled out of the
/// header's order; the CSV header and the data package's Table Schema come from the same declarations.
package struct RecordTable<Record>: Sendable {
  /// One column and how a record fills its cell.
  package struct Field: Sendable {
    package let column: Column
    let cell: @Sendable (Record) -> CSVCell

    /// A column shared with other tables (`Column.caseName`, …), filled by `cell`.
    package static func column(_ column: Column, _ cell: @escaping @Sendable (Record) -> CSVCell) -> Field {
      Field(column: column, cell: cell)
    }

    /// A column its claim's figures read, by the name the claim declares for it, filled by `cell`.
    package static func column(
      _ name: some ColumnName, _ description: String, unit: String, _ cell: @escaping @Sendable (Record) -> CSVCell
    ) -> Field {
      Field(column: Column(name.rawValue, description, unit: unit), cell: cell)
    }

    /// A column of this table alone, filled by `cell`.
    package static func column(
      _ name: String, _ description: String, unit: String, _ cell: @escaping @Sendable (Record) -> CSVCell
    ) -> Field {
      Field(column: Column(name, description, unit: unit), cell: cell)
    }
  }

  /// What its file name adds to the spec's stem: a spec "X.json" writes the table "X\(suffix).csv".
  package let suffix: String
  package let fields: [Field]

  package init(suffix: String = "", _ fields: [Field]) {
    self.suffix = suffix
    self.fields = fields
  }

  package var schema: TableSchema { TableSchema(fields.map(\.column)) }

  /// The table of these records, one row each, in order.
  package func filled(with records: some Sequence<Record>) -> SchemaTable {
    var table = SchemaTable(schema, suffix: suffix)
    for record in records { table.append(fields.map { $0.cell(record) }) }
    return table
  }
}

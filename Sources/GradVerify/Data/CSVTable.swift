import Foundation

/// A CSV file read as text: one header row, then records of string cells, each with its line number
/// (the rules of `CSVBytes`: RFC 4180 fields, "\n" or "\r\n" line ends, blank lines skipped, a record
/// on one line). For numeric data `Dataset.load(csv:target:)` reads straight into a matrix instead.
package struct CSVTable: Sendable {
  public var path: String
  public var header: [String]
  /// (1-based line number in the file, cells)
  public var records: [(line: Int, cells: [String])]

  /// Reads and splits a CSV file; every problem is an `InputError` naming the file and line.
  public static func load(path: String, minimumColumns: Int = 2) throws(InputError) -> CSVTable {
    try parse(try CSVBytes.contents(of: path), path: path, minimumColumns: minimumColumns)
  }

  /// The most columns a data file may have.
  public static let maxColumns = 100_000

  /// Splits CSV bytes already in memory (the rules: `CSVBytes`); `path` names them in errors.
  public static func parse(_ data: Data, path: String, minimumColumns: Int = 2) throws(InputError) -> CSVTable {
    try CSVBytes.withBytes(of: data) { (all) throws(InputError) -> CSVTable in
      let file = try CSVBytes.validate(all, path: path)
      guard let (header, headerLine, bodyStart) = try file.header(minimumColumns: minimumColumns) else {
        throw InputError(file: path, "empty file (expected a header row and data rows)")
      }
      var records: [(line: Int, cells: [String])] = []
      var start = bodyStart
      var line = headerLine
      while start <= file.bytes.count {
        line += 1
        let (content, next) = file.lineEnd(from: start)
        defer { start = next }
        if file.isBlank(start, content) { continue }
        let cells = try file.cells(start, content, line: line)
        guard cells.count == header.count else {
          throw InputError(file: path, line: line, "expected \(header.count) columns as in the header, found \(cells.count)")
        }
        records.append((line, cells))
      }
      guard !records.isEmpty else { throw InputError(file: path, "header only, no data rows") }
      return CSVTable(path: path, header: header, records: records)
    }
  }

  static func validateHeader(_ cells: [String], path: String, line: Int, minimumColumns: Int = 2) throws(InputError) {
    guard cells.count >= minimumColumns else {
      let other = [";", "\t", "|"].first { cells.first?.contains($0) == true }
      let hint = other.map { "; the header has \($0 == "\t" ? "tabs" : "'\($0)'") in it: pass --delimiter '\($0 == "\t" ? "\\t" : $0)'" } ?? ""
      throw InputError(file: path, line: line, "header has \(cells.count) column; need at least one feature and the target\(hint)")
    }
    var seen: [String: Int] = [:]
    for (column, name) in cells.enumerated() {
      let trimmed = name.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty else {
        let hint = column == 0 ? " (a pandas index? pass --drop 1, or write the file with to_csv(index=False))" : ""
        throw InputError(file: path, line: line, "header column \(column + 1) has no name\(hint)")
      }
      if let first = seen[trimmed] {
        throw InputError(file: path, line: line, "header name \(InputError.quote(trimmed)) appears in columns \(first + 1) and \(column + 1)")
      }
      seen[trimmed] = column
    }
  }

  /// One record's cells, RFC 4180 quoting, on Unicode characters: the route for lines that are not ASCII.
  static func splitRecord(_ line: Substring, path: String, line number: Int) throws(InputError) -> [String] {
    var cells: [String] = []
    var cell = ""
    var inQuotes = false
    var wasQuoted = false
    var iterator = line.makeIterator()
    var pending: Character? = nil
    while let c = pending ?? iterator.next() {
      pending = nil
      if inQuotes {
        if c == "\"" {
          if let following = iterator.next() {
            if following == "\"" { cell.append("\"") } else { inQuotes = false; pending = following }
          } else {
            inQuotes = false
          }
        } else {
          cell.append(c)
        }
      } else if c == "," {
        cells.append(wasQuoted ? cell : cell.trimmingCharacters(in: .whitespacesAndNewlines))
        cell = ""
        wasQuoted = false
      } else if c == "\"" && cell.allSatisfy({ $0 == " " }) && !wasQuoted {
        cell = ""
        inQuotes = true
        wasQuoted = true
      } else if wasQuoted && c != " " {
        throw InputError(file: path, line: number, "text after a closing quote in column \(cells.count + 1)")
      } else {
        cell.append(c)
      }
    }
    if inQuotes { throw InputError(file: path, line: number, "unterminated quote in column \(cells.count + 1)") }
    cells.append(wasQuoted ? cell : cell.trimmingCharacters(in: .whitespacesAndNewlines))
    return cells
  }
}

import Foundation

/// A CSV file read as text: one header row, then records of string cells, each with its line number.
///
/// RFC 4180 fields: separated by commas, optionally in double quotes (a quote inside doubled);
/// "\n" or "\r\n" line ends; blank lines are skipped; a record may not span lines.
public struct CSVTable: Sendable {
  public var path: String
  public var header: [String]
  /// (1-based line number in the file, cells)
  public var records: [(line: Int, cells: [String])]

  /// Reads and splits a CSV file; every problem is an `InputError` naming the file and line.
  public static func load(path: String) throws(InputError) -> CSVTable {
    guard let data = FileManager.default.contents(atPath: path) else {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        throw InputError("\(path): cannot read (\(isDirectory.boolValue ? "a directory" : "permission denied"))")
      }
      throw InputError("\(path): no such file")
    }
    return try parse(data, path: path)
  }

  /// The most columns a data file may have.
  public static let maxColumns = 100_000

  /// Splits CSV bytes already in memory; `path` names them in errors.
  public static func parse(_ data: Data, path: String) throws(InputError) -> CSVTable {
    try checkHeaderWidth(data, path: path)
    guard let text = String(data: data, encoding: .utf8) else {
      throw InputError("\(path): not valid UTF-8 text")
    }
    var header: [String]?
    var records: [(line: Int, cells: [String])] = []
    var lineNumber = 0
    for line in text.textLines {
      lineNumber += 1
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      let cells = try splitRecord(line, path: path, line: lineNumber)
      if let header {
        guard cells.count == header.count else {
          throw InputError(
            "\(path):\(lineNumber): expected \(header.count) columns as in the header, found \(cells.count)")
        }
        records.append((lineNumber, cells))
      } else {
        try validateHeader(cells, path: path, line: lineNumber)
        header = cells
      }
    }
    guard let header else { throw InputError("\(path): empty file (expected a header row and data rows)") }
    guard !records.isEmpty else { throw InputError("\(path): header only, no data rows") }
    return CSVTable(path: path, header: header, records: records)
  }

  /// Refuses a header (the first line that is not blank) of `maxColumns` or more columns, counted on the raw
  /// bytes before any copy is made: a 10⁹-column header is a gigabyte. Quoted commas only lower the true count.
  static func checkHeaderWidth(_ data: Data, path: String) throws(InputError) {
    let (line, commas) = data.withUnsafeBytes { bytes -> (Int, Int) in
      var (line, commas, blank) = (1, 0, true)
      for (i, byte) in bytes.enumerated() {
        if byte == UInt8(ascii: "\n") {
          if !blank { break }
          line += 1
        } else if byte == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") {
          continue  // the "\r" of a "\r\n" line end
        } else {
          if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { blank = false }
          if byte == UInt8(ascii: ",") { commas += 1 }
        }
      }
      return (line, commas)
    }
    if commas >= maxColumns { throw InputError("\(path):\(line): header has more than \(maxColumns) columns") }
  }

  static func validateHeader(_ cells: [String], path: String, line: Int) throws(InputError) {
    guard cells.count >= 2 else {
      throw InputError("\(path):\(line): header has \(cells.count) column; need at least one feature and the target")
    }
    var seen: [String: Int] = [:]
    for (column, name) in cells.enumerated() {
      let trimmed = name.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty else { throw InputError("\(path):\(line): header column \(column + 1) has no name") }
      if let first = seen[trimmed] {
        throw InputError("\(path):\(line): header name \(InputError.quote(trimmed)) appears in columns \(first + 1) and \(column + 1)")
      }
      seen[trimmed] = column
    }
  }

  /// One record's cells, RFC 4180 quoting.
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
        throw InputError("\(path):\(number): text after a closing quote in column \(cells.count + 1)")
      } else {
        cell.append(c)
      }
    }
    if inQuotes { throw InputError("\(path):\(number): unterminated quote in column \(cells.count + 1)") }
    cells.append(wasQuoted ? cell : cell.trimmingCharacters(in: .whitespacesAndNewlines))
    return cells
  }
}

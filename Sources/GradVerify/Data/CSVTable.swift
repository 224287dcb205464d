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
    // An absurd first line is refused on the raw bytes, before any copy (a 10⁹-column header is 1 GB).
    let firstLineCommas = data.withUnsafeBytes { bytes -> Int in
      var commas = 0
      for byte in bytes {
        if byte == UInt8(ascii: "\n") { break }
        if byte == UInt8(ascii: ",") { commas += 1 }
      }
      return commas
    }
    if firstLineCommas >= maxColumns {
      throw InputError("\(path):1: header has more than \(maxColumns) columns")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw InputError("\(path): not valid UTF-8 text")
    }
    var header: [String]?
    var records: [(line: Int, cells: [String])] = []
    var lineNumber = 0
    for line in text.textLines {
      lineNumber += 1
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      // Counted before splitting, so an absurd header costs no memory (quoted commas only lower the true count).
      if header == nil, line.utf8.lazy.filter({ $0 == UInt8(ascii: ",") }).count >= maxColumns {
        throw InputError("\(path):\(lineNumber): header has more than \(maxColumns) columns")
      }
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

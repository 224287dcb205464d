// The CSV reader as it was before the byte-level one (Foundation strings, `Double(String)`), kept as the
// oracle the new reader must match on every input: the same data set or the same error message.
// Also compiled into the fuzz target (`make fuzz`), with this import removed.
import Foundation
import GradVerify

enum ReferenceCSVReader {
  /// What the old reader gave: a data set, or the message of the error it threw.
  static func read(_ data: Data, path: String, target: TargetKind) -> Result<Dataset, InputError> {
    Result { () throws(InputError) -> Dataset in try dataset(data, path: path, target: target) }
  }

  static func dataset(_ data: Data, path: String, target: TargetKind) throws(InputError) -> Dataset {
    let (header, records) = try parse(data, path: path)
    let d = header.count - 1
    var features: [Double] = []
    var targets: [Double] = []
    var labels: [String] = []
    for (line, cells) in records {
      for k in 0..<d { features.append(try number(cells[k], path: path, line: line, column: k, header: header)) }
      switch target {
      case .numeric: targets.append(try number(cells[d], path: path, line: line, column: d, header: header))
      case .label:
        guard !cells[d].isEmpty else {
          throw InputError("\(path):\(line): column \(d + 1) \(InputError.quote(header[d])): empty label")
        }
        labels.append(cells[d])
      }
    }
    let names = header.prefix(d).map { $0.trimmingCharacters(in: .whitespaces) }
    let file = path.split(separator: "/").last.map(String.init) ?? path
    let name = file.hasSuffix(".csv") ? String(file.dropLast(4)) : file
    guard target == .label else {
      return Dataset(name: name, featureNames: names, features: features, targets: targets, classNames: [])
    }
    let classes = Set(labels).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var index: [String: Int] = [:]
    for (i, label) in classes.enumerated() { index[label] = i }
    return Dataset(
      name: name, featureNames: names, features: features, targets: labels.map { Double(index[$0]!) }, classNames: classes)
  }

  static func number(_ cell: String, path: String, line: Int, column: Int, header: [String]) throws(InputError) -> Double {
    let place = "\(path):\(line): column \(column + 1) \(InputError.quote(header[column]))"
    guard let value = Double(cell) else {
      throw InputError(cell.isEmpty ? "\(place): empty cell" : "\(place): \(InputError.quote(cell)) is not a number")
    }
    guard value.isFinite else {
      let lower = cell.lowercased()
      let spelled = lower.contains("nan") || lower.contains("inf")
      throw InputError("\(place): \(InputError.quote(cell)) is \(spelled ? "not finite" : "too large for a double (overflows)")")
    }
    return value
  }

  static func parse(_ data: Data, path: String) throws(InputError) -> ([String], [(Int, [String])]) {
    try checkHeaderWidth(data, path: path)
    guard var text = String(data: data, encoding: .utf8) else { throw InputError("\(path): not valid UTF-8 text") }
    if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }  // the new reader's one change
    var header: [String]?
    var records: [(Int, [String])] = []
    var lineNumber = 0
    for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
      lineNumber += 1
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      let cells = try splitRecord(line, path: path, line: lineNumber)
      if let header {
        guard cells.count == header.count else {
          throw InputError("\(path):\(lineNumber): expected \(header.count) columns as in the header, found \(cells.count)")
        }
        records.append((lineNumber, cells))
      } else {
        try validateHeader(cells, path: path, line: lineNumber)
        header = cells
      }
    }
    guard let header else { throw InputError("\(path): empty file (expected a header row and data rows)") }
    guard !records.isEmpty else { throw InputError("\(path): header only, no data rows") }
    return (header, records)
  }

  static func checkHeaderWidth(_ data: Data, path: String) throws(InputError) {
    let bytes = [UInt8](data)
    var (line, commas, blank) = (1, 0, true)
    for (i, byte) in bytes.enumerated() {
      if byte == UInt8(ascii: "\n") {
        if !blank { break }
        line += 1
      } else if byte == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") {
        continue
      } else {
        if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { blank = false }
        if byte == UInt8(ascii: ",") { commas += 1 }
      }
    }
    if commas >= 100_000 { throw InputError("\(path):\(line): header has more than 100000 columns") }
  }

  static func validateHeader(_ cells: [String], path: String, line: Int) throws(InputError) {
    guard cells.count >= 2 else {
      // The hint of the byte reader's message (issue 15): a delimiter other than the comma, named.
      let other = [";", "\t", "|"].first { cells.first?.contains($0) == true }
      let hint = other.map { "; the header has \($0 == "\t" ? "tabs" : "'\($0)'") in it: pass --delimiter '\($0 == "\t" ? "\\t" : $0)'" } ?? ""
      throw InputError("\(path):\(line): header has \(cells.count) column; need at least one feature and the target\(hint)")
    }
    var seen: [String: Int] = [:]
    for (column, name) in cells.enumerated() {
      let trimmed = name.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty else {
        let hint = column == 0 ? " (a pandas index? pass --drop 1, or write the file with to_csv(index=False))" : ""
        throw InputError("\(path):\(line): header column \(column + 1) has no name\(hint)")
      }
      if let first = seen[trimmed] {
        throw InputError("\(path):\(line): header name \(InputError.quote(trimmed)) appears in columns \(first + 1) and \(column + 1)")
      }
      seen[trimmed] = column
    }
  }

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

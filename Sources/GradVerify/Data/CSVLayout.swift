import Foundation

/// How a user's CSV is laid out, when it is not "comma-separated, target last": the delimiter, which column
/// is the target, and which columns to leave out (a pandas index, an id). `canonical` rewrites the file's
/// bytes to the reader's layout (commas, the kept features in file order, the target last), one line per
/// line, so line numbers in errors stay the file's.
public struct CSVLayout: Sendable, Equatable {
  /// A column by its header name or its 1-based position.
  public enum Column: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case position(Int)

    /// "3" is a position, anything else a name.
    public init(_ text: String) {
      if let k = Int(text), k >= 1 { self = .position(k) } else { self = .name(text) }
    }

    /// As a flag gives it.
    var flagText: String {
      switch self {
      case .name(let name): name
      case .position(let k): String(k)
      }
    }

    public var description: String {
      switch self {
      case .name(let name): "'\(name)'"
      case .position(let k): "column \(k)"
      }
    }
  }

  public var delimiter: UInt8 = UInt8(ascii: ",")
  /// nil: the last column.
  public var target: Column?
  public var drop: [Column] = []

  public init(delimiter: UInt8 = UInt8(ascii: ","), target: Column? = nil, drop: [Column] = []) {
    self.delimiter = delimiter
    self.target = target
    self.drop = drop
  }

  /// The delimiter a flag names: one ASCII character, or "tab" / "\\t".
  public static func delimiter(named text: String) -> UInt8? {
    if text == "tab" || text == "\\t" || text == "\t" { return UInt8(ascii: "\t") }
    guard text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80, byte != UInt8(ascii: "\""),
      byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r")
    else { return nil }
    return byte
  }

  /// Whether the file is read as it is.
  public var isDefault: Bool { delimiter == UInt8(ascii: ",") && target == nil && drop.isEmpty }

  /// The positions (0-based) of the kept features and of the target, given the header's names.
  public func columns(header: [String], path: String) throws(InputError) -> (features: [Int], target: Int) {
    func index(_ column: Column, role: String) throws(InputError) -> Int {
      switch column {
      case .position(let k):
        guard k <= header.count else {
          throw InputError(file: path, line: 1, "\(role) column \(k) does not exist: the header has \(header.count) columns")
        }
        return k - 1
      case .name(let name):
        guard let k = header.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == name }) else {
          let names = header.map { InputError.quote($0, limit: 20) }.prefix(12).joined(separator: ", ")
          throw InputError(file: path, line: 1, "\(role) column '\(name)' is not in the header (\(names)\(header.count > 12 ? ", …" : ""))")
        }
        return k
      }
    }
    let dropped = try Set(drop.map { (c: Column) throws(InputError) -> Int in try index(c, role: "--drop") })
    let target = try target.map { (c: Column) throws(InputError) -> Int in try index(c, role: "--target") } ?? header.count - 1
    guard !dropped.contains(target) else { throw InputError(file: path, line: 1, "the target column is also in --drop") }
    let features = (0..<header.count).filter { $0 != target && !dropped.contains($0) }
    guard !features.isEmpty else { throw InputError(file: path, line: 1, "no feature column is left") }
    return (features, target)
  }

  /// The file rewritten to the reader's layout. A line whose cell count differs from the header's is kept
  /// as it is, for the reader to report with its line number.
  public func canonical(_ data: Data, path: String) throws(InputError) -> (data: Data, header: [String]) {
    let bytes = [UInt8](data)
    var start = 0
    var lineNumber = 1
    var header: [String]?
    var out = [UInt8]()
    out.reserveCapacity(bytes.count)
    var columns: (features: [Int], target: Int)?
    while start < bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
      var lineEnd = end
      if lineEnd > start && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
      let cells = try split(bytes[start..<lineEnd], path: path, line: lineNumber)
      if header == nil && !(cells.count == 1 && cells[0].isEmpty) {
        header = cells
        columns = try self.columns(header: cells, path: path)
      }
      if let columns, let header, cells.count == header.count {
        let ordered = columns.features.map { cells[$0] } + [cells[columns.target]]
        out += Array(ordered.map(Self.quoted).joined(separator: ",").utf8)
      } else {
        out += bytes[start..<lineEnd]
      }
      if end < bytes.count { out.append(UInt8(ascii: "\n")) }
      start = end + 1
      lineNumber += 1
    }
    guard let header, let columns else { return (data, []) }
    return (Data(out), columns.features.map { header[$0] } + [header[columns.target]])
  }

  /// The cells of one line, split at the delimiter outside double quotes ("" inside quotes is one quote).
  func split(_ line: ArraySlice<UInt8>, path: String, line number: Int) throws(InputError) -> [String] {
    var cells: [String] = []
    var cell = [UInt8]()
    var quoted = false
    var index = line.startIndex
    while index < line.endIndex {
      let byte = line[index]
      if quoted {
        if byte == UInt8(ascii: "\"") {
          if index + 1 < line.endIndex && line[index + 1] == UInt8(ascii: "\"") {
            cell.append(byte)
            index += 1
          } else {
            quoted = false
          }
        } else {
          cell.append(byte)
        }
      } else if byte == UInt8(ascii: "\"") && cell.isEmpty {
        quoted = true
      } else if byte == delimiter {
        cells.append(String(decoding: cell, as: UTF8.self))
        cell.removeAll(keepingCapacity: true)
      } else {
        cell.append(byte)
      }
      index += 1
    }
    guard !quoted else { throw InputError(file: path, line: number, "unterminated quote in column \(cells.count + 1)") }
    cells.append(String(decoding: cell, as: UTF8.self))
    return cells
  }

  /// A cell as the comma-separated reader expects it: quoted when it holds a comma or a quote.
  static func quoted(_ cell: String) -> String {
    guard cell.contains(where: { $0 == "," || $0 == "\"" }) else { return cell }
    return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

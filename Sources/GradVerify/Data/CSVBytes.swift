import Foundation

/// The bytes of a CSV file and the rules that split them, shared by every reader (`CSVTable` for text
/// cells, `Dataset`'s numeric reader for matrices).
///
/// RFC 4180 fields: separated by commas, optionally in double quotes (a quote inside doubled); lines end
/// at "\n" or "\r\n"; a line of only spaces and tabs is blank and skipped; a record may not span lines; a
/// UTF-8 byte-order mark at the start is skipped. Unquoted fields are trimmed of white space; a quoted
/// field may have spaces before its opening quote (dropped) and after its closing quote (kept), and nothing
/// else. Lines of ASCII bytes are split here, on the bytes; a line with any other byte is split by
/// `CSVTable.splitRecord` on its Unicode characters, with the same rules, so the two agree on every input.
struct CSVBytes: @unchecked Sendable {
  /// The file's bytes after any byte-order mark.
  let bytes: UnsafeBufferPointer<UInt8>
  let path: String
  /// True when every byte is ASCII (then no line needs the Unicode route).
  let isAllASCII: Bool

  init(bytes: UnsafeBufferPointer<UInt8>, path: String, isAllASCII: Bool) {
    self.bytes = bytes
    self.path = path
    self.isAllASCII = isAllASCII
  }

  static let newline = UInt8(ascii: "\n")
  static let carriageReturn = UInt8(ascii: "\r")
  static let comma = UInt8(ascii: ",")
  static let quote = UInt8(ascii: "\"")
  static let space = UInt8(ascii: " ")
  static let tab = UInt8(ascii: "\t")

  /// Reads a whole file (memory-mapped where the system allows it); errors name the file.
  static func contents(of path: String) throws(InputError) -> Data {
    try InputFile.read(path, mapped: true)
  }

  /// Runs `body` on the bytes of `data`.
  static func withBytes<T>(
    of data: Data, _ body: (UnsafeBufferPointer<UInt8>) throws(InputError) -> T
  ) throws(InputError) -> T {
    let result = data.withUnsafeBytes { raw in
      Result { () throws(InputError) -> T in try body(raw.bindMemory(to: UInt8.self)) }
    }
    return try result.get()
  }

  /// Checks what can be checked on the raw bytes before any line is split: the header's width (a
  /// 10⁹-column header is a gigabyte of cells) and, when any byte is not ASCII, that the text is UTF-8.
  /// Returns the bytes after a UTF-8 byte-order mark, ready to split.
  static func validate(_ raw: UnsafeBufferPointer<UInt8>, path: String) throws(InputError) -> CSVBytes {
    // Line lengths first: the header scan would otherwise read a gigabyte-long first line to its end.
    try checkLineLengths(raw, path: path)
    try checkHeaderWidth(raw, path: path)
    var ascii = true
    var i = 0
    let n = raw.count
    // Eight bytes at a time: any high bit set means a non-ASCII byte.
    raw.withMemoryRebound(to: UInt8.self) { b in
      while i + 8 <= n {
        if UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
          ascii = false
          break
        }
        i += 8
      }
      while ascii && i < n {
        if b[i] >= 0x80 { ascii = false }
        i += 1
      }
    }
    if !ascii && String(validating: raw, as: UTF8.self) == nil {
      throw InputError(file: path, "not valid UTF-8 text")
    }
    let skip = n >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF ? 3 : 0
    return CSVBytes(bytes: UnsafeBufferPointer(rebasing: raw[skip...]), path: path, isAllASCII: ascii)
  }

  /// The longest line a CSV may have: 64 MiB, room for the widest header (10⁵ columns) with 670 bytes a cell.
  static let maxLineBytes = 64 << 20

  /// Refuses, before any line is split, a line longer than `maxLineBytes` (a gigabyte with no newline would
  /// otherwise be split and parsed as one row), naming it; memchr over the mapped bytes, a pass at memory speed.
  static func checkLineLengths(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws(InputError) {
    guard let base = bytes.baseAddress, bytes.count > maxLineBytes else { return }
    var (start, line) = (0, 1)
    while start < bytes.count {
      let span = Swift.min(bytes.count - start, maxLineBytes + 1)
      guard let found = memchr(base + start, Int32(newline), span) else {
        if span > maxLineBytes {
          throw InputError(file: path, line: line, "line longer than \(maxLineBytes >> 20) MiB (no line break within it)")
        }
        return
      }
      start += (base + start).distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
      line += 1
    }
  }

  /// Refuses a header (the first line that is not blank) of `CSVTable.maxColumns` or more columns, counted
  /// on the raw bytes. Quoted commas only lower the true count.
  static func checkHeaderWidth(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws(InputError) {
    var (line, commas, blank) = (1, 0, true)
    for (i, byte) in bytes.enumerated() {
      if byte == newline {
        if !blank { break }
        line += 1
      } else if byte == carriageReturn && i + 1 < bytes.count && bytes[i + 1] == newline {
        continue  // the "\r" of a "\r\n" line end
      } else {
        if byte != space && byte != tab { blank = false }
        if byte == comma { commas += 1 }
      }
    }
    if commas >= CSVTable.maxColumns {
      throw InputError(file: path, line: line, "header has more than \(CSVTable.maxColumns) columns")
    }
  }

  /// The end of the line starting at `start` (the index of its "\n", or the end of the bytes), found with
  /// memchr; and the end of its content (without a "\r" before the "\n").
  @inline(__always)
  func lineEnd(from start: Int) -> (content: Int, next: Int) {
    let n = bytes.count
    guard start < n else { return (n, n + 1) }
    let base = bytes.baseAddress!
    let found = memchr(base + start, Int32(Self.newline), n - start)
    let end = found.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? n
    let content = end > start && bytes[end - 1] == Self.carriageReturn && end < n ? end - 1 : end
    return (content, end + 1)
  }

  /// True when bytes[start..<end] is only spaces and tabs (or empty).
  @inline(__always)
  func isBlank(_ start: Int, _ end: Int) -> Bool {
    var i = start
    while i < end {
      let b = bytes[i]
      if b != Self.space && b != Self.tab { return false }
      i += 1
    }
    return true
  }

  /// True when bytes[start..<end] are all ASCII.
  @inline(__always)
  func isASCII(_ start: Int, _ end: Int) -> Bool {
    var i = start
    while i < end {
      if bytes[i] >= 0x80 { return false }
      i += 1
    }
    return true
  }

  /// One field of a line split on bytes: `start..<end` of the file's bytes, or, for a quoted field, of
  /// `quoted` (its content with doubled quotes undone).
  struct Field {
    var start: Int
    var end: Int
    var isQuoted: Bool
  }

  /// Splits the ASCII line bytes[start..<end] into `fields` (quoted contents go to `quoted`); throws the
  /// error `CSVTable.splitRecord` throws for the same line.
  @inline(__always)
  func splitASCII(
    _ start: Int, _ end: Int, line: Int, into fields: inout [Field], quoted: inout [UInt8]
  ) throws(InputError) {
    fields.removeAll(keepingCapacity: true)
    quoted.removeAll(keepingCapacity: true)
    var k = start
    while true {
      var j = k
      while j < end && bytes[j] == Self.space { j += 1 }
      if j < end && bytes[j] == Self.quote {
        // Quoted: up to the closing quote, "" standing for one quote; then only spaces, which are kept.
        let contentStart = quoted.count
        var p = j + 1
        var closed = false
        while p < end {
          let b = bytes[p]
          if b == Self.quote {
            if p + 1 < end && bytes[p + 1] == Self.quote {
              quoted.append(Self.quote)
              p += 2
              continue
            }
            closed = true
            p += 1
            break
          }
          quoted.append(b)
          p += 1
        }
        guard closed else { throw InputError(file: path, line: line, "unterminated quote in column \(fields.count + 1)") }
        while p < end && bytes[p] == Self.space {
          quoted.append(Self.space)
          p += 1
        }
        if p < end && bytes[p] != Self.comma {
          throw InputError(file: path, line: line, "text after a closing quote in column \(fields.count + 1)")
        }
        fields.append(Field(start: contentStart, end: quoted.count, isQuoted: true))
        if p >= end { return }
        k = p + 1
      } else {
        var p = j
        while p < end && bytes[p] != Self.comma { p += 1 }
        // Trim ASCII white space (tab, line feed, vertical tab, form feed, carriage return, space).
        var a = k
        var b = p
        while a < b && Self.isWhite(bytes[a]) { a += 1 }
        while b > a && Self.isWhite(bytes[b - 1]) { b -= 1 }
        fields.append(Field(start: a, end: b, isQuoted: false))
        if p >= end { return }
        k = p + 1
      }
    }
  }

  @inline(__always)
  static func isWhite(_ b: UInt8) -> Bool { b == space || (b >= 0x09 && b <= 0x0D) }

  /// The text of an ASCII line's field.
  func text(of field: Field, quoted: [UInt8]) -> String {
    field.isQuoted
      ? String(decoding: quoted[field.start..<field.end], as: UTF8.self)
      : String(decoding: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]), as: UTF8.self)
  }

  /// Splits any line, ASCII or not, into text cells: the route for headers and for lines that are not ASCII.
  func cells(_ start: Int, _ end: Int, line: Int) throws(InputError) -> [String] {
    if isAllASCII || isASCII(start, end) {
      var fields: [Field] = []
      var quoted: [UInt8] = []
      try splitASCII(start, end, line: line, into: &fields, quoted: &quoted)
      return fields.map { text(of: $0, quoted: quoted) }
    }
    let lineText = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    return try CSVTable.splitRecord(Substring(lineText), path: path, line: line)
  }

  /// The header: the first line that is not blank, validated. Returns its cells, its line number and the
  /// offset where the data lines start; nil for a file with no line that is not blank. A data file needs two
  /// columns (a feature and the target); other tables may need fewer.
  func header(minimumColumns: Int = 2) throws(InputError) -> (cells: [String], line: Int, bodyStart: Int)? {
    var start = 0
    var line = 0
    while start <= bytes.count {
      line += 1
      let (content, next) = lineEnd(from: start)
      if !isBlank(start, content) {
        let cells = try cells(start, content, line: line)
        try CSVTable.validateHeader(cells, path: path, line: line, minimumColumns: minimumColumns)
        return (cells, line, next)
      }
      start = next
    }
    return nil
  }

  /// Cuts bytes[from...] into at most `parts` pieces that start at line starts, for parallel reading.
  func lineAlignedPieces(from start: Int, parts: Int) -> [Range<Int>] {
    let n = bytes.count
    guard start < n else { return [start..<Swift.max(start, n)] }
    var pieces: [Range<Int>] = []
    var lower = start
    for k in 1...parts {
      var upper = k == parts ? n : start + (n - start) * k / parts
      if upper < n {
        upper = lineEnd(from: Swift.max(upper, lower)).next
        upper = Swift.min(upper, n)
      }
      if upper > lower || k == parts {
        pieces.append(lower..<Swift.max(lower, upper))
        lower = Swift.max(lower, upper)
      }
    }
    return pieces
  }
}

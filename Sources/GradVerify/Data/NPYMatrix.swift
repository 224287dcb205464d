import Foundation

/// A two-dimensional array of floats in NumPy's `.npy` format (versions 1.0, 2.0 and 3.0), read into a
/// row-major matrix in the file's own precision (float32 stays float32: those are the values exactly).
///
/// ```
/// "\x93NUMPY" major minor  header_len (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0)  header  data
/// header: a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (N, P), }, padded with
///         spaces to a multiple of 64 bytes and ended by '\n' (latin-1 in 1.0 and 2.0, UTF-8 in 3.0)
/// descr:  '<f8', '>f8', '<f4', '>f4' (and '=' or '|' for native); any other dtype is refused
/// data:   N·P items, C order (row after row) or Fortran order (column after column)
/// ```
/// NumPy's format specification: numpy.lib.format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
package struct NPYMatrix: Sendable, Equatable {
  public var rows: Int
  public var columns: Int
  /// Row-major: element (i, j) at i·columns + j, as `Double` for float64 and `Float` for float32.
  public var matrix: RowMatrix
  /// The item size of the file's dtype: 8 (float64) or 4 (float32).
  public var itemBytes: Int
  /// 1 for a vector (read as rows × 1), 2 for a matrix.
  public var dimensions: Int

  /// The shape as NumPy prints it: "(160,)" for a vector, "(48, 274)" for a matrix.
  public var shapeText: String { dimensions == 1 ? "(\(rows),)" : "(\(rows), \(columns))" }

  /// Every element widened to a double (a copy: for vectors and small matrices).
  public var values: [Double] { matrix.doubles }

  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  /// Reads and checks a file: every problem is an `InputError` naming it. The data are read in pieces
  /// straight into the matrix, so the peak memory is the matrix and one piece.
  public static func load(path: String) throws(InputError) -> NPYMatrix {
    let (dict, dataStart, count) = try fileHeader(path: path)
    try MemoryBudget.require(
      Double(count) * Double(dict.itemBytes), for: "\(path): its \(dict.shapeText) matrix",
      fix: "sketch it as it is read with 'sweep --gradients \(path) --project K'")
    return try decoded(dict, count: count, path: path) { decode throws(InputError) in
      try InputFile.stream(path, from: dataStart, count: count * dict.itemBytes) { bytes, offset throws(InputError) in
        try decode(bytes, offset / dict.itemBytes)
      }
    }
  }

  /// The header of a file, where its data start, and N·P checked against the file's size.
  static func fileHeader(path: String) throws(InputError) -> (header: NPYHeader, dataStart: Int, count: Int) {
    let fileSize = try InputFile.size(of: path)
    var prefix: [UInt8] = []
    try InputFile.stream(path, from: 0, count: Swift.min(fileSize, 12)) { bytes, _ throws(InputError) in prefix += bytes }
    let (headerStart, headerLength) = try preamble(prefix, path: path)
    guard headerLength <= fileSize - headerStart else { throw InputError(file: path, "truncated .npy header") }
    var headerBytes: [UInt8] = []
    try InputFile.stream(path, from: headerStart, count: headerLength) { bytes, _ throws(InputError) in headerBytes += bytes }
    let dict = try header(headerBytes, major: prefix[6], path: path)
    let dataStart = headerStart + headerLength
    return (dict, dataStart, try itemCount(dict, available: fileSize - dataStart, path: path))
  }

  /// Streams a C-order matrix file by rows: `body` gets pieces of whole rows (at most `pieceBytes` of the
  /// file, at least one row), widened to doubles, with the index of the piece's first row; the shape and
  /// item size (4 or 8 bytes) go to `shape` first, before anything is allocated. Memory: one piece.
  public static func streamRows(
    path: String, pieceBytes: Int = 8 << 20,
    shape: (_ rows: Int, _ columns: Int, _ itemBytes: Int) throws(InputError) -> Void,
    _ body: (_ rows: UnsafeBufferPointer<Double>, _ firstRow: Int) throws(InputError) -> Void
  ) throws(InputError) {
    let (dict, dataStart, _) = try fileHeader(path: path)
    guard !dict.fortranOrder || dict.rows == 1 || dict.columns == 1 else {
      throw InputError(file: path, "is in Fortran order (column after column), which cannot be read row by row; save it with np.save(path, np.ascontiguousarray(G))")
    }
    try shape(dict.rows, dict.columns, dict.itemBytes)
    let rowBytes = dict.columns * dict.itemBytes
    let rowsPerPiece = Swift.max(1, pieceBytes / Swift.max(1, rowBytes))
    var rows = [Double](repeating: 0, count: rowsPerPiece * dict.columns)
    var single = [Float](repeating: 0, count: dict.itemBytes == 4 ? rowsPerPiece * dict.columns : 0)
    var contiguous = dict
    contiguous.fortranOrder = false
    try InputFile.stream(path, from: dataStart, count: dict.rows * rowBytes, chunk: rowsPerPiece * rowBytes) { bytes, offset throws(InputError) in
      let first = offset / rowBytes
      let items = bytes.count / dict.itemBytes
      if dict.itemBytes == 4 {
        try single.withUnsafeMutableBufferPointer { values throws(InputError) in
          try decode(bytes, first: first * dict.columns, dict: contiguous, path: path, into: values, base: first * dict.columns)
        }
        for k in 0..<items { rows[k] = Double(single[k]) }
      } else {
        try rows.withUnsafeMutableBufferPointer { values throws(InputError) in
          try decode(bytes, first: first * dict.columns, dict: contiguous, path: path, into: values, base: first * dict.columns)
        }
      }
      try rows.withUnsafeBufferPointer { all throws(InputError) in try body(UnsafeBufferPointer(rebasing: all[0..<items]), first) }
    }
  }

  /// Parses the bytes of a `.npy` file held in memory; `path` names it in errors.
  public static func parse(_ bytes: [UInt8], path: String) throws(InputError) -> NPYMatrix {
    let (headerStart, headerLength) = try preamble(bytes, path: path)
    guard headerLength <= bytes.count - headerStart else { throw InputError(file: path, "truncated .npy header") }
    let dict = try header(Array(bytes[headerStart..<(headerStart + headerLength)]), major: bytes[6], path: path)
    let dataStart = headerStart + headerLength
    let count = try itemCount(dict, available: bytes.count - dataStart, path: path)
    return try decoded(dict, count: count, path: path) { decode throws(InputError) in
      let fed: Result<Void, InputError> = bytes.withUnsafeBytes { raw in
        do throws(InputError) { return .success(try decode(UnsafeRawBufferPointer(rebasing: raw[dataStart...]), 0)) } catch {
          return .failure(error)
        }
      }
      try fed.get()
    }
  }

  /// Where the header starts and how long it is, from the magic string and version.
  static func preamble(_ bytes: [UInt8], path: String) throws(InputError) -> (start: Int, length: Int) {
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw InputError(file: path, "not a .npy file (it does not start with \\x93NUMPY)")
    }
    switch bytes[6] {
    case 1:
      return (10, Int(bytes[8]) | Int(bytes[9]) << 8)
    case 2, 3:
      guard bytes.count >= 12 else { throw InputError(file: path, "truncated .npy header") }
      return (12, (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) })
    default:
      throw InputError(file: path, ".npy format version \(bytes[6]).\(bytes[7]) is not one of 1.0, 2.0, 3.0")
    }
  }

  /// The header dict, decoded as its version says (UTF-8 in 3.0, latin-1 before).
  static func header(_ bytes: [UInt8], major: UInt8, path: String) throws(InputError) -> NPYHeader {
    let text: String
    if major == 3 {
      guard let utf8 = String(validating: bytes, as: UTF8.self) else {
        throw InputError(file: path, ".npy 3.0 header is not valid UTF-8")
      }
      text = utf8
    } else {
      text = String(bytes.map { Character(Unicode.Scalar($0)) })
    }
    return try NPYHeader(text, path: path)
  }

  /// N·P, checked against the bytes that follow the header (before anything is allocated).
  static func itemCount(_ dict: NPYHeader, available: Int, path: String) throws(InputError) -> Int {
    let count = dict.rows.multipliedReportingOverflow(by: dict.columns)
    let size = count.partialValue.multipliedReportingOverflow(by: dict.itemBytes)
    guard !count.overflow, !size.overflow else { throw InputError(file: path, "shape \(dict.shapeText) is too large") }
    guard available == size.partialValue else {
      throw InputError(
        file: path,
        available < size.partialValue
          ? "truncated data: shape \(dict.shapeText) of \(dict.descr) needs \(size.partialValue) bytes, the file has \(available)"
          : "\(available - size.partialValue) bytes after the data of shape \(dict.shapeText)")
    }
    return count.partialValue
  }

  /// The matrix, filled by `feed`, which hands each piece of the data with the index of its first item to
  /// the decoder it is given. Values go to memory backed by huge pages when large (`largeArray`), as the
  /// sweep reads them at random.
  static func decoded(
    _ dict: NPYHeader, count: Int, path: String,
    feed: ((UnsafeRawBufferPointer, Int) throws(InputError) -> Void) throws(InputError) -> Void
  ) throws(InputError) -> NPYMatrix {
    var failure: InputError?
    func fill<T: StoredScalar>(_ values: UnsafeMutableBufferPointer<T>) {
      do throws(InputError) {
        try feed { bytes, first throws(InputError) in
          try decode(bytes, first: first, dict: dict, path: path, into: values)
        }
      } catch {
        failure = error
        values.initialize(repeating: 0)
      }
    }
    let matrix = dict.itemBytes == 8
      ? RowMatrix(largeArray(count: count) { (values: UnsafeMutableBufferPointer<Double>) in fill(values) })
      : RowMatrix(largeArray(count: count) { (values: UnsafeMutableBufferPointer<Float>) in fill(values) })
    if let failure { throw failure }
    return NPYMatrix(rows: dict.rows, columns: dict.columns, matrix: matrix, itemBytes: dict.itemBytes, dimensions: dict.dimensions)
  }

  /// Items `first` ..< `first + bytes.count / itemBytes` into their row-major places; a non-finite value is
  /// an error naming its element.
  /// `base`: the index of the matrix's element that `values` starts at (0: the whole matrix).
  static func decode<T: StoredScalar>(
    _ bytes: UnsafeRawBufferPointer, first: Int, dict: NPYHeader, path: String, into values: UnsafeMutableBufferPointer<T>,
    base: Int = 0
  ) throws(InputError) {
    let (n, p, size) = (dict.rows, dict.columns, dict.itemBytes)
    let items = bytes.count / size
    if !dict.bigEndian && !dict.fortranOrder && MemoryLayout<T>.size == size && UInt16(1).littleEndian == 1, let source = bytes.baseAddress {
      // Little-endian row after row on a little-endian machine: the bytes are the values.
      UnsafeMutableRawPointer(values.baseAddress! + first - base).copyMemory(from: source, byteCount: items * size)
      for k in first..<(first + items) where !values[k - base].isFinite {
        throw InputError(file: path, "element [\(k / p), \(k % p)] is not finite (\(values[k - base]))")
      }
      return
    }
    for item in 0..<items {
      let offset = item * size
      var bits: UInt64 = 0
      for b in 0..<size {
        let byte = UInt64(bytes[offset + (dict.bigEndian ? size - 1 - b : b)])
        bits |= byte << (8 * UInt64(b))
      }
      let value = T(storedBits: bits)
      let k = first + item
      guard value.isFinite else {
        let (i, j) = dict.fortranOrder ? (k % n, k / n) : (k / p, k % p)
        throw InputError(file: path, "element [\(i), \(j)] is not finite (\(value))")
      }
      // Fortran order stores column after column: item k is element (k mod N, k div N).
      values[(dict.fortranOrder ? (k % n) * p + k / n : k) - base] = value
    }
  }
}

/// The header dict of a `.npy` file: `descr`, `fortran_order` and a one- or two-dimensional `shape` (a
/// vector of n is read as n × 1).
struct NPYHeader {
  var descr: String
  var itemBytes: Int
  var bigEndian: Bool
  var fortranOrder: Bool
  var rows: Int
  var columns: Int
  /// 1 for a vector, 2 for a matrix.
  var dimensions: Int
  var shapeText: String { dimensions == 1 ? "(\(rows),)" : "(\(rows), \(columns))" }

  init(_ text: String, path: String) throws(InputError) {
    func value(_ key: String) throws(InputError) -> Substring {
      guard let keyRange = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\"") else {
        throw InputError(file: path, ".npy header has no '\(key)'")
      }
      var rest = text[keyRange.upperBound...].drop { $0 == " " }
      guard rest.first == ":" else { throw InputError(file: path, ".npy header: no value for '\(key)'") }
      rest = rest.dropFirst().drop { $0 == " " }
      if rest.first == "(" {
        guard let close = rest.firstIndex(of: ")") else { throw InputError(file: path, ".npy header: unclosed shape") }
        return rest[rest.startIndex...close]
      }
      let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
      return Substring(rest[..<end].trimmingCharacters(in: .whitespaces))
    }
    guard text.hasPrefix("{") || text.drop(while: { $0 == " " }).hasPrefix("{") else {
      throw InputError(file: path, ".npy header is not a dict")
    }
    let quoted = try value("descr")
    guard quoted.count >= 2, let q = quoted.first, q == "'" || q == "\"", quoted.last == q else {
      throw InputError(file: path, ".npy header: descr \(InputError.quote(quoted)) is not a simple dtype (structured or object arrays are not gradients)")
    }
    descr = String(quoted.dropFirst().dropLast())
    switch descr {
    case "<f8", "=f8", "|f8": (itemBytes, bigEndian) = (8, false)
    case ">f8": (itemBytes, bigEndian) = (8, true)
    case "<f4", "=f4", "|f4": (itemBytes, bigEndian) = (4, false)
    case ">f4": (itemBytes, bigEndian) = (4, true)
    default:
      throw InputError(file: path, "dtype \(InputError.quote(descr)) is not float64 or float32 ('<f8', '<f4'); convert with .astype(np.float64)")
    }
    switch try value("fortran_order") {
    case "False": fortranOrder = false
    case "True": fortranOrder = true
    case let other: throw InputError(file: path, ".npy header: fortran_order \(InputError.quote(other)) is not True or False")
    }
    let shape = try value("shape")
    let dims = shape.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    let sizes = dims.compactMap { Int($0) }.filter { $0 >= 0 }
    guard (1...2).contains(dims.count), sizes.count == dims.count else {
      throw InputError(file: path, "shape \(shape) is not one- or two-dimensional")
    }
    (rows, columns) = (sizes[0], sizes.count == 2 ? sizes[1] : 1)
    dimensions = sizes.count
  }
}

extension NPYMatrix {
  /// The precision the file's values were stored in: float32 for 4-byte items, float64 for 8.
  public var precision: FrameworkGradientCheck.Precision { itemBytes == 4 ? .float32 : .float64 }
}

import Foundation

/// A two-dimensional array of floats in NumPy's `.npy` format (versions 1.0, 2.0 and 3.0), read into a
/// row-major matrix of doubles.
///
/// ```
/// "\x93NUMPY" major minor  header_len (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0)  header  data
/// header: a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (N, P), }, padded with
///         spaces to a multiple of 64 bytes and ended by '\n' (latin-1 in 1.0 and 2.0, UTF-8 in 3.0)
/// descr:  '<f8', '>f8', '<f4', '>f4' (and '=' or '|' for native); any other dtype is refused
/// data:   N·P items, C order (row after row) or Fortran order (column after column)
/// ```
/// NumPy's format specification: numpy.lib.format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
public struct NPYMatrix: Sendable, Equatable {
  public var rows: Int
  public var columns: Int
  /// Row-major: element (i, j) at i·columns + j.
  public var values: [Double]
  /// The item size of the file's dtype: 8 (float64) or 4 (float32).
  public var itemBytes: Int
  /// 1 for a vector (read as rows × 1), 2 for a matrix.
  public var dimensions: Int

  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  /// Reads and checks a file: every problem is an `InputError` naming it.
  /// The file is memory-mapped and decoded in place: no copy of its bytes is made.
  public static func load(path: String) throws(InputError) -> NPYMatrix {
    let data = try InputFile.read(path, mapped: true)
    return try data.withUnsafeBytes { bytes in parsed(bytes, path: path) }.get()
  }

  /// `parse` as a result, for the byte buffers' untyped closures.
  static func parsed(_ bytes: UnsafeRawBufferPointer, path: String) -> Result<NPYMatrix, InputError> {
    do throws(InputError) { return .success(try parse(bytes, path: path)) } catch { return .failure(error) }
  }

  /// Parses the bytes of a `.npy` file; `path` names it in errors.
  public static func parse(_ bytes: [UInt8], path: String) throws(InputError) -> NPYMatrix {
    try bytes.withUnsafeBytes { parsed($0, path: path) }.get()
  }

  /// The same, from bytes in memory (a mapped file); the values go to memory backed by huge pages when
  /// large (`largeArray`), as the sweep reads them.
  static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws(InputError) -> NPYMatrix {
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw InputError(file: path, "not a .npy file (it does not start with \\x93NUMPY)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw InputError(file: path, "truncated .npy header") }
      headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
      headerStart = 12
    default:
      throw InputError(file: path, ".npy format version \(major).\(bytes[7]) is not one of 1.0, 2.0, 3.0")
    }
    guard headerLength <= bytes.count - headerStart else { throw InputError(file: path, "truncated .npy header") }
    let headerBytes = bytes[headerStart..<(headerStart + headerLength)]
    let header: String
    if major == 3 {
      guard let text = String(validating: headerBytes, as: UTF8.self) else {
        throw InputError(file: path, ".npy 3.0 header is not valid UTF-8")
      }
      header = text
    } else {
      header = String(headerBytes.map { Character(Unicode.Scalar($0)) })
    }
    let dict = try NPYHeader(header, path: path)
    let dataStart = headerStart + headerLength
    let count = dict.rows.multipliedReportingOverflow(by: dict.columns)
    let size = count.partialValue.multipliedReportingOverflow(by: dict.itemBytes)
    guard !count.overflow, !size.overflow else { throw InputError(file: path, "shape \(dict.shapeText) is too large") }
    let available = bytes.count - dataStart
    guard available == size.partialValue else {
      throw InputError(
        file: path,
        available < size.partialValue
          ? "truncated data: shape \(dict.shapeText) of \(dict.descr) needs \(size.partialValue) bytes, the file has \(available)"
          : "\(available - size.partialValue) bytes after the data of shape \(dict.shapeText)")
    }
    let (n, p) = (dict.rows, dict.columns)
    var failure: InputError?
    let values = largeArray(count: count.partialValue) { values in
    for k in 0..<count.partialValue {
      let offset = dataStart + k * dict.itemBytes
      var bits: UInt64 = 0
      for b in 0..<dict.itemBytes {
        let byte = UInt64(bytes[offset + (dict.bigEndian ? dict.itemBytes - 1 - b : b)])
        bits |= byte << (8 * UInt64(b))
      }
      let value = dict.itemBytes == 8 ? Double(bitPattern: bits) : Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
      guard value.isFinite else {
        let (i, j) = dict.fortranOrder ? (k % n, k / n) : (k / p, k % p)
        failure = InputError(file: path, "element [\(i), \(j)] is not finite (\(value))")
        values.initialize(repeating: 0)
        return
      }
      // Fortran order stores column after column: item k is element (k mod N, k div N).
      values[dict.fortranOrder ? (k % n) * p + k / n : k] = value
    }
    }
    if let failure { throw failure }
    return NPYMatrix(rows: n, columns: p, values: values, itemBytes: dict.itemBytes, dimensions: dict.dimensions)
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

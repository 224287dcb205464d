import Foundation

/// Reads the data lines of a CSV file straight into a row-major matrix of features and a target column,
/// in parallel over line-aligned pieces of the file.
///
/// Two passes over the pieces: the first counts each piece's lines and records, so every piece knows its
/// first line number and its first row, and the matrix is allocated once at its final size (memory: the
/// file's bytes and the matrix); the second splits and parses each piece into its rows. Errors keep the
/// order of the one-thread reader: a structural error (column count, quoting) anywhere before any cell
/// error, the first of each kind by line.
struct CSVMatrixReader: @unchecked Sendable {
  let file: CSVBytes
  let header: [String]
  let target: TargetKind

  struct Matrix {
    var features: [Double]
    var targets: [Double]
    var labels: [String]
  }

  /// The pieces' results of the second pass.
  struct PieceResult: Sendable {
    var structural: InputError?
    var cell: InputError?
    var labels: [String] = []
  }

  func read(bodyStart: Int, firstLine: Int, threads: Int, parallelAbove: Int) throws(InputError) -> Matrix {
    let parallel = threads > 1 && file.bytes.count - bodyStart >= parallelAbove
    let pieces = file.lineAlignedPieces(from: bodyStart, parts: parallel ? 4 * threads : 1)
    let workers = parallel ? threads : 1
    let counts = parallelJobs(count: pieces.count, threads: workers, makeScratch: {}) { k, _ in
      countLines(pieces[k])
    }
    var firstLines: [Int] = []
    var firstRows: [Int] = []
    var (line, row) = (firstLine, 0)
    for c in counts {
      firstLines.append(line)
      firstRows.append(row)
      line += c.lines
      row += c.records
    }
    let rows = row
    let (lineStarts, rowStarts) = (firstLines, firstRows)
    let d = header.count - 1
    var features = [Double](repeating: 0, count: rows * d)
    var targets = [Double](repeating: 0, count: target == .numeric ? rows : 0)
    let results = features.withUnsafeMutableBufferPointer { featureBuffer in
      targets.withUnsafeMutableBufferPointer { targetBuffer in
        // Each piece writes only its own rows.
        nonisolated(unsafe) let (f, t) = (featureBuffer, targetBuffer)
        return parallelJobs(count: pieces.count, threads: workers, makeScratch: {}) { k, _ in
          parse(pieces[k], firstLine: lineStarts[k], firstRow: rowStarts[k], features: f, targets: t)
        }
      }
    }
    if let error = results.lazy.compactMap(\.structural).first { throw error }
    guard rows > 0 else { throw InputError(file: file.path, "header only, no data rows") }
    if let error = results.lazy.compactMap(\.cell).first { throw error }
    return Matrix(features: features, targets: targets, labels: results.flatMap(\.labels))
  }

  /// The lines that start in a piece, and how many of them are records (not blank).
  func countLines(_ piece: Range<Int>) -> (lines: Int, records: Int) {
    var (lines, records) = (0, 0)
    var start = piece.lowerBound
    while start < piece.upperBound {
      let (content, next) = file.lineEnd(from: start)
      lines += 1
      if !file.isBlank(start, content) { records += 1 }
      start = next
    }
    return (lines, records)
  }

  /// Splits and parses one piece into its rows.
  func parse(
    _ piece: Range<Int>, firstLine: Int, firstRow: Int, features featureBuffer: UnsafeMutableBufferPointer<Double>,
    targets: UnsafeMutableBufferPointer<Double>
  ) -> PieceResult {
    let features = featureBuffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!
    let tables = DecimalParser.tables
    var result = PieceResult()
    let columns = header.count
    let d = columns - 1
    var fields: [CSVBytes.Field] = []
    fields.reserveCapacity(columns)
    var quoted: [UInt8] = []
    var start = piece.lowerBound
    var line = firstLine - 1
    var row = firstRow
    while start < piece.upperBound {
      line += 1
      let (content, next) = file.lineEnd(from: start)
      defer { start = next }
      if file.isBlank(start, content) { continue }
      if target == .numeric && file.isAllASCII
        && fastRow(start, content, features: features + row * d, target: targets.baseAddress! + row, tables: tables)
      {
        row += 1
        continue
      }
      do throws(InputError) {
        if file.isAllASCII || file.isASCII(start, content) {
          try file.splitASCII(start, content, line: line, into: &fields, quoted: &quoted)
          try requireColumns(fields.count, line: line)
          if result.cell == nil {
            parseRow(fields, quoted: quoted, line: line, row: row, features: featureBuffer, targets: targets, result: &result)
          }
        } else {
          let cells = try file.cells(start, content, line: line)
          try requireColumns(cells.count, line: line)
          if result.cell == nil {
            do throws(InputError) {
              for k in 0..<d {
                featureBuffer[row * d + k] = try Dataset.number(cells[k], path: file.path, line: line, column: k, header: header)
              }
              try storeTarget(cells[d], line: line, row: row, targets: targets, result: &result)
            } catch {
              result.cell = error
            }
          }
        }
      } catch {
        result.structural = error
        return result
      }
      row += 1
    }
    return result
  }

  /// The common case in one pass: a line of plain unquoted numbers, one comma between each, nothing
  /// else. Parses them into the row and returns true; false for anything else (spaces, quotes, an empty
  /// or bad cell, a wrong count), and the line is then split and judged the general way, which gives the
  /// same values and every error.
  @inline(__always)
  func fastRow(
    _ start: Int, _ end: Int, features: UnsafeMutablePointer<Double>, target: UnsafeMutablePointer<Double>,
    tables: DecimalParser.Tables
  ) -> Bool {
    guard let base = file.bytes.baseAddress else { return false }
    let d = header.count - 1
    var p = start
    for k in 0...d {
      guard let (stop, decided) = DecimalParser.scan(base, p, end, tables) else { return false }
      if k < d {
        guard stop < end, base[stop] == CSVBytes.comma else { return false }
      } else {
        guard stop == end else { return false }
      }
      let value = decided ?? Double(String(decoding: UnsafeBufferPointer(start: base + p, count: stop - p), as: UTF8.self))
      guard let value, value.isFinite else { return false }
      if k < d { features[k] = value } else { target.pointee = value }
      p = stop + 1
    }
    return true
  }

  func requireColumns(_ count: Int, line: Int) throws(InputError) {
    guard count == header.count else {
      throw InputError(file: file.path, line: line, "expected \(header.count) columns as in the header, found \(count)")
    }
  }

  /// Parses an ASCII record's cells; the first bad cell is kept in `result.cell`.
  @inline(__always)
  func parseRow(
    _ fields: [CSVBytes.Field], quoted: [UInt8], line: Int, row: Int, features: UnsafeMutableBufferPointer<Double>,
    targets: UnsafeMutableBufferPointer<Double>, result: inout PieceResult
  ) {
    let d = header.count - 1
    for k in 0...d {
      let field = fields[k]
      if k == d && target == .label {
        let label = file.text(of: field, quoted: quoted)
        guard !label.isEmpty else {
          result.cell = Dataset.emptyLabel(path: file.path, line: line, column: d, header: header)
          return
        }
        result.labels.append(label)
        continue
      }
      let value: Double? =
        field.isQuoted
        ? quoted.withUnsafeBufferPointer { DecimalParser.parse(UnsafeBufferPointer(rebasing: $0[field.start..<field.end])) }
        : DecimalParser.parse(UnsafeBufferPointer(rebasing: file.bytes[field.start..<field.end]))
      guard let value, value.isFinite else {
        result.cell = Dataset.numberError(
          file.text(of: field, quoted: quoted), value: value, path: file.path, line: line, column: k, header: header)
        return
      }
      if k < d { features[row * d + k] = value } else { targets[row] = value }
    }
  }

  /// The target cell: a number, or a non-empty label.
  func storeTarget(
    _ cell: String, line: Int, row: Int, targets: UnsafeMutableBufferPointer<Double>, result: inout PieceResult
  ) throws(InputError) {
    let d = header.count - 1
    switch target {
    case .numeric:
      targets[row] = try Dataset.number(cell, path: file.path, line: line, column: d, header: header)
    case .label:
      guard !cell.isEmpty else { throw Dataset.emptyLabel(path: file.path, line: line, column: d, header: header) }
      result.labels.append(cell)
    }
  }
}

import Foundation

/// What the last CSV column holds: a number to regress on, or a class label.
public enum TargetKind: Sendable {
  case numeric
  case label
}

extension Dataset {
  /// Loads a CSV file: one header row, numeric feature columns, the target in the last column (or as
  /// `layout` says: another delimiter, another target column, columns left out).
  ///
  /// Every cell of a feature column must be a finite number; a `.label` target is any non-empty text,
  /// with classes indexed in sorted (UTF-8 byte) order of the labels. The file is read as bytes
  /// (`CSVBytes`) straight into the matrix, numbers by `DecimalParser` (identical to `Double(String)`),
  /// on `threads` threads for large files; the result and every error are those of
  /// `Dataset(table: CSVTable.load(path:), target:)`, for any thread count.
  public static func load(
    csv path: String, target: TargetKind, layout: CSVLayout = CSVLayout(),
    threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) throws(InputError) -> Dataset {
    let bytes = try CSVBytes.contents(of: path)
    let data = layout.isDefault
      ? try read(csv: bytes, path: path, target: target, threads: threads)
      : try read(csv: try layout.canonical(bytes, path: path).data, path: path, target: target, threads: threads)
    // Averages over one example say nothing about sampling, as `--gradients` already refuses.
    guard data.count >= 2 else { throw InputError(file: path, "\(data.count) example; need at least 2") }
    return data
  }

  /// `load` on bytes already in memory; `path` names them in errors. Files with fewer than
  /// `parallelAbove` bytes of data lines are read on one thread.
  public static func read(
    csv data: Data, path: String, target: TargetKind, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
    parallelAbove: Int = 1 << 20
  ) throws(InputError) -> Dataset {
    try CSVBytes.withBytes(of: data) { (all) throws(InputError) -> Dataset in
      let file = try CSVBytes.validate(all, path: path)
      guard let (header, headerLine, bodyStart) = try file.header() else {
        throw InputError(file: path, "empty file (expected a header row and data rows)")
      }
      let matrix = try CSVMatrixReader(file: file, header: header, target: target).read(
        bodyStart: bodyStart, firstLine: headerLine + 1, threads: threads, parallelAbove: parallelAbove)
      var data = try Dataset(
        name: baseName(of: path), header: header, features: matrix.features, targets: matrix.targets,
        labels: matrix.labels, target: target)
      data.targetName = header.last?.trimmingCharacters(in: .whitespaces) ?? ""
      return data
    }
  }

  /// The data set from its cells once read: labels become class indices.
  init(
    name: String, header: [String], features: [Double], targets: [Double], labels: [String], target: TargetKind
  ) throws(InputError) {
    let d = header.count - 1
    let featureNames = Array(header.prefix(d)).map { $0.trimmingCharacters(in: .whitespaces) }
    switch target {
    case .numeric:
      self.init(name: name, featureNames: featureNames, features: features, targets: targets, classNames: [])
    case .label:
      let classNames = Set(labels).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      var index: [String: Int] = [:]
      for (i, label) in classNames.enumerated() { index[label] = i }
      let targets = labels.map { Double(index[$0, default: 0]) }  // every label is in `index`
      self.init(name: name, featureNames: featureNames, features: features, targets: targets, classNames: classNames)
    }
  }

  /// Builds a data set from a parsed table; errors name the file, line and column.
  package init(table: CSVTable, target: TargetKind) throws(InputError) {
    let d = table.header.count - 1
    var features: [Double] = []
    features.reserveCapacity(table.records.count * d)
    var numericTargets: [Double] = []
    var labels: [String] = []
    for (line, cells) in table.records {
      for k in 0..<d {
        features.append(try Self.number(cells[k], path: table.path, line: line, column: k, header: table.header))
      }
      switch target {
      case .numeric:
        numericTargets.append(try Self.number(cells[d], path: table.path, line: line, column: d, header: table.header))
      case .label:
        guard !cells[d].isEmpty else { throw Self.emptyLabel(path: table.path, line: line, column: d, header: table.header) }
        labels.append(cells[d])
      }
    }
    try self.init(
      name: Self.baseName(of: table.path), header: table.header, features: features, targets: numericTargets,
      labels: labels, target: target)
  }

  /// The cell as a finite number, or the error naming its place.
  static func number(_ cell: String, path: String, line: Int, column: Int, header: [String]) throws(InputError) -> Double {
    let value = Double(cell)
    guard let value, value.isFinite else {
      throw numberError(cell, value: value, path: path, line: line, column: column, header: header)
    }
    return value
  }

  /// Why a cell is not a finite number: empty, not a number, spelled NaN or infinity, or overflowing.
  static func numberError(
    _ cell: String, value: Double?, path: String, line: Int, column: Int, header: [String]
  ) -> InputError {
    let place = "\(path):\(line): column \(column + 1) \(InputError.quote(header[column]))"
    guard value != nil else {
      return InputError(cell.isEmpty ? "\(place): empty cell" : "\(place): \(InputError.quote(cell)) is not a number")
    }
    let lower = cell.lowercased()
    let spelled = lower.contains("nan") || lower.contains("inf")
    return InputError("\(place): \(InputError.quote(cell)) is \(spelled ? "not finite" : "too large for a double (overflows)")")
  }

  static func emptyLabel(path: String, line: Int, column: Int, header: [String]) -> InputError {
    InputError(file: path, line: line, "column \(column + 1) \(InputError.quote(header[column])): empty label")
  }

  package static func baseName(of path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return file.hasSuffix(".csv") ? String(file.dropLast(4)) : file
  }
}

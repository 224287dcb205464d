/// What the last CSV column holds: a number to regress on, or a class label.
public enum TargetKind: Sendable {
  case numeric
  case label
}

extension Dataset {
  /// Loads a CSV file: one header row, numeric feature columns, the target in the last column.
  ///
  /// Every cell of a feature column must be a finite number; a `.label` target is any non-empty text,
  /// with classes indexed in sorted (UTF-8 byte) order of the labels.
  public static func load(csv path: String, target: TargetKind) throws(InputError) -> Dataset {
    try Dataset(table: CSVTable.load(path: path), target: target)
  }

  /// Builds a data set from a parsed table; errors name the file, line and column.
  public init(table: CSVTable, target: TargetKind) throws(InputError) {
    let d = table.header.count - 1
    let featureNames = Array(table.header.prefix(d)).map { $0.trimmingCharacters(in: .whitespaces) }
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
        guard !cells[d].isEmpty else {
          throw InputError("\(table.path):\(line): column \(d + 1) \(InputError.quote(table.header[d])): empty label")
        }
        labels.append(cells[d])
      }
    }
    let name = Self.baseName(of: table.path)
    switch target {
    case .numeric:
      self.init(name: name, featureNames: featureNames, features: features, targets: numericTargets, classNames: [])
    case .label:
      let classNames = Set(labels).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      var index: [String: Int] = [:]
      for (i, label) in classNames.enumerated() { index[label] = i }
      let targets = labels.map { Double(index[$0, default: 0]) }  // every label is in `index`
      self.init(name: name, featureNames: featureNames, features: features, targets: targets, classNames: classNames)
    }
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

  static func baseName(of path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return file.hasSuffix(".csv") ? String(file.dropLast(4)) : file
  }
}

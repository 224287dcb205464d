extension Dataset {
  /// What was read, in one line: "d.csv: N = 442 examples, d = 10 features; target 'y' (numeric); …", with a
  /// warning for any feature column that counts the rows (0, 1, 2, … or 1, 2, 3, …): an index or an id
  /// read as a feature.
  public func summary(path: String) -> String {
    var parts = ["\(path): N = \(count) examples, d = \(featureCount) features"]
    let classes = classNames.prefix(6).joined(separator: ", ") + (classCount > 6 ? ", …" : "")
    parts.append("target '\(targetName)'" + (classCount > 0 ? " with \(classCount) classes (\(classes))" : " (numeric)"))
    if let s = standardization { parts.append(s.summary) }
    for k in rowNumberColumns {
      parts.append("WARNING: feature '\(featureNames[k])' counts the rows (an index or id?); pass --drop \(k + 1) if it is not a feature")
    }
    return parts.joined(separator: "; ")
  }

  /// The feature columns whose values are the row numbers, from 0 or from 1 (before standardisation).
  var rowNumberColumns: [Int] {
    guard count >= 3, standardization == nil else { return [] }
    let d = featureCount
    return (0..<d).filter { k in
      let first = features[k]
      guard first == 0 || first == 1 else { return false }
      return (0..<count).allSatisfy { i in features[i * d + k] == first + Double(i) }
    }
  }
}

extension Dataset {
  /// A feature this large saturates logits and squares to costs of thousands at a unit-scale θ.
  static let unscaledFeature = 100.0

  /// When the features were not standardised and one of them reaches |x| ≥ 100: a hint to `--standardize`,
  /// naming the largest feature; nil otherwise (standardised, or already on a unit scale).
  public var unscaledHint: String? {
    guard standardization == nil, count > 0, featureCount > 0 else { return nil }
    var largest = 0.0, column = 0
    for (k, x) in features.enumerated() where Swift.abs(x) > largest {
      (largest, column) = (Swift.abs(x), k % featureCount)
    }
    guard largest >= Self.unscaledFeature else { return nil }
    return "\(name): feature '\(featureNames[column])' reaches |x| = \(shortScientific(largest)): unscaled features saturate logits "
      + "and give costs of many nats per example at a unit-scale θ; --standardize centres and scales every feature column"
  }
}

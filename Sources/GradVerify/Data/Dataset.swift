/// A data set in memory: N examples of d features, row-major, with a target per example.
///
/// For a classifier the target is the class index, classes numbered in sorted (lexicographic, by
/// UTF-8 bytes) order of their label strings; for regression it is the number itself.
public struct Dataset: Sendable {
  /// A short name for tables: `iris`, `synthetic-clusters(n=200,d=4,k=3)`, …
  public var name: String
  public var featureNames: [String]
  /// N×d features, row-major: feature k of example i is `features[i*d + k]`.
  public var features: [Double]
  /// The target of each example: a number, or a class index for classifiers.
  public var targets: [Double]
  /// Class labels in index order; empty for a regression target.
  public var classNames: [String]
  /// The target column's header name ("" when the data did not come from a file).
  public var targetName = ""
  /// What standardisation did, when it was applied.
  package var standardization: Standardization?

  public init(
    name: String, featureNames: [String], features: [Double], targets: [Double], classNames: [String]
  ) {
    precondition(features.count == targets.count * featureNames.count, "features must be N×d")
    self.name = name
    self.featureNames = featureNames
    self.features = features
    self.targets = targets
    self.classNames = classNames
  }

  /// N, the number of examples.
  public var count: Int { targets.count }
  /// d, the number of features.
  public var featureCount: Int { featureNames.count }
  /// K, the number of classes (0 for regression).
  public var classCount: Int { classNames.count }
}

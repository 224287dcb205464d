import Foundation

/// Seeded data sets whose per-example gradients have the shapes that break smooth approximations: sparse
/// and one-hot features, one huge example, and no spread at all. Each is drawn from the project's own
/// Philox streams, so the same seed gives the same bits everywhere.
package enum SyntheticShape: String, Sendable, CaseIterable {
  /// Bag of words: d rare binary word columns, each present in exactly two documents, and three dense
  /// N(0, 1) columns; a binary target from the dense columns (logistic). A word's gradient coordinate is
  /// non-zero on two rows only.
  case bagOfWords = "bag-of-words"
  /// One-hot: a categorical feature with d categories of Zipf frequencies (1/k), and two with three equally
  /// likely categories, one-hot encoded; a binary target from the categories (logistic). Few distinct
  /// values per coordinate, some categories on a handful of rows.
  case oneHot = "one-hot"
  /// One outlier: regression data x ~ N(0, I_d), y = w·x + noise, with the first example's x and y
  /// multiplied by 100 (linear): one gradient row far larger than the rest.
  case outlier
  /// Balanced: every x the same vector u, half the targets +1 and half −1 (linear, N even): the deviations
  /// dᵢ = gᵢ − g are ±v, so every ‖dᵢ‖² is equal and a batch of one has no spread in its squared error.
  case balanced
}

extension Dataset {
  /// The data set of `shape` with n examples and d as the shape reads it (words, categories or features).
  package static func synthetic(_ shape: SyntheticShape, count n: Int, features d: Int, seed: UInt64) -> Dataset {
    precondition(n >= 4 && d >= 1, "need n ≥ 4 and d ≥ 1")
    var rng = PhiloxStream(seed: seed, name: "data/\(shape.rawValue)")
    var columns: [String] = []
    var features: [Double] = []
    var targets = [Double](repeating: 0, count: n)
    switch shape {
    case .bagOfWords:
      precondition(n >= 2, "a word needs two documents")
      columns = (0..<d).map { "w\($0)" } + ["x0", "x1", "x2"]
      let width = d + 3
      features = [Double](repeating: 0, count: n * width)
      for w in 0..<d {
        let first = Int(rng.nextBounded(UInt64(n)))
        var second = Int(rng.nextBounded(UInt64(n - 1)))
        if second >= first { second += 1 }
        features[first * width + w] = 1
        features[second * width + w] = 1
      }
      let weights = (0..<3).map { _ in rng.nextNormal() }
      for i in 0..<n {
        var score = 0.0
        for k in 0..<3 {
          let x = rng.nextNormal()
          features[i * width + d + k] = x
          score += weights[k] * x
        }
        targets[i] = rng.nextUniform() < 1 / (1 + Foundation.exp(-score)) ? 1 : 0
      }
    case .oneHot:
      let levels = [d, 3, 3]
      columns = levels.enumerated().flatMap { v, k in (0..<k).map { "c\(v)_\($0)" } }
      let width = levels.reduce(0, +)
      features = [Double](repeating: 0, count: n * width)
      // Zipf frequencies for the first variable: P(k) ∝ 1/(k + 1).
      let zipf = (0..<d).map { 1 / Double($0 + 1) }
      let total = zipf.reduce(0, +)
      let effects = levels.map { k in (0..<k).map { _ in rng.nextNormal() } }
      for i in 0..<n {
        var offset = 0
        var score = 0.0
        for (v, k) in levels.enumerated() {
          var category = 0
          if v == 0 {
            var u = rng.nextUniform() * total
            while category < k - 1 && u >= zipf[category] {
              u -= zipf[category]
              category += 1
            }
          } else {
            category = Int(rng.nextBounded(UInt64(k)))
          }
          features[i * width + offset + category] = 1
          score += effects[v][category]
          offset += k
        }
        targets[i] = rng.nextUniform() < 1 / (1 + Foundation.exp(-score)) ? 1 : 0
      }
    case .outlier:
      var data = syntheticRegression(count: n, features: d, seed: seed)
      for k in 0..<d { data.features[k] *= 100 }
      data.targets[0] *= 100
      data.name = "synthetic-\(shape.rawValue)(n=\(n),d=\(d))"
      return data
    case .balanced:
      precondition(n % 2 == 0, "balanced data need an even n")
      columns = (0..<d).map { "x\($0)" }
      let u = (0..<d).map { _ in rng.nextNormal() }
      features = (0..<n).flatMap { _ in u }
      targets = (0..<n).map { $0 % 2 == 0 ? 1 : -1 }
    }
    let classes = shape == .balanced ? [] : ["0", "1"]
    return Dataset(
      name: "synthetic-\(shape.rawValue)(n=\(n),d=\(d))", featureNames: columns, features: features, targets: targets,
      classNames: classes)
  }
}

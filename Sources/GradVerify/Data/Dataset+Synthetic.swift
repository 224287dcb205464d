/// Seeded synthetic data sets, drawn from the project's own Philox streams.
extension Dataset {
  /// Linear regression data: x ~ N(0, I_d), y = w*·x + b* + σε with w*, b* ~ N(0, 1), ε ~ N(0, 1).
  public static func syntheticRegression(count n: Int, features d: Int, noise: Double = 0.5, seed: UInt64) -> Dataset {
    precondition(n > 0 && d > 0, "n and d must be positive")
    var rng = PhiloxStream(seed: seed, name: "data/regression")
    let weights = (0...d).map { _ in rng.nextNormal() }
    var features = [Double](repeating: 0, count: n * d)
    var targets = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var y = weights[d]
      for k in 0..<d {
        let x = rng.nextNormal()
        features[i * d + k] = x
        y += weights[k] * x
      }
      targets[i] = y + noise * rng.nextNormal()
    }
    return Dataset(
      name: "synthetic-regression(n=\(n),d=\(d))", featureNames: (0..<d).map { "x\($0)" },
      features: features, targets: targets, classNames: [])
  }

  /// Gaussian clusters: class i mod K, x = μ_class + ε with μ ~ N(0, s² I_d), ε ~ N(0, I_d).
  public static func syntheticClusters(
    count n: Int, features d: Int, classes k: Int, separation s: Double = 2, seed: UInt64
  ) -> Dataset {
    precondition(n >= k && d > 0 && k >= 2, "need n ≥ K ≥ 2 and d > 0")
    var rng = PhiloxStream(seed: seed, name: "data/clusters")
    let centres = (0..<(k * d)).map { _ in s * rng.nextNormal() }
    var features = [Double](repeating: 0, count: n * d)
    var targets = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let c = i % k
      targets[i] = Double(c)
      for j in 0..<d { features[i * d + j] = centres[c * d + j] + rng.nextNormal() }
    }
    let width = String(k - 1).count
    let names = (0..<k).map { c in
      "class" + String(repeating: "0", count: width - String(c).count) + String(c)
    }
    return Dataset(
      name: "synthetic-clusters(n=\(n),d=\(d),k=\(k))", featureNames: (0..<d).map { "x\($0)" },
      features: features, targets: targets, classNames: names)
  }
}

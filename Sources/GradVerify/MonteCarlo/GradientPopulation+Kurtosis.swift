extension GradientPopulation {
  /// The coordinate whose per-example gradients have the largest excess kurtosis m₄/m₂² − 3 (the first
  /// such), with that kurtosis; coordinates without spread are skipped.
  public var heaviestTailedCoordinate: (coordinate: Int, excessKurtosis: Double)? {
    var best: (Int, Double)?
    for j in 0..<dimension {
      var m2 = NeumaierSum()
      var m4 = NeumaierSum()
      for i in 0..<count {
        let d = rows[i * dimension + j] - mean[j]
        m2.add(d * d)
        m4.add(d * d * d * d)
      }
      let n = Double(count)
      guard m2.value > 0 else { continue }
      let kurtosis = (m4.value / n) / ((m2.value / n) * (m2.value / n)) - 3
      if best == nil || kurtosis > best!.1 { best = (j, kurtosis) }
    }
    return best
  }
}

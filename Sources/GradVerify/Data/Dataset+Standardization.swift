/// What feature standardisation did: each column centred by its mean and divided by its population
/// standard deviation (divisor N); a constant column is centred and left unscaled.
///
/// ```
/// μₖ = (1/N) Σᵢ xᵢₖ,   σₖ = √((1/N) Σᵢ (xᵢₖ − μₖ)²),   xᵢₖ ← (xᵢₖ − μₖ)/σₖ   (σₖ > 0)
/// ```
package struct Standardization: Sendable, Equatable {
  public var means: [Double]
  public var standardDeviations: [Double]
  /// Names of the columns that were constant (centred only).
  public var constantColumns: [String]

  /// One line for a report: "standardized 30 columns (mean 0, population sd 1); constant: none".
  public var summary: String {
    let scaled = means.count - constantColumns.count
    let constant = constantColumns.isEmpty ? "none" : constantColumns.joined(separator: " ")
    return "standardized \(scaled) of \(means.count) feature columns (mean 0, population sd 1); constant, centred only: \(constant)"
  }
}

extension Dataset {
  /// The same data with every feature column standardised; the record of it in `standardization`.
  ///
  /// - Complexity: O(N·d), two compensated passes per column.
  public func standardized() -> Dataset {
    let n = count
    let d = featureCount
    var out = self
    var means = [Double](repeating: 0, count: d)
    var sds = [Double](repeating: 0, count: d)
    var constant: [String] = []
    for k in 0..<d {
      var s = NeumaierSum()
      for i in 0..<n { s.add(features[i * d + k]) }
      let mean = s.value / Double(n)
      var ss = NeumaierSum()
      for i in 0..<n {
        let c = features[i * d + k] - mean
        ss.add(c * c)
      }
      let sd = (ss.value / Double(n)).squareRoot()
      // Exactly constant (every value equal): the computed mean may differ from it by an ulp, so the
      // column is set to exact zeros rather than divided by a rounding residue.
      let first = features[k]
      let isConstant = (0..<n).allSatisfy { features[$0 * d + k] == first }
      means[k] = isConstant ? first : mean
      sds[k] = isConstant ? 0 : sd
      if isConstant { constant.append(featureNames[k]) }
      for i in 0..<n {
        out.features[i * d + k] = isConstant ? 0 : (features[i * d + k] - mean) / sd
      }
    }
    out.standardization = Standardization(means: means, standardDeviations: sds, constantColumns: constant)
    return out
  }
}

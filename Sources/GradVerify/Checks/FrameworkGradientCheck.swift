/// The seed's linearity claim for gradients a framework computed: the mean of its per-example gradients
/// (summed here exactly) against its own gradient of the mean loss at the same θ. The framework summed in
/// its precision, so each coordinate may differ by up to Higham's bound for recursive summation, the worst
/// order any reduction can take:
///
/// ```
/// |ḡⱼ − gⱼ| ≤ τⱼ = γ_{N−1} · (1/N) Σᵢ |Gᵢⱼ| + 2u |gⱼ|,   γₖ = k·u / (1 − k·u)
/// u = 2⁻²⁴ (float32) or 2⁻⁵³ (float64), the unit roundoff of the framework's sums
/// ```
/// (N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM 2002, §4.2; the 2u|gⱼ|
/// covers the final division and the storing of g.) A per-sample tool that disagrees with its framework
/// (batch norm or dropout left in train mode, a sum where the mean was meant, a row left out) differs by
/// far more, and FAILs with the size of the disagreement; τ is the smallest disagreement it can see.
public struct FrameworkGradientCheck: Sendable {
  public enum Precision: String, Sendable, CaseIterable {
    case float32, float64
    /// The unit roundoff u.
    public var unitRoundoff: Double { self == .float32 ? 0x1p-24 : 0x1p-53 }
  }

  public var precision: Precision
  public var count: Int
  /// maxⱼ |ḡⱼ − gⱼ|, and relative to ‖g‖∞.
  public var maxAbsoluteDifference: Double
  public var maxRelativeDifference: Double
  /// maxⱼ |ḡⱼ − gⱼ| / τⱼ (≤ 1: within rounding), at `worstCoordinate`, where the bound is `worstBound`.
  public var worstRatio: Double
  public var worstCoordinate: Int
  public var worstBound: Double
  public var verdict: Verdict

  /// - Parameters:
  ///   - population: the per-example gradients (their mean is summed exactly).
  ///   - fullGradient: the framework's gradient of the mean loss, P entries.
  public init(population p: GradientPopulation, fullGradient g: [Double], precision: Precision) {
    precondition(g.count == p.dimension, "the full gradient has \(g.count) entries, the rows \(p.dimension)")
    let n = p.count
    let u = precision.unitRoundoff
    let gamma = roundingGamma(n - 1, unitRoundoff: u)
    var absoluteMeans = [Double](repeating: 0, count: p.dimension)
    for i in 0..<n {
      for j in 0..<p.dimension { absoluteMeans[j] += Swift.abs(p.rows[i * p.dimension + j]) }
    }
    var worst = (ratio: -1.0, coordinate: 0, bound: 0.0)
    var maxDifference = 0.0
    for j in 0..<p.dimension {
      let difference = Swift.abs(p.mean[j] - g[j])
      let bound = gamma * absoluteMeans[j] / Double(n) + 2 * u * Swift.abs(g[j])
      let ratio = difference == 0 ? 0 : (bound > 0 ? difference / bound : .infinity)
      maxDifference = Swift.max(maxDifference, difference)
      if ratio > worst.ratio { worst = (ratio, j, bound) }
    }
    let scale = g.map { Swift.abs($0) }.max() ?? 0
    self.precision = precision
    count = n
    maxAbsoluteDifference = maxDifference
    maxRelativeDifference = scale > 0 ? maxDifference / scale : (maxDifference == 0 ? 0 : .infinity)
    worstRatio = worst.ratio
    worstCoordinate = worst.coordinate
    worstBound = worst.bound
    verdict = worst.ratio <= 1 ? .pass : .fail
  }

  /// The verdict row: the disagreement, the bound at the worst coordinate and their ratio.
  public func verdictRow(caseName: String) -> VerdictRow {
    VerdictRow(
      claim: "C1-framework", caseName: caseName,
      keyFigure: "mean of rows vs framework gradient: max diff \(shortScientific(maxAbsoluteDifference)) (rel \(shortScientific(maxRelativeDifference))), "
        + "worst |diff|/bound \(shortScientific(worstRatio)) at coordinate \(worstCoordinate) (bound \(shortScientific(worstBound)), \(precision.rawValue) sums of N = \(count))",
      verdict: verdict)
  }
}

import Foundation

/// How many of a cell's R draws the variance test (C3) needs, where the mean error (C2) takes all R: the
/// squared error of a draw costs O(m·P) reads of rows (or O(m²) of K), its counts only O(m).
///
/// ```
/// upper tail (Pearson type III, near normal):  R_up  = (2·z_L·sd(e) / (δ·E e))²,   z_L = Φ⁻¹(1 − L)
/// lower tail (Bennett's bound, e ≥ 0):          R_low = ln(1/L) / ((σ²/μ²)·h(t·μ/σ²)),   t = δμ/2
/// R₃ = min(R, ⌈max(20, R_up, R_low)⌉),   δ = 0.1,  μ = E e,  σ² = Var e
/// ```
/// so that a relative deviation δ of the MSE from its law (`SweepEvaluation.meaningfulRelativeDeviation`)
/// lies about two critical distances out at the run's per-tail level L on either side: above, where the
/// tail is near normal; below, where Bennett's bound (valid for any law, wide at small R) reaches L at δ/2
/// exactly. R₃ is a function of the population's exact law and
/// the run's settings only, never of the draws, so the test keeps its level. It is at least 20, the fewest
/// draws at which the tests' false-failure rates are measured (`make calibrate` runs R = 20 and 2000 on
/// adversarial shapes); a cell whose law has no spread, or no law, takes all R. Whether R₃ reaches the
/// stated power is judged afterwards from the tail itself: a cell that falls short is INCONCLUSIVE.
package enum SquaredErrorDraws {
  public static func plan(
    cells: [SweepCell], population p: GradientPopulation, moments: PopulationMoments, draws: Int, level: Double
  ) -> [Int] {
    let z = -normalQuantile(level)
    return cells.map { cell in
      guard let law = SquaredErrorLaw(sampler: cell.sampler, batch: cell.batch, population: p, moments: moments),
        law.variance > 0, law.mean > 0
      else { return draws }
      let delta = SweepEvaluation.meaningfulRelativeDeviation
      let upper = 2 * z * law.variance.squareRoot() / (delta * law.mean)
      // One draw's Bennett exponent at the deficit δμ/2; R draws multiply it by R.
      let exponent = -Foundation.log(bennettLowerTail(deficit: delta * law.mean / 2, mean: law.mean, variance: law.variance, draws: 1))
      let lower = exponent > 0 ? -Foundation.log(level) / exponent : .infinity
      return rounded(needed: Swift.max(upper * upper, lower), maximum: draws)
    }
  }

  /// The fewest draws a test is given (the smallest R the calibration measures).
  public static let minimum = 20

  /// min(maximum, ⌈max(20, needed)⌉); the maximum when `needed` is not finite.
  static func rounded(needed: Double, maximum: Int) -> Int {
    let needed = Swift.max(Double(minimum), needed)
    guard needed.isFinite, needed < Double(maximum) else { return maximum }
    return Swift.min(maximum, Int(needed.rounded(.up)))
  }
}

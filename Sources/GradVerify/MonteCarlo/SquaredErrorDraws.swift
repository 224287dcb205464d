/// How many of a cell's R draws the variance test (C3) needs, where the mean error (C2) takes all R: the
/// squared error of a draw costs O(m·P) reads of rows (or O(m²) of K), its counts only O(m).
///
/// ```
/// R₃ = min(R, 256·⌈max(256, (2·z_L·sd(e) / (δ·E e))²) / 256⌉),   z_L = Φ⁻¹(1 − L),  δ = 0.1
/// ```
/// so that a relative deviation δ of the MSE from its law (`SweepEvaluation.meaningfulRelativeDeviation`)
/// lies about two critical distances out at the run's per-tail level L (the factor 2 leaves room for the
/// skewed and Bennett tails, wider than the normal one). R₃ is a function of the population's exact law and
/// the run's settings only, never of the draws, so the test keeps its level; it is at least one block of
/// 256 draws, and a cell whose law has no spread, or no law, takes all R.
public enum SquaredErrorDraws {
  public static func plan(
    cells: [SweepCell], population p: GradientPopulation, moments: PopulationMoments, draws: Int, level: Double
  ) -> [Int] {
    let z = -normalQuantile(level)
    return cells.map { cell in
      guard let law = SquaredErrorLaw(sampler: cell.sampler, batch: cell.batch, population: p, moments: moments),
        law.variance > 0, law.mean > 0
      else { return draws }
      return rounded(
        needed: 2 * z * law.variance.squareRoot() / (SweepEvaluation.meaningfulRelativeDeviation * law.mean),
        maximum: draws)
    }
  }

  /// min(maximum, 256·⌈max(256, x²)/256⌉) for x = 2·z_L·sd/(δ·mean); the maximum when x is not finite.
  static func rounded(needed x: Double, maximum: Int) -> Int {
    let block = MiniBatchSweep.blockSize
    let needed = Swift.max(Double(block), x * x)
    guard needed.isFinite, needed < Double(maximum) else { return maximum }
    return Swift.min(maximum, block * Int((needed / Double(block)).rounded(.up)))
  }
}

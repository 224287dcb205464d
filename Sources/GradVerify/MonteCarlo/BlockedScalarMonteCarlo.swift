/// The blocked Monte Carlo of one scalar statistic, for the controls: R draws in fixed logical blocks of
/// `MiniBatchSweep.blockSize`, block k drawing from its own stream (a pure function of its coordinates),
/// each block's Σx and Σx² summed in draw order and the blocks' sums combined in block order, so the result
/// is the same for any thread count.
///
/// ```
/// x̄ = Σx / R,   s² = max(0, (Σx² − R x̄²) / (R − 1)),   se(x̄) = √(s²/R)
/// ```
public struct BlockedScalarMonteCarlo: Sendable {
  public var draws: Int
  public var sum: Double
  public var squareSum: Double
  /// True when every draw was exactly 0.
  public var everyDrawZero: Bool

  public var mean: Double { sum / Double(draws) }
  public var standardError: Double {
    let r = Double(draws)
    let m = mean
    return (Swift.max(0, (squareSum - r * m * m) / (r - 1)) / r).squareRoot()
  }

  /// Runs `draw` R times: `stream(k)` is block k's random stream, `makeScratch` a worker's reusable state.
  public init<Scratch>(
    draws: Int, threads: Int, stream: @Sendable (Int) -> PhiloxStream, makeScratch: @Sendable () -> Scratch,
    draw: @Sendable (inout PhiloxStream, inout Scratch) -> Double
  ) {
    precondition(draws >= 2, "need at least two draws")
    let size = MiniBatchSweep.blockSize
    let blocks = (draws + size - 1) / size
    let parts = parallelJobs(count: blocks, threads: threads, makeScratch: makeScratch) {
      block, scratch -> (Double, Double, Bool) in
      var rng = stream(block)
      var (s, s2, zero) = (0.0, 0.0, true)
      for _ in 0..<Swift.min(size, draws - block * size) {
        let x = draw(&rng, &scratch)
        s += x
        s2 += x * x
        if x != 0 { zero = false }
      }
      return (s, s2, zero)
    }
    self.draws = draws
    sum = parts.map(\.0).reduce(0, +)
    squareSum = parts.map(\.1).reduce(0, +)
    everyDrawZero = parts.allSatisfy(\.2)
  }
}

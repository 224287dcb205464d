/// The blocked Monte Carlo of a few scalar statistics per draw, for the controls and the noise-scale
/// estimators: R draws in fixed logical blocks of `MiniBatchSweep.blockSize`, block k drawing from its own
/// stream (a pure function of its coordinates), each block's Σx, Σx² and Σx³ per statistic summed in draw
/// order and the blocks' sums combined in block order, so the result is the same for any thread count.
///
/// ```
/// x̄ = Σx / R,   s² = max(0, (Σx² − R x̄²) / (R − 1)),   se(x̄) = √(s²/R)
/// ```
package struct BlockedMonteCarlo: Sendable {
  public var draws: Int
  /// Σx, Σx², Σx³ of each statistic.
  public var sum: [Double]
  public var squareSum: [Double]
  public var cubeSum: [Double]
  /// True for a statistic that was exactly 0 in every draw.
  public var everyDrawZero: [Bool]

  public func mean(_ k: Int = 0) -> Double { sum[k] / Double(draws) }
  public func standardError(_ k: Int = 0) -> Double {
    let r = Double(draws)
    let m = mean(k)
    return (Swift.max(0, (squareSum[k] - r * m * m) / (r - 1)) / r).squareRoot()
  }

  /// Runs `draw` R times; each call writes the draw's `statistics` values into its last argument.
  /// `stream(k)` is block k's random stream, `makeScratch` a worker's reusable state.
  public init<Scratch>(
    draws: Int, statistics: Int = 1, threads: Int, stream: @Sendable (Int) -> PhiloxStream,
    makeScratch: @Sendable () -> Scratch, draw: @Sendable (inout PhiloxStream, inout Scratch, inout [Double]) -> Void
  ) {
    self.init(draws: draws, statistics: statistics, threads: threads, stream: stream, makeScratch: makeScratch) {
      rng, scratch, count, values in
      var one = [Double](repeating: 0, count: statistics)
      for t in 0..<count {
        draw(&rng, &scratch, &one)
        for k in 0..<statistics { values[t * statistics + k] = one[k] }
      }
    }
  }

  /// Runs `drawBlock` once per block: it makes the block's `count` draws in order and writes draw t's
  /// values at [t·statistics ..< (t + 1)·statistics] (so a block may finish its draws' work in groups).
  public init<Scratch>(
    draws: Int, statistics: Int = 1, threads: Int, stream: @Sendable (Int) -> PhiloxStream,
    makeScratch: @Sendable () -> Scratch,
    drawBlock: @Sendable (inout PhiloxStream, inout Scratch, _ count: Int, inout [Double]) -> Void
  ) {
    precondition(draws >= 2 && statistics >= 1, "need at least two draws and one statistic")
    let parts = DrawBlocks.map(draws: draws, threads: threads, makeScratch: makeScratch) {
      block, count, scratch -> [(Double, Double, Double, Bool)] in
      var rng = stream(block)
      var values = [Double](repeating: 0, count: count * statistics)
      drawBlock(&rng, &scratch, count, &values)
      var sums = [(Double, Double, Double, Bool)](repeating: (0, 0, 0, true), count: statistics)
      for t in 0..<count {
        for k in 0..<statistics {
          let x = values[t * statistics + k]
          sums[k].0 += x
          sums[k].1 += x * x
          sums[k].2 += x * x * x
          if x != 0 { sums[k].3 = false }
        }
      }
      return sums
    }
    self.draws = draws
    sum = (0..<statistics).map { k in parts.map { $0[k].0 }.reduce(0, +) }
    squareSum = (0..<statistics).map { k in parts.map { $0[k].1 }.reduce(0, +) }
    cubeSum = (0..<statistics).map { k in parts.map { $0[k].2 }.reduce(0, +) }
    everyDrawZero = (0..<statistics).map { k in parts.allSatisfy { $0[k].3 } }
  }
}

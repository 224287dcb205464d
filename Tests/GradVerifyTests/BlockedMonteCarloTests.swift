import GradVerify
import Testing

/// The blocked Monte Carlo of the controls and the noise-scale estimators (MonteCarlo/BlockedMonteCarlo.swift).
@Suite struct BlockedMonteCarloTests {
  static func run(draws: Int, threads: Int) -> BlockedMonteCarlo {
    BlockedMonteCarlo(
      draws: draws, statistics: 2, threads: threads,
      stream: { PhiloxStream(seed: 4, name: "tests/scalar", substream: UInt64($0)) }, makeScratch: {}
    ) { rng, _, values in
      values[0] = Double(rng.nextBounded(10)) - 4.5
      values[1] = 0
    }
  }

  @Test("block sums in draw order, blocks in block order: the bits of a plain loop over the same streams, on 1 and 3 threads; a statistic always 0 is exactly 0")
  func matchesPlainLoop() {
    let draws = 1000  // three full blocks and a partial one
    var (s, s2) = (0.0, 0.0)
    var blockSums: [(Double, Double)] = []
    for block in 0..<4 {
      var rng = PhiloxStream(seed: 4, name: "tests/scalar", substream: UInt64(block))
      var (bs, bs2) = (0.0, 0.0)
      for _ in 0..<Swift.min(256, draws - block * 256) {
        let x = Double(rng.nextBounded(10)) - 4.5
        bs += x
        bs2 += x * x
      }
      blockSums.append((bs, bs2))
    }
    for (bs, bs2) in blockSums {
      s += bs
      s2 += bs2
    }
    for threads in [1, 3] {
      let mc = Self.run(draws: draws, threads: threads)
      #expect(mc.sum[0].bitPattern == s.bitPattern && mc.squareSum[0].bitPattern == s2.bitPattern)
      #expect(mc.mean(0) == s / 1000)
      let variance = (s2 - 1000 * (s / 1000) * (s / 1000)) / 999
      #expect(mc.standardError(0) == (variance / 1000).squareRoot())
      #expect(mc.everyDrawZero == [false, true] && mc.sum[1] == 0 && mc.standardError(1) == 0)
    }
  }

  @Test("Σx³ per statistic, as the noise-scale estimators' skewness needs it")
  func cubes() {
    let mc = BlockedMonteCarlo(
      draws: 300, threads: 2, stream: { PhiloxStream(seed: 1, name: "z", substream: UInt64($0)) }, makeScratch: {}
    ) { _, _, values in values[0] = 2 }
    #expect(mc.sum == [600] && mc.squareSum == [1200] && mc.cubeSum == [2400] && mc.everyDrawZero == [false])
  }
}

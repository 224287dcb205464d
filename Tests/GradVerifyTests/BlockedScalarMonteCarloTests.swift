import GradVerify
import Testing

/// The controls' blocked scalar Monte Carlo (MonteCarlo/BlockedScalarMonteCarlo.swift).
@Suite struct BlockedScalarMonteCarloTests {
  static func run(draws: Int, threads: Int) -> BlockedScalarMonteCarlo {
    BlockedScalarMonteCarlo(
      draws: draws, threads: threads, stream: { PhiloxStream(seed: 4, name: "tests/scalar", substream: UInt64($0)) },
      makeScratch: {}
    ) { rng, _ in Double(rng.nextBounded(10)) - 4.5 }
  }

  @Test("block sums in draw order, blocks in block order: the bits of a plain loop over the same streams, on 1 and 3 threads")
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
      #expect(mc.sum.bitPattern == s.bitPattern && mc.squareSum.bitPattern == s2.bitPattern)
      #expect(mc.mean == s / 1000)
      let variance = (s2 - 1000 * (s / 1000) * (s / 1000)) / 999
      #expect(mc.standardError == (variance / 1000).squareRoot())
      #expect(!mc.everyDrawZero)
    }
  }

  @Test("a statistic that is always 0 is reported as exactly zero, with standard error 0")
  func exactZero() {
    let mc = BlockedScalarMonteCarlo(
      draws: 300, threads: 2, stream: { PhiloxStream(seed: 1, name: "z", substream: UInt64($0)) }, makeScratch: {}
    ) { _, _ in 0 }
    #expect(mc.everyDrawZero && mc.mean == 0 && mc.standardError == 0)
  }
}

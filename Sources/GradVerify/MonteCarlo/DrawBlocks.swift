/// R Monte Carlo draws in fixed logical blocks of `MiniBatchSweep.blockSize` (the last one shorter): block k
/// holds draws k·size ..< min((k + 1)·size, R). Each block draws from its own stream and returns its own
/// partial sums, so the blocks can run on any threads and be combined in block order with the same result.
package enum DrawBlocks {
  /// The number of blocks of R draws.
  static func count(draws: Int) -> Int { (draws + MiniBatchSweep.blockSize - 1) / MiniBatchSweep.blockSize }

  /// `body(block, drawsInBlock, &scratch)` for every block, in block order; `makeScratch` gives each
  /// worker its reusable state.
  package static func map<Scratch, Part: Sendable>(
    draws: Int, threads: Int, makeScratch: @Sendable () -> Scratch,
    _ body: @Sendable (_ block: Int, _ draws: Int, inout Scratch) -> Part
  ) -> [Part] {
    let size = MiniBatchSweep.blockSize
    return parallelJobs(count: count(draws: draws), threads: threads, makeScratch: makeScratch) { block, scratch in
      body(block, Swift.min(size, draws - block * size), &scratch)
    }
  }
}

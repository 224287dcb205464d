import Foundation

/// The speed of the sweep on the peer's workload: N×d standard-normal gradients, R draws per batch size,
/// sizes 1, 2, 4, …, N. Rows gathered = R · Σ b (the workload; past N/2 the complement is what is summed).
package struct SweepBenchmark: Sendable {
  public var sampler: SamplerKind
  public var threads: Int
  public var seconds: Double
  public var rows: Double
  public var dimension: Int

  public var rowsPerSecond: Double { rows / seconds }
  /// Effective bandwidth: rows · d · 8 bytes per second.
  public var gigabytesPerSecond: Double { rows * Double(dimension) * 8 / seconds / 1e9 }

  /// Powers of two from 1 to N.
  public static func powersOfTwo(upTo n: Int) -> [Int] {
    var sizes: [Int] = []
    var b = 1
    while b <= n {
      sizes.append(b)
      b *= 2
    }
    return sizes
  }

  public static func run(
    count n: Int, dimension d: Int, draws: Int, sizes: [Int], sampler: SamplerKind, threads: Int, seed: UInt64
  ) -> SweepBenchmark {
    var rng = PhiloxStream(seed: seed, name: "bench/gradients")
    let population = GradientPopulation(rows: (0..<(n * d)).map { _ in rng.nextNormal() }, count: n, dimension: d)
    let cells = sizes.map { SweepCell(sampler: sampler, batch: $0) }
    let start = DispatchTime.now().uptimeNanoseconds
    let result = MiniBatchSweep.run(population: population, cells: cells, draws: draws, seed: seed, name: "bench", threads: threads)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    precondition(result.count == cells.count)
    return SweepBenchmark(
      sampler: sampler, threads: threads, seconds: seconds, rows: Double(draws * sizes.reduce(0, +)), dimension: d)
  }

  /// "sampler=without threads=2 seconds=… rows_per_s=… GBps=…"
  public var line: String {
    "sampler=\(sampler.rawValue) threads=\(threads) seconds=\((seconds * 1e4).rounded() / 1e4) "
      + "rows_per_s=\(Int(rowsPerSecond.rounded())) GBps=\((gigabytesPerSecond * 100).rounded() / 100)"
  }
}

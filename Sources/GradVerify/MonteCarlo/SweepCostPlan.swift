import Foundation

/// What a sweep will cost, known before it runs: the rows its draws read and the seconds they take at this
/// machine's speed, measured by timing a few draws of every cell on the population itself.
///
/// ```
/// seconds ≈ Σ_cells R·t_cell / T  +  R·(t_small + t_big) / T  +  t_moments
/// ```
/// t_cell is one draw's time in that cell (the sampler, the gathered rows — min(b, N − b) without
/// replacement, b with — and the O(P) error), timed single-threaded after one untimed draw, over enough
/// draws to take 3 ms (at most 64); T the
/// threads; t_small, t_big the noise-scale estimator's two draws; t_moments the O(N·P·min(N, P)/2) sum
/// over the Gram or Σ_N matrix (`CrossSquareSum`), timed on a slice of its vectors. The timing draws use a
/// stream of their own: the plan never changes a number of the sweep. The same plan weighs each block of
/// draws for the progress line, so its ETA follows the cost, not the count of blocks.
public struct SweepCostPlan: Sendable {
  /// One draw's seconds in each cell, in the sweep's cell order.
  public let secondsPerDraw: [Double]
  /// Rows each draw of a cell reads.
  public let rowsPerDraw: [Double]
  public let draws: Int
  public let threads: Int
  /// The noise-scale estimator's draws and the population moments.
  public let noiseSeconds: Double
  public let momentSeconds: Double
  /// The parameters per row, for the rows-read line.
  public let dimension: Int

  /// Times `cells` on `population` (about 3 ms a cell, up to 65 draws each).
  public static func measure(
    population p: GradientPopulation, cells: [SweepCell], draws: Int, threads: Int, noiseScale: Bool = true
  ) -> SweepCostPlan {
    let t = Double(Swift.max(1, threads))
    let perDraw = cells.map { timePerDraw(p, $0) }
    var noise = 0.0
    if noiseScale, let (small, big) = NoiseScaleEstimate.sizes(count: p.count) {
      noise = Double(draws) * (timePerDraw(p, SweepCell(sampler: .withoutReplacement, batch: small))
        + timePerDraw(p, SweepCell(sampler: .withoutReplacement, batch: big))) / t
    }
    return SweepCostPlan(
      secondsPerDraw: perDraw, rowsPerDraw: cells.map { rowsRead(p.count, $0) }, draws: draws, threads: threads,
      noiseSeconds: noise, momentSeconds: momentSeconds(p, threads: threads), dimension: p.dimension)
  }

  /// Rows one draw reads: the listed draw (its complement past N/2 without replacement, or all N for a
  /// with-replacement list of 3N/4 or more, summed column-wise).
  static func rowsRead(_ n: Int, _ cell: SweepCell) -> Double {
    let b = cell.batch
    switch cell.sampler {
    case .withReplacement: return Double(4 * b >= 3 * n ? n : b)
    default: return Double(2 * b > n ? n - b : b)
    }
  }

  /// One draw's seconds in `cell`, single-threaded, on a stream no sweep uses.
  static func timePerDraw(_ p: GradientPopulation, _ cell: SweepCell) -> Double {
    var workspace = SamplerWorkspace(count: p.count)
    var indices: [Int32] = []
    var accumulator = [Double](repeating: 0, count: p.dimension)
    var rng = PhiloxStream(seed: 0, name: "sweep-cost-plan/\(cell.sampler.rawValue)/b=\(cell.batch)", substream: 0)
    func run(_ k: Int) -> Double {
      let start = ContinuousClock.now
      _ = MiniBatchSweep.runBlock(
        population: p, cell: cell, draws: k, neverPicks: nil, rng: &rng, workspace: &workspace, indices: &indices,
        accumulator: &accumulator)
      return (ContinuousClock.now - start).seconds
    }
    // One draw untimed first (caches, pages and buffers warm, as in the run), then doubling to 3 ms.
    _ = run(1)
    var k = 1
    while true {
      let seconds = run(k)
      if seconds >= 0.003 || k >= 64 { return seconds / Double(k) }
      k *= 2
    }
  }

  /// The Gram or Σ_N sum's seconds (P > 256 only; below it the P×P matrix is formed with the population),
  /// from timing `CrossSquareSum` on 24 of its vectors and scaling by the pairs: (m/24)²/T.
  static func momentSeconds(_ p: GradientPopulation, threads: Int) -> Double {
    guard p.dimension > 256 else { return 0 }
    let (n, d) = (p.count, p.dimension)
    let byColumns = d < n
    let (m, length) = byColumns ? (d, n) : (n, d)
    let slice = Swift.min(m, 24)
    let start = ContinuousClock.now
    if byColumns {
      p.columns.withUnsafeBufferPointer { columns in
        p.mean.withUnsafeBufferPointer { mean in
          _ = CrossSquareSum.sum(.init(base: columns.baseAddress!, count: slice, length: length, centre: mean.baseAddress!), threads: 1)
        }
      }
    } else {
      p.rows.withUnsafeBufferPointer { rows in
        p.mean.withUnsafeBufferPointer { mean in
          _ = CrossSquareSum.sum(.init(base: rows.baseAddress!, count: slice, length: length, elementCentre: mean.baseAddress!), threads: 1)
        }
      }
    }
    let pairs = Double(m) * Double(m + 1) / (Double(slice) * Double(slice + 1))
    return (ContinuousClock.now - start).seconds * pairs / Double(Swift.max(1, threads))
  }

  /// The planned seconds of the draws of `cell` (index) in a block of `count` draws.
  public func seconds(cell: Int, draws count: Int) -> Double { Double(count) * secondsPerDraw[cell] / Double(Swift.max(1, threads)) }

  /// The planned seconds of every cell's draws.
  public var drawSeconds: Double { secondsPerDraw.reduce(0, +) * Double(draws) / Double(Swift.max(1, threads)) }

  /// The planned seconds of the blocks of `shard` that `ledger` does not hold (all of them without a
  /// ledger), plus the noise scale and moments when this run ends in the table (`finishing`).
  public func remainingSeconds(holding ledger: SweepLedger?, shard: Shard, finishing: Bool) -> Double {
    var total = finishing ? noiseSeconds + momentSeconds : 0
    for job in stride(from: shard.index, to: secondsPerDraw.count * DrawBlocks.count(draws: draws), by: shard.count)
    where !(ledger?.holds(job: job) ?? false) {
      total += seconds(job: job)
    }
    return total
  }

  /// The planned seconds of job j: block j mod B of cell j / B (B blocks a cell, the last one shorter).
  public func seconds(job: Int) -> Double {
    let blocksPerCell = DrawBlocks.count(draws: draws)
    let block = job % blocksPerCell
    return seconds(cell: job / blocksPerCell, draws: Swift.min(MiniBatchSweep.blockSize, draws - block * MiniBatchSweep.blockSize))
  }

  /// The whole run's planned seconds.
  public var seconds: Double { drawSeconds + noiseSeconds + momentSeconds }

  /// Rows the draws read in all (R draws of every cell).
  public var rowsRead: Double { rowsPerDraw.reduce(0, +) * Double(draws) }

  /// One line for the user: "plan: 3.2e8 rows of 2000 parameters read by 30 cells × 20000 draws, about 95 s
  /// on 2 threads (draws 90 s, noise scale 3 s, moments 2 s)".
  public var summary: String {
    func s(_ x: Double) -> String { x < 10 ? String(format: "%.1f", x) : String(format: "%.0f", x) }
    return "plan: \(shortScientific(rowsRead)) rows of \(dimension) parameters read by \(secondsPerDraw.count) cells × \(draws) draws, "
      + "about \(s(seconds)) s on \(threads) thread\(threads == 1 ? "" : "s") (draws \(s(drawSeconds)) s, noise scale \(s(noiseSeconds)) s, moments \(s(momentSeconds)) s)"
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

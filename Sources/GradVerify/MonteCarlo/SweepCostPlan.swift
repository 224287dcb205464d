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
package struct SweepCostPlan: Sendable {
  /// One draw's seconds in each cell, in the sweep's cell order: drawing and counting it, and forming its
  /// squared error (paid by the first R₃ draws only).
  public let countSecondsPerDraw: [Double]
  public let squaredSecondsPerDraw: [Double]
  /// R₃ of each cell (`SquaredErrorDraws`; R where C3 takes every draw).
  public let squaredErrorDraws: [Int]
  /// Rows each draw of a cell reads for its squared error (0 where K serves the cell).
  public let rowsPerDraw: [Double]
  public let draws: Int
  public let threads: Int
  /// The noise-scale estimator's draws and the population moments.
  public let noiseSeconds: Double
  public let momentSeconds: Double
  /// The parameters per row, for the rows-read line.
  public let dimension: Int

  /// Times `cells` on `population` (about 3 ms a cell and part, up to 65 draws each), reading K where it
  /// serves a cell. `momentSeconds`: the moments' time when already measured, else estimated.
  public static func measure(
    population p: GradientPopulation, cells: [SweepCell], draws: Int, threads: Int, noiseScale: Bool = true,
    gram: CentredGram? = nil, squaredErrorDraws: [Int]? = nil, noiseDraws: Int? = nil, momentSeconds measured: Double? = nil
  ) -> SweepCostPlan {
    let t = Double(Swift.max(1, threads))
    let counting = cells.map { timePerDraw(p, $0, gram: gram, squared: false) }
    let whole = cells.map { timePerDraw(p, $0, gram: gram, squared: true) }
    var noise = 0.0
    if noiseScale, let (small, big) = NoiseScaleEstimate.sizes(count: p.count) {
      noise = Double(noiseDraws ?? draws) * (timePerDraw(p, SweepCell(sampler: .withoutReplacement, batch: small), gram: gram, squared: true)
        + timePerDraw(p, SweepCell(sampler: .withoutReplacement, batch: big), gram: gram, squared: true)) / t
    }
    return SweepCostPlan(
      countSecondsPerDraw: counting, squaredSecondsPerDraw: zip(whole, counting).map { Swift.max(0, $0 - $1) },
      squaredErrorDraws: squaredErrorDraws ?? cells.map { _ in draws },
      rowsPerDraw: cells.map { gram?.serves($0) == true ? 0 : rowsRead(p.count, $0) }, draws: draws, threads: threads,
      noiseSeconds: noise, momentSeconds: measured ?? momentSeconds(p, threads: threads), dimension: p.dimension)
  }

  /// Rows one draw lists: b with replacement, else its batch or the complement past N/2.
  static func rowsRead(_ n: Int, _ cell: SweepCell) -> Double {
    let b = cell.batch
    return Double(cell.sampler == .withReplacement || 2 * b <= n ? b : n - b)
  }

  /// One draw's seconds in `cell`, single-threaded, on a stream no sweep uses: drawing and counting only,
  /// or with the squared error too.
  static func timePerDraw(_ p: GradientPopulation, _ cell: SweepCell, gram: CentredGram?, squared: Bool) -> Double {
    var scratch = BlockScratch(count: p.count, dimension: p.dimension)
    var rng = PhiloxStream(seed: 0, name: "sweep-cost-plan/\(cell.sampler.rawValue)/b=\(cell.batch)", substream: 0)
    func run(_ k: Int) -> Double {
      let start = ContinuousClock.now
      _ = MiniBatchSweep.runBlock(
        population: p, cell: cell, layout: .counts, gram: gram, draws: k, squaredDraws: squared ? k : 0,
        neverPicks: nil, rng: &rng, scratch: &scratch)
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

  /// The Gram or Σ_N sum's seconds (P > 256 only; below it the P×P matrix is formed with the population):
  /// over the columns (`CrossSquareSum.columnSum`), one block of 256 rows timed on all threads and scaled by
  /// the blocks, N/256; over the rows, `CrossSquareSum.sum` timed on 24 of them and scaled by the pairs,
  /// (m/24)²/T.
  package static func momentSeconds(_ p: GradientPopulation, threads: Int) -> Double {
    guard p.dimension > 256 else { return 0 }
    return p.rows.withElements { elements in
      switch elements {
      case .double(let rows): momentSeconds(p, rows: rows, threads: threads)
      case .float(let rows): momentSeconds(p, rows: rows, threads: threads)
      }
    }
  }

  static func momentSeconds<T: StoredScalar>(_ p: GradientPopulation, rows: UnsafePointer<T>, threads: Int) -> Double {
    let (n, d) = (p.count, p.dimension)
    let start = ContinuousClock.now
    return p.mean.withUnsafeBufferPointer { mean in
      if CrossSquareSum.columnSumServes(count: n, dimension: d) {
        let block = Swift.min(n, 256)
        _ = CrossSquareSum.columnSum(rows: rows, count: block, length: d, mean: mean.baseAddress!, threads: threads)
        return (ContinuousClock.now - start).seconds * Double(n) / Double(block)
      }
      let slice = Swift.min(n, 24)
      _ = CrossSquareSum.sum(.init(base: rows, count: slice, length: d, elementCentre: mean.baseAddress!), threads: 1)
      let pairs = Double(n) * Double(n + 1) / (Double(slice) * Double(slice + 1))
      return (ContinuousClock.now - start).seconds * pairs / Double(Swift.max(1, threads))
    }
  }

  /// The planned seconds of block k of cell c: its draws counted, its first squared errors formed.
  public func seconds(cell c: Int, block k: Int) -> Double {
    let size = MiniBatchSweep.blockSize
    let count = Swift.min(size, draws - k * size)
    let squared = Swift.min(count, Swift.max(0, squaredErrorDraws[c] - k * size))
    return (Double(count) * countSecondsPerDraw[c] + Double(squared) * squaredSecondsPerDraw[c]) / Double(Swift.max(1, threads))
  }

  /// The planned seconds of every cell's draws.
  public var drawSeconds: Double {
    countSecondsPerDraw.indices.reduce(0) { total, c in
      total + (Double(draws) * countSecondsPerDraw[c] + Double(squaredErrorDraws[c]) * squaredSecondsPerDraw[c])
    } / Double(Swift.max(1, threads))
  }

  /// The planned seconds of the blocks of `shard` that `ledger` does not hold (all of them without a
  /// ledger), plus the noise scale and moments when this run ends in the table (`finishing`).
  public func remainingSeconds(holding ledger: SweepLedger?, shard: Shard, finishing: Bool) -> Double {
    var total = finishing ? noiseSeconds + momentSeconds : 0
    for job in stride(from: shard.index, to: countSecondsPerDraw.count * DrawBlocks.count(draws: draws), by: shard.count)
    where !(ledger?.holds(job: job) ?? false) {
      total += seconds(job: job)
    }
    return total
  }

  /// The planned seconds of job j: block j mod B of cell j / B (B blocks a cell, the last one shorter).
  public func seconds(job: Int) -> Double {
    let blocksPerCell = DrawBlocks.count(draws: draws)
    return seconds(cell: job / blocksPerCell, block: job % blocksPerCell)
  }

  /// The whole run's planned seconds.
  public var seconds: Double { drawSeconds + noiseSeconds + momentSeconds }

  /// Rows the squared errors read in all (R₃ draws of every cell the rows serve).
  public var rowsRead: Double { zip(rowsPerDraw, squaredErrorDraws).reduce(0) { $0 + $1.0 * Double($1.1) } }

  /// One line for the user: "plan: 3.2e8 rows of 2000 parameters read by 30 cells × 20000 draws, about 95 s
  /// on 2 threads (draws 90 s, noise scale 3 s, moments 2 s)".
  public var summary: String {
    func s(_ x: Double) -> String { x < 10 ? String(format: "%.1f", x) : String(format: "%.0f", x) }
    let fewest = squaredErrorDraws.min() ?? draws
    let c3 = fewest < draws ? " (C3 on \(fewest)–\(squaredErrorDraws.max()!) by power)" : ""
    return "plan: \(shortScientific(rowsRead)) rows of \(dimension) parameters read by \(countSecondsPerDraw.count) cells × \(draws) draws\(c3), "
      + "about \(s(seconds)) s on \(threads) thread\(threads == 1 ? "" : "s") (draws \(s(drawSeconds)) s, noise scale \(s(noiseSeconds)) s, moments \(s(momentSeconds)) s)"
  }
}

extension Duration {
  /// The duration in seconds.
  package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

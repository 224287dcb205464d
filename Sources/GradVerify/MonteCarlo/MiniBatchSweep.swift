/// One cell of a sweep: a sampler and a batch size.
package struct SweepCell: Sendable, Hashable {
  public var sampler: SamplerKind
  public var batch: Int
  public init(sampler: SamplerKind, batch: Int) {
    self.sampler = sampler
    self.batch = batch
  }
}

/// What R draws of one cell measured.
///
/// ```
/// e_r = ḡ_b⁽ʳ⁾ − g,   ē = (1/R) Σ e_r  (per coordinate, with its Monte Carlo standard error)
/// MSE = (1/R) Σ ‖e_r‖²,   se(MSE) = sd(‖e_r‖²)/√R,   and the raw sums Σ‖e_r‖^{2k}, k = 1, 2, 3
/// ```
/// The verdicts standardise by the exact null law (`SquaredErrorLaw`), not by these estimated errors.
package struct CellMeasurement: Sendable {
  public var cell: SweepCell
  /// R, the draws of the mean error (C2).
  public var draws: Int
  /// R₃ ≤ R, the draws whose squared errors the MSE averages (C3): the first R₃ of the cell's draws.
  public var squaredErrorDraws = 0
  /// ē, per coordinate.
  public var meanError: [Double]
  /// The Monte Carlo standard error of each ēⱼ: sd(eⱼ)/√R.
  public var meanErrorStandardError: [Double]
  public var meanSquaredError: Double
  public var meanSquaredErrorStandardError: Double
  /// Σ‖e_r‖², Σ‖e_r‖⁴, Σ‖e_r‖⁶ over the draws.
  public var squaredErrorPowerSums: [Double]
  /// True when every draw's error was exactly zero (the full batch without replacement).
  public var everyErrorZero: Bool

  /// max over coordinates of |ēⱼ| / se(ēⱼ); 0/0 counts as 0, x/0 as ∞.
  public var maxAbsoluteBiasZ: Double {
    var worst = 0.0
    for (m, s) in zip(meanError, meanErrorStandardError) {
      let z = s > 0 ? Swift.abs(m) / s : (m == 0 ? 0 : .infinity)
      worst = Swift.max(worst, z)
    }
    return worst
  }

  /// ‖ē‖: the size of the measured bias.
  public var biasNorm: Double { meanError.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}

/// The Monte Carlo core: R draws per cell in fixed logical blocks of B draws; a block's random stream is
/// a pure function of (seed, stream, cell, block); a block is summed in draw order and block sums are
/// added exactly (`CellSums`), so results are bit-identical for any thread count, shard grouping or order
/// of completion; threads only schedule blocks.
package enum MiniBatchSweep {
  /// Draws per logical block (recorded in provenance).
  public static let blockSize = 256
  /// The version of the sampling algorithms: a change to any sampler changes every table.
  public static let samplerVersion = 1

  /// The Philox stream of one block.
  public static func stream(seed: UInt64, name: String, cell: SweepCell, block: Int) -> PhiloxStream {
    PhiloxStream(seed: seed, name: "sweep/\(name)/\(cell.sampler.rawValue)/b=\(cell.batch)", substream: UInt64(block))
  }

  /// The number of jobs (blocks over all cells) of a sweep: job j is block j mod B of cell j / B.
  public static func jobCount(cells: Int, draws: Int) -> Int { cells * DrawBlocks.count(draws: draws) }

  /// Runs every cell for `draws` replicates.
  ///
  /// - Parameters:
  ///   - name: names the random streams (e.g. the case), so different cases draw independently.
  ///   - neverPicks: a deliberate sampler bug for the tests (that example is never drawn; full batches are
  ///     left whole).
  ///   - progress: called with (blocks done, blocks in all) from worker threads.
  ///   - coordinateSpread: keep Σeⱼ² per coordinate (the `vectors` layout), for each ēⱼ's Monte Carlo
  ///     standard error; otherwise cells keep counts (`CellLayout`).
  ///   - gram: the population's Gram matrix, read by the cells it serves (`CentredGram.serves`).
  /// - Complexity: O(R · Σ_cells m) to draw, m = min(b, N − b) listed (b with replacement), plus for the
  ///   squared errors O(R · Σ m²) from K or O(R · Σ m · P) from rows, plus one O(N · P) product per cell.
  public static func run(
    population: GradientPopulation, cells: [SweepCell], draws: Int, seed: UInt64, name: String, threads: Int,
    neverPicks: Int? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil, coordinateSpread: Bool = false,
    gram: CentredGram? = nil
  ) -> [CellMeasurement] {
    var ledger = SweepLedger(
      signature: [], shardCount: 1, drawsPerCell: draws, cells: cells, coordinateSpread: coordinateSpread,
      examples: population.count, dimension: population.dimension)
    // Without a checkpoint nothing can throw.
    try! fill(&ledger, shard: .whole, population: population, cells: cells, draws: draws, seed: seed, name: name,
              threads: threads, neverPicks: neverPicks, progress: progress, gram: gram)
    return measurements(cells: cells, ledger: ledger, population: population, neverPicks: neverPicks, threads: threads)
  }

  /// The most memory the block sums of one chunk of jobs may take before they are added to the ledger.
  static let chunkBytes = 32 << 20

  /// Computes the blocks of `shard` the ledger does not hold yet, in chunks of jobs whose block sums are
  /// added to the ledger's exact cell sums as each chunk ends; after a chunk, when `checkpointInterval`
  /// seconds have passed since the last one, hands the ledger to `checkpoint`. Memory is one chunk of block
  /// sums and the ledger, whatever the draws; which blocks are computed when never changes a number.
  /// Each cell keeps the layout the ledger gives it (`CellLayout`).
  public static func fill(
    _ ledger: inout SweepLedger, shard: Shard, population: GradientPopulation, cells: [SweepCell], draws: Int,
    seed: UInt64, name: String, threads: Int, neverPicks: Int? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil,
    checkpointInterval: Double = 5, checkpoint: ((SweepLedger) throws(InputError) -> Void)? = nil,
    costPlan: SweepCostPlan? = nil, gram: CentredGram? = nil, squaredErrorDraws: [Int]? = nil
  ) throws(InputError) {
    precondition(draws >= 2, "need at least two draws per cell")
    precondition(
      ledger.jobCount == jobCount(cells: cells.count, draws: draws) && ledger.cellCount == cells.count
        && ledger.shardCount == shard.count, "ledger layout differs from the sweep")
    let blocksPerCell = ledger.blocksPerCell
    let owned = ledger.jobCount(ofShard: shard.index)
    // Progress counts each block by its planned cost (microseconds) when there is a plan, else as 1.
    let weight = { @Sendable (job: Int) -> Int in
      guard let costPlan else { return 1 }
      let micros = 1e6 * costPlan.seconds(job: job)
      return micros.isFinite ? Int(Swift.min(Swift.max(1, micros), 1e12)) : 1
    }
    let ownedJobs = stride(from: shard.index, to: ledger.jobCount, by: shard.count)
    let counter = ProgressCounter(
      total: ownedJobs.reduce(0) { $0 + weight($1) },
      alreadyDone: ownedJobs.reduce(0) { $0 + (ledger.holds(job: $1) ? weight($1) : 0) }, report: progress)
    let d = population.dimension
    let n = population.count
    let layouts = ledger.cells.map(\.layout)
    let blockBytes = 16 * Swift.max(d, n) + 64
    let chunk = Swift.min(Swift.max(4 * threads, chunkBytes / blockBytes), checkpoint == nil ? 4096 : Swift.max(8 * threads, 64))
    var lastCheckpoint = ContinuousClock.now
    while true {
      let jobs = ledger.missingJobs(ofShard: shard.index, limit: chunk)
      if jobs.isEmpty { break }
      let sums = parallelJobs(
        count: jobs.count, threads: threads,
        makeScratch: { BlockScratch(count: n, dimension: d) }
      ) { k, scratch -> BlockSums in
        let job = jobs[k]
        let cell = cells[job / blocksPerCell]
        let block = job % blocksPerCell
        let count = Swift.min(blockSize, draws - block * blockSize)
        var rng = stream(seed: seed, name: name, cell: cell, block: block)
        let squared = squaredErrorDraws.map { Swift.min(count, Swift.max(0, $0[job / blocksPerCell] - block * blockSize)) } ?? count
        let result = runBlock(
          population: population, cell: cell, layout: layouts[job / blocksPerCell], gram: gram, draws: count,
          squaredDraws: squared, neverPicks: neverPicks, rng: &rng, scratch: &scratch)
        counter.tick(weight(job))
        return result
      }
      for (job, sum) in zip(jobs, sums) { ledger.record(job: job, sums: sum) }
      let finished = ledger.done[shard.index]?.count == owned
      if let checkpoint, !finished, ContinuousClock.now - lastCheckpoint >= .seconds(checkpointInterval) {
        try checkpoint(ledger)
        lastCheckpoint = ContinuousClock.now
      }
    }
  }

  /// The measurements of every cell from a complete ledger: the `counts` cells' mean errors from one
  /// product Gᵀc per cell (`listedSums`).
  public static func measurements(
    cells: [SweepCell], ledger: SweepLedger, population p: GradientPopulation, neverPicks: Int? = nil, threads: Int
  ) -> [CellMeasurement] {
    precondition(ledger.isComplete && ledger.cellCount == cells.count, "measurements need every block")
    let counted = ledger.cells.indices.filter { ledger.cells[$0].layout == .counts }
    let products = listedSums(population: p, counts: counted.map { ledger.cells[$0].listedCounts }, threads: threads)
    var listed: [Int: [Double]] = [:]
    for (c, u) in zip(counted, products) { listed[c] = u }
    return zip(cells, ledger.cells).enumerated().map { c, pair in
      let (cell, sums) = pair
      guard let u = listed[c] else { return sums.measurement(cell: cell) }
      let sampler = BatchSampler(
        kind: cell.sampler, count: p.count, batch: cell.batch, neverPicks: cell.batch < p.count ? neverPicks : nil)
      return sums.measurement(cell: cell, listed: (u, p, sampler.drawsComplement))
    }
  }

  /// uₖ = Gᵀcₖ = Σᵢ cₖᵢ gᵢ for each count vector cₖ: the rows read once, P split into chunks of 512
  /// coordinates over the cores, each sum over i in row order (the same bits for any thread count).
  static func listedSums(population p: GradientPopulation, counts: [[Int64]], threads: Int) -> [[Double]] {
    guard !counts.isEmpty else { return [] }
    return p.rows.withElements { rows in
      switch rows {
      case .double(let base): listedSums(base, count: p.count, dimension: p.dimension, counts: counts, threads: threads)
      case .float(let base): listedSums(base, count: p.count, dimension: p.dimension, counts: counts, threads: threads)
      }
    }
  }

  static func listedSums<T: StoredScalar>(
    _ base: UnsafePointer<T>, count n: Int, dimension d: Int, counts: [[Int64]], threads: Int
  ) -> [[Double]] {
    let width = 512
    let jobs = (d + width - 1) / width
    nonisolated(unsafe) let base = base
    let parts = parallelJobs(count: jobs, threads: threads, makeScratch: {}) { job, _ -> [[Double]] in
      let first = job * width
      let w = Swift.min(d, first + width) - first
      var acc = [Double](repeating: 0, count: w * counts.count)
      acc.withUnsafeMutableBufferPointer { a in
        for i in 0..<n {
          let row = base + i * d + first
          for k in counts.indices {
            let c = counts[k][i]
            guard c != 0 else { continue }
            let x = Double(c)
            let out = a.baseAddress! + k * w
            for t in 0..<w { out[t] += x * row[t].wide }
          }
        }
      }
      return counts.indices.map { k in Array(acc[(k * w)..<((k + 1) * w)]) }
    }
    return counts.indices.map { k in parts.flatMap { $0[k] } }
  }

  /// One block: `draws` batches, each draw's listed examples counted (`counts`) or its error added per
  /// coordinate (`vectors`), and its squared error from K where K serves the cell, else from the rows.
  static func runBlock(
    population: GradientPopulation, cell: SweepCell, layout: CellLayout, gram: CentredGram?, draws: Int,
    squaredDraws: Int? = nil, neverPicks: Int?, rng: inout PhiloxStream, scratch: inout BlockScratch
  ) -> BlockSums {
    let d = population.dimension
    let sampler = BatchSampler(
      kind: cell.sampler, count: population.count, batch: cell.batch,
      neverPicks: cell.batch < population.count ? neverPicks : nil)
    var sums = BlockSums(layout: layout, examples: population.count, dimension: d)
    sums.draws = draws
    // Every draw is counted (C2); the first `squaredDraws` also give their squared error (C3). The
    // `vectors` layout needs each draw's error, so it takes them all.
    let squaredDraws = layout == .vectors ? draws : (squaredDraws ?? draws)
    sums.squaredErrorDraws = squaredDraws
    let fromGram = layout == .counts ? gram.flatMap { $0.serves(cell) ? $0 : nil } : nil
    let n = population.count
    // Dense draws' squared errors from group sums (`DrawGroupSums`), the first `squaredDraws` in groups of 16.
    let grouped = fromGram == nil && DrawGroupSums.serves(
      listed: Int(sampler.listedRate * Double(n)), count: n, rowBytes: population.rows.byteCount / n)
    let groupSize = DrawGroupSums.groupSize
    var divisors = [Double](repeating: 0, count: groupSize)
    var (squaredSum, squareSum, cubeSum) = (0.0, 0.0, 0.0)
    func add(squared: Double) {
      squaredSum += squared
      squareSum += squared * squared
      cubeSum += squared * squared * squared
    }
    population.rows.withElements { rows in
      population.total.withUnsafeBufferPointer { total in
        population.mean.withUnsafeBufferPointer { mean in
          sums.errorSum.withUnsafeMutableBufferPointer { errorSum in
            sums.errorSquareSum.withUnsafeMutableBufferPointer { errorSquareSum in
              sums.counts.withUnsafeMutableBufferPointer { counts in
                /// ‖ḡ_b − g‖² from the listed rows' sum (the batch's, or its complement's), the errors
                /// added per coordinate for the `vectors` layout.
                func addSquaredError(listedSum acc: UnsafePointer<Double>, divisor: Double) {
                  var squared = 0.0
                  for j in 0..<d {
                    let batchSum = sampler.drawsComplement ? total[j] - acc[j] : acc[j]
                    // An empty realised Poisson batch estimates 0 (its mean is undefined).
                    let e = (divisor > 0 ? batchSum / divisor : 0) - mean[j]
                    squared += e * e
                    if layout == .vectors {
                      errorSum[j] += e
                      errorSquareSum[j] += e * e
                    }
                  }
                  add(squared: squared)
                }
                for draw in 0..<draws {
                  if grouped && draw < squaredDraws {
                    let k = draw % groupSize
                    divisors[k] = sampler.draw(into: &scratch.group.lists[k], workspace: &scratch.workspace, using: &rng)
                    if layout == .counts { for index in scratch.group.lists[k] { counts[Int(index)] += 1 } }
                    guard k == groupSize - 1 || draw == squaredDraws - 1 else { continue }
                    scratch.group.sum(rows: rows, count: n, dimension: d, draws: k + 1)
                    scratch.group.sums.withUnsafeBufferPointer { s in
                      for q in 0...k { addSquaredError(listedSum: s.baseAddress! + q * d, divisor: divisors[q]) }
                    }
                  } else if draw >= squaredDraws {
                    // Counted only (squaredDraws < draws only in the `counts` layout).
                    sampler.count(into: counts, indices: &scratch.indices, workspace: &scratch.workspace, using: &rng)
                  } else {
                    let divisor = sampler.draw(into: &scratch.indices, workspace: &scratch.workspace, using: &rng)
                    if layout == .counts { for index in scratch.indices { counts[Int(index)] += 1 } }
                    if let fromGram {
                      add(squared: scratch.indices.withUnsafeBufferPointer { fromGram.squaredError(list: $0, batch: cell.batch) })
                    } else {
                      scratch.accumulator.withUnsafeMutableBufferPointer { acc in
                        gatherSum(rows: rows, dimension: d, indices: scratch.indices, into: acc)
                        addSquaredError(listedSum: acc.baseAddress!, divisor: divisor)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    sums.squaredErrorSum = squaredSum
    sums.squaredErrorSquareSum = squareSum
    sums.squaredErrorCubeSum = cubeSum
    return sums
  }

  /// The sum of the listed rows as the sweep forms it, read row by row when the listed rows take more than
  /// `rowByRowAbove` bytes and chunk by chunk otherwise (the same bits either way): for tests.
  public static func batchSum(of population: GradientPopulation, indices: [Int32], rowByRowAbove: Int) -> [Double] {
    var acc = [Double](repeating: 0, count: population.dimension)
    population.rows.withElements { rows in
      acc.withUnsafeMutableBufferPointer { out in
        gatherSum(rows: rows, dimension: population.dimension, indices: indices, into: out, rowByRowAbove: rowByRowAbove)
      }
    }
    return acc
  }

  /// The batch sums of `lists` as the sweep forms them for dense draws (`DrawGroupSums`, 16 lists to a
  /// pass, one workspace reused): for tests.
  public static func groupedBatchSums(of population: GradientPopulation, lists: [[Int32]]) -> [[Double]] {
    var group = DrawGroupSums()
    let d = population.dimension
    var result: [[Double]] = []
    for first in stride(from: 0, to: lists.count, by: DrawGroupSums.groupSize) {
      let m = Swift.min(DrawGroupSums.groupSize, lists.count - first)
      for k in 0..<m { group.lists[k] = lists[first + k] }
      population.rows.withElements { group.sum(rows: $0, count: population.count, dimension: d, draws: m) }
      result += (0..<m).map { k in Array(group.sums[(k * d)..<((k + 1) * d)]) }
    }
    return result
  }

  /// The listed rows' bytes above which a gather reads them row by row (about a core's L2).
  static let gatherCacheBytes = 512 << 10

  /// acc = Σ over the listed rows, in list order for every coordinate.
  ///
  /// While the listed rows fit in the core's cache (≤ 512 KB), a row is taken in chunks of 16 coordinates
  /// held in registers across all the listed rows, so each row costs loads and adds only. A larger batch
  /// is read row by row instead, each whole row added into `acc` (which stays in L1), so every row is one
  /// contiguous read from memory rather than a pass per chunk, and the row 16 places ahead in the list is
  /// prefetched (rows come from random places in a matrix far larger than the caches: without it each row
  /// waits a full memory latency). Either way the sum for a coordinate is in list order, so the two give
  /// the same bits.
  @inline(__always) static func gatherSum(
    rows: RowElements, dimension d: Int, indices: [Int32], into acc: UnsafeMutableBufferPointer<Double>,
    rowByRowAbove: Int = gatherCacheBytes
  ) {
    switch rows {
    case .double(let base): gatherSum(base, dimension: d, indices: indices, into: acc, rowByRowAbove: rowByRowAbove)
    case .float(let base): gatherSum(base, dimension: d, indices: indices, into: acc, rowByRowAbove: rowByRowAbove)
    }
  }

  @inline(__always) static func gatherSum<T: StoredScalar>(
    _ base: UnsafePointer<T>, dimension d: Int, indices: [Int32], into acc: UnsafeMutableBufferPointer<Double>,
    rowByRowAbove: Int
  ) {
    guard let out = acc.baseAddress else { return }
    let rowBytes = d * MemoryLayout<T>.stride
    indices.withUnsafeBufferPointer { list in
      if list.count * rowBytes > rowByRowAbove {
        out.update(repeating: 0, count: d)
        let accRaw = UnsafeMutableRawPointer(out)
        let ahead = 16
        for k in 0..<Swift.min(ahead, list.count) { prefetchForRead(base + Int(list[k]) * d, count: rowBytes) }
        for (k, index) in list.enumerated() {
          if k + ahead < list.count { prefetchForRead(base + Int(list[k + ahead]) * d, count: rowBytes) }
          let row = base + Int(index) * d
          var c = 0
          while c + 8 <= d {
            let offset = c * MemoryLayout<Double>.stride
            let sum = accRaw.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self) + T.eight(row, c)
            accRaw.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Double>.self)
            c += 8
          }
          while c < d {
            out[c] += row[c].wide
            c += 1
          }
        }
        return
      }
      var c = 0
      while c + 16 <= d {
        var s = SIMD16<Double>()
        for index in list { s += T.sixteen(base + Int(index) * d, c) }
        UnsafeMutableRawPointer(out + c).storeBytes(of: s, as: SIMD16<Double>.self)
        c += 16
      }
      while c < d {
        var s = 0.0
        for index in list { s += base[Int(index) * d + c].wide }
        out[c] = s
        c += 1
      }
    }
  }

}

/// Counts finished work across threads (each job by its weight) and reports at each further 1% and at the end.
final class ProgressCounter: Sendable {
  let total: Int
  let report: (@Sendable (Int, Int) -> Void)?
  let done = Atomic<Int>(0)

  init(total: Int, alreadyDone: Int = 0, report: (@Sendable (Int, Int) -> Void)?) {
    self.total = total
    self.report = report
    done.store(alreadyDone, ordering: .relaxed)
  }

  func tick(_ weight: Int = 1) {
    let now = done.wrappingAdd(weight, ordering: .relaxed).newValue
    guard let report else { return }
    let step = Swift.max(1, total / 100)
    if now / step > (now - weight) / step || now == total { report(now, total) }
  }
}

import Synchronization

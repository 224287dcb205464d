import Foundation
import GradVerify
import Testing

/// The counted layout (C2 from how often each example was drawn, one product Gᵀc per cell) and the Gram
/// matrix K (each draw's squared error from |L|² entries) against the per-draw gathers they replace, on the
/// same draws; their bits for any thread count; and `--draws auto`'s C3 draws.
@Suite("Counted draws and the Gram matrix")
struct CountedDrawTests {
  /// A wide population (N < P, P > 256, so the moments form K) with uneven rows, a sparse column and an
  /// offset.
  static let wide: GradientPopulation = {
    let (n, d) = (48, 300)
    var rng = SplitMix64(seed: 25)
    var rows = [Double](repeating: 0, count: n * d)
    for i in 0..<n {
      let scale = i == 7 ? 20.0 : 1.0
      for j in 0..<d {
        let u = Double(rng.next() >> 11) * 0x1p-53 - 0.5
        rows[i * d + j] = j % 50 == 0 ? (i % 9 == 0 ? 3 : 0) : scale * u + 0.2
      }
    }
    return GradientPopulation(rows: rows, count: n, dimension: d)
  }()

  static let cells: [SweepCell] = [.withReplacement, .withoutReplacement, .poisson, .poissonRealized].flatMap { s in
    [1, 3, 10, 24, 30, 47, 48].map { SweepCell(sampler: s, batch: $0) }
  } + [SweepCell(sampler: .withReplacement, batch: 70)]

  @Test("counts and K give the mean errors and squared errors of the per-draw gathers on the same draws")
  func countsMatchGathers() throws {
    let p = Self.wide
    let moments = PopulationMoments(p, keepGram: true)
    let gram = try #require(moments.gram, "N ≤ P and P > 256: the moments keep K")
    let gathered = MiniBatchSweep.run(
      population: p, cells: Self.cells, draws: 600, seed: 3, name: "counted", threads: 2, coordinateSpread: true)
    let counted = MiniBatchSweep.run(population: p, cells: Self.cells, draws: 600, seed: 3, name: "counted", threads: 2)
    let fromGram = MiniBatchSweep.run(
      population: p, cells: Self.cells, draws: 600, seed: 3, name: "counted", threads: 2, gram: gram)
    let scale = p.mean.map(Swift.abs).max()! + p.traceSigma.squareRoot()
    var servedByGram = 0
    for ((a, b), c) in zip(zip(gathered, counted), fromGram) {
      let what = "\(a.cell.sampler.rawValue) b=\(a.cell.batch)"
      // The same draws: the mean errors agree to rounding (1e-12 of the gradients' scale).
      for j in 0..<p.dimension {
        #expect(Swift.abs(a.meanError[j] - b.meanError[j]) <= 1e-12 * scale, "\(what) coordinate \(j)")
        #expect(b.meanError[j] == c.meanError[j], "\(what): K changes only the squared errors")
      }
      // Without K the squared errors are formed as before, bit for bit; from K to rounding.
      #expect(a.squaredErrorPowerSums == b.squaredErrorPowerSums, "\(what)")
      #expect(Swift.abs(a.meanSquaredError - c.meanSquaredError) <= 1e-12 * Swift.max(a.meanSquaredError, scale * scale), "\(what)")
      if gram.serves(a.cell) { servedByGram += 1 }
      // The zero-error cells stay exactly zero on every path.
      if a.cell.batch == p.count && a.cell.sampler == .withoutReplacement {
        #expect(a.everyErrorZero && b.everyErrorZero && c.everyErrorZero && b.meanError.allSatisfy { $0 == 0 }, "\(what)")
      }
    }
    #expect(servedByGram >= 12, "K served \(servedByGram) cells")
  }

  @Test("counted draws read from K give the same bits on 1 and 3 threads and in any shard grouping")
  func gramBitsForAnyThreads() throws {
    let p = Self.wide
    let gram = try #require(PopulationMoments(p, keepGram: true).gram)
    let one = MiniBatchSweep.run(population: p, cells: Self.cells, draws: 700, seed: 9, name: "k", threads: 1, gram: gram)
    let three = MiniBatchSweep.run(population: p, cells: Self.cells, draws: 700, seed: 9, name: "k", threads: 3, gram: gram)
    for (a, b) in zip(one, three) {
      #expect(a.meanError == b.meanError && a.squaredErrorPowerSums == b.squaredErrorPowerSums, "\(a.cell)")
    }
    // Two shards filled separately and combined: the same sums as the whole.
    var parts: [(path: String, ledger: SweepLedger)] = []
    for i in 0..<2 {
      var ledger = SweepLedger(
        signature: ["k"], shardCount: 2, drawsPerCell: 700, cells: Self.cells, examples: p.count, dimension: p.dimension)
      try MiniBatchSweep.fill(
        &ledger, shard: Shard(index: i, count: 2), population: p, cells: Self.cells, draws: 700, seed: 9, name: "k",
        threads: 2, gram: gram)
      parts.append(("part\(i)", try SweepLedger.parse(Data(ledger.text.utf8), path: "part\(i)")))
    }
    let whole = try SweepLedger.combine(parts, requireComplete: true)
    let merged = MiniBatchSweep.measurements(cells: Self.cells, ledger: whole, population: p, threads: 2)
    for (a, b) in zip(one, merged) {
      #expect(a.meanError == b.meanError && a.squaredErrorPowerSums == b.squaredErrorPowerSums, "\(a.cell)")
    }
  }

  @Test("a counted cell's part is N integers, not 2P exact sums: the 64 × 10⁴ sweep's part is under 5% of its input")
  func partsAreSmall() {
    let (n, d) = (64, 10_000)
    var rng = SplitMix64(seed: 5)
    let rows = (0..<(n * d)).map { _ in Double(rng.next() >> 11) * 0x1p-53 }
    let p = GradientPopulation(rows: rows, count: n, dimension: d)
    let cells = SweepSettings.defaultBatchSizes(count: n).flatMap { b in
      [SweepCell(sampler: .withReplacement, batch: b), SweepCell(sampler: .withoutReplacement, batch: b)]
    }
    var ledger = SweepLedger(signature: [], shardCount: 1, drawsPerCell: 512, cells: cells, examples: n, dimension: d)
    try! MiniBatchSweep.fill(&ledger, shard: .whole, population: p, cells: cells, draws: 512, seed: 1, name: "size", threads: 2)
    let bytes = ledger.text.utf8.count
    // The input as float32 .npy: 4 bytes an entry.
    #expect(bytes * 20 < 4 * n * d, "part \(bytes) bytes against an input of \(4 * n * d)")
  }

  @Test("--draws auto: C3 takes at least 20 draws and at most R, fewer where its law is tight; C2 every draw")
  func squaredErrorDrawsByPower() {
    let p = Self.wide
    let moments = PopulationMoments(p)
    let cells = Self.cells.filter { $0.sampler != .poissonRealized }
    let planned = SquaredErrorDraws.plan(cells: cells, population: p, moments: moments, draws: 20_000, level: 1e-6)
    #expect(planned.allSatisfy { $0 >= SquaredErrorDraws.minimum && $0 <= 20_000 })
    #expect(planned.contains { $0 < 20_000 }, "\(planned)")
    var ledger = SweepLedger(signature: [], shardCount: 1, drawsPerCell: 1000, cells: cells, examples: p.count, dimension: p.dimension)
    let r3 = cells.map { _ in 300 }
    try! MiniBatchSweep.fill(
      &ledger, shard: .whole, population: p, cells: cells, draws: 1000, seed: 2, name: "auto", threads: 2,
      squaredErrorDraws: r3)
    for m in MiniBatchSweep.measurements(cells: cells, ledger: ledger, population: p, threads: 2) {
      #expect(m.draws == 1000 && m.squaredErrorDraws == 300, "\(m.cell)")
    }
  }
}

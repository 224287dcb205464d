import Foundation
import GradVerify
import Testing

// MARK: - Shared helpers

/// The per-example gradients of `model` on `data` at the seeded unit point θⱼ ~ N(0, 1), as a population.
func gradientPopulation<M: PerExampleModel>(_ model: M, _ data: Dataset, seed: UInt64) -> GradientPopulation {
  let theta = ParameterPointSpec(name: "unit", scale: 1).theta(
    parameterCount: model.parameterCount, seed: seed, stream: "tests/\(data.name)")
  return GradientPopulation(PerExampleGradients(model: model, data: data, theta: theta))
}

/// Linear regression on seeded synthetic data: P = d + 1 gradient coordinates per example.
func regressionPopulation(count n: Int, features d: Int, seed: UInt64) -> GradientPopulation {
  gradientPopulation(LinearModel(features: d), .syntheticRegression(count: n, features: d, seed: seed), seed: seed)
}

/// Every figure of a measurement as bits, for bit-identity comparisons.
func bits(_ m: CellMeasurement) -> [UInt64] {
  [UInt64(m.draws), m.meanSquaredError.bitPattern, m.meanSquaredErrorStandardError.bitPattern, m.everyErrorZero ? 1 : 0]
    + m.meanError.map(\.bitPattern) + m.meanErrorStandardError.map(\.bitPattern)
}

/// Every cell of `samplers` × the default batch sizes for N.
func defaultCells(_ samplers: [SamplerKind], count n: Int) -> [SweepCell] {
  samplers.flatMap { s in SweepSettings().sizes(count: n, sampler: s).map { SweepCell(sampler: s, batch: $0) } }
}

// MARK: - C2/C3 Monte Carlo verdicts

@Suite("Monte Carlo: the sweep's verdicts pass healthy code and catch seeded bugs", .serialized)
struct MonteCarloTests {
  /// The case of the convention and sampler-fault tests: linear regression, N = 20, d = 3 (P = 4).
  ///
  /// Why N = 20: a convention bug scales the theory by N/(N − 1) or (N − 1)/N, a 1/(N − 1) = 5.3% change
  /// at N = 20. The measured MSE has relative standard error κ/√R with κ = sd‖e‖²/E‖e‖²; on this case κ is
  /// about 1.6 at b = 1 (heavy-tailed residual·x) falling to 0.9 at large b, so at the default R = 20000
  /// the relative standard error is 1.1% to 0.64% and the bug moves z by 4.8 to 8.3 against a critical
  /// |z| of 3.26 (α = 0.01, Bonferroni over 9 cells). At N = 100 the same bug is a 1% change, 0.9 to 1.6
  /// standard errors: invisible at this R (telling them apart needs about 7·10⁴ replicates).
  static let conventionCase = (count: 20, features: 3, seed: UInt64(41))

  static var conventionPopulation: GradientPopulation {
    regressionPopulation(count: conventionCase.count, features: conventionCase.features, seed: conventionCase.seed)
  }

  @Test(
    "a seeded variance-convention bug turns C3 to FAIL at N = 20 and the default R; the exact constants PASS",
    arguments: [
      (SamplerKind.withReplacement, VarianceConvention.sampleCovarianceWithReplacement),
      (.withoutReplacement, .finitePopulationOnSigmaN),
    ])
  func conventionBugFails(_ sampler: SamplerKind, _ bug: VarianceConvention) {
    let population = Self.conventionPopulation
    let n = Double(population.count)
    let cells = defaultCells([sampler], count: population.count)
    let draws = SweepSettings().draws
    #expect(draws == 20_000)
    let measurements = MiniBatchSweep.run(
      population: population, cells: cells, draws: draws, seed: 41, name: "tests/convention", threads: 2)
    let exact = SweepEvaluation(measurements: measurements, population: population, alpha: 0.01, convention: .exact)
    let wrong = SweepEvaluation(measurements: measurements, population: population, alpha: 0.01, convention: bug)
    // One family: every coordinate of every unbiased cell and every variance cell share α.
    #expect(exact.tests == cells.count * (population.dimension + 1))
    #expect(exact.criticalZ == bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: exact.tests))

    #expect(exact.verdict(sampler: sampler, claim: \.varianceVerdict) == .pass, "\(Self.summary(exact))")
    #expect(wrong.verdict(sampler: sampler, claim: \.varianceVerdict) == .fail, "\(Self.summary(wrong))")

    // The bug is the stated constant, cell by cell: wrong/exact = N/(N−1) with replacement, (N−1)/N without.
    let factor = bug == .sampleCovarianceWithReplacement ? n / (n - 1) : (n - 1) / n
    var failing = 0
    var judged = 0
    for (e, w) in zip(exact.rows, wrong.rows) {
      guard let te = e.theory, let tw = w.theory, te > 0 else { continue }
      #expect(Swift.abs(tw / te - factor) <= 1e-14, "b = \(e.measurement.cell.batch)")
      judged += 1
      if w.varianceVerdict == .fail { failing += 1 }
    }
    // Not a one-cell fluke: the 5.3% shift is several standard errors in most cells (see `conventionCase`).
    #expect(2 * failing >= judged, "only \(failing) of \(judged) cells fail: \(Self.summary(wrong))")
  }

  static func summary(_ e: SweepEvaluation) -> String {
    e.rows.map { r in
      let ratio = r.ratio.map { String($0) } ?? "-"
      let z = r.varianceZ.map { String($0) } ?? "-"
      return "b=\(r.measurement.cell.batch) ratio=\(ratio) z=\(z) \(r.varianceVerdict?.rawValue ?? "")"
    }.joined(separator: "; ")
  }

  @Test(
    "a sampler that never picks one example fails C2, by the predicted bias (g − g_k)/(N − 1); the real sampler passes")
  func neverPicksFailsUnbiasedness() {
    let population = Self.conventionPopulation
    let n = population.count
    let d = population.dimension
    // k: the example farthest from the mean in units of each coordinate's spread, so that the predicted
    // bias |g_kj − g_j|/(N − 1) is largest against se(ēⱼ) ≈ σⱼ/√(bR): with |d_kj| ≈ 2σⱼ that is already
    // 2σⱼ/19 against σⱼ/141, about 15 standard errors at b = 1, growing like √b. (Here |d_kj| = 3.7σⱼ and
    // leaving that outlier out also shrinks the spread: the measured worst z is about 50 at b = 1.)
    let spread = (0..<d).map { population.sigma[$0 * d + $0].squareRoot() }
    let k = (0..<n).max { a, b in
      let za = (0..<d).map { Swift.abs(population.rows[a * d + $0] - population.mean[$0]) / spread[$0] }.max()!
      let zb = (0..<d).map { Swift.abs(population.rows[b * d + $0] - population.mean[$0]) / spread[$0] }.max()!
      return za < zb
    }!
    let samplers: [SamplerKind] = [.withReplacement, .withoutReplacement, .poisson]
    let cells = defaultCells(samplers, count: n)
    let draws = SweepSettings().draws
    let clean = MiniBatchSweep.run(
      population: population, cells: cells, draws: draws, seed: 42, name: "tests/never-picks", threads: 2)
    let faulty = MiniBatchSweep.run(
      population: population, cells: cells, draws: draws, seed: 42, name: "tests/never-picks", threads: 2,
      neverPicks: k)
    let cleanVerdicts = SweepEvaluation(measurements: clean, population: population, alpha: 0.01)
    let faultyVerdicts = SweepEvaluation(measurements: faulty, population: population, alpha: 0.01)
    for s in samplers {
      #expect(cleanVerdicts.verdict(sampler: s, claim: \.biasVerdict) == .pass, "\(s.rawValue) clean")
      #expect(faultyVerdicts.verdict(sampler: s, claim: \.biasVerdict) == .fail, "\(s.rawValue) skipping example \(k)")
    }

    // The measured bias is the predicted one. Every faulty sampler is uniform over the N − 1 others, so
    // E[ḡ] = (N·g − g_k)/(N − 1) and E[ḡ] − g = (g − g_k)/(N − 1); the fault is not applied at b = N (the
    // full batch is left whole), where the prediction is 0. Each ēⱼ is within z*·se(ēⱼ) of it, z* the
    // Bonferroni point at α = 0.01 over all cells × coordinates; the floor 1e-12·scale covers the cells
    // whose draws are all the same batch (b = N − 1 without replacement or Poisson over N − 1 examples:
    // se = 0 and only rounding remains).
    // The same faulty draws kept per coordinate (Σeⱼ²), for each ēⱼ's Monte Carlo standard error; their
    // mean errors are the counted ones to rounding.
    let spreadKept = MiniBatchSweep.run(
      population: population, cells: cells, draws: draws, seed: 42, name: "tests/never-picks", threads: 2,
      neverPicks: k, coordinateSpread: true)
    let zStar = bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: cells.count * d)
    let scale = spread.max()!
    for (counted, m) in zip(faulty, spreadKept) {
      for j in 0..<d { #expect(Swift.abs(counted.meanError[j] - m.meanError[j]) <= 1e-12 * scale) }
      let b = m.cell.batch
      for j in 0..<d {
        let predicted = b < n ? (population.mean[j] - population.rows[k * d + j]) / Double(n - 1) : 0
        let tolerance = zStar * m.meanErrorStandardError[j] + 1e-12 * scale
        #expect(
          Swift.abs(m.meanError[j] - predicted) <= tolerance,
          "\(m.cell.sampler.rawValue) b=\(b) j=\(j): ē = \(m.meanError[j]), predicted \(predicted) ± \(tolerance)")
      }
    }
  }

  @Test("the full batch without replacement (and Poisson at q = 1) has every error exactly zero; b = N − 1 does not")
  func fullBatchExactlyZero() {
    let population = regressionPopulation(count: 30, features: 4, seed: 43)
    let cells = [
      SweepCell(sampler: .withoutReplacement, batch: 30), SweepCell(sampler: .poisson, batch: 30),
      SweepCell(sampler: .withoutReplacement, batch: 29), SweepCell(sampler: .withReplacement, batch: 30),
    ]
    let m = MiniBatchSweep.run(
      population: population, cells: cells, draws: 20_000, seed: 43, name: "tests/full", threads: 2)
    #expect(m[0].everyErrorZero && m[0].meanSquaredError == 0 && m[0].meanError.allSatisfy { $0 == 0 })
    #expect(m[1].everyErrorZero && m[1].meanSquaredError == 0)
    #expect(!m[2].everyErrorZero && m[2].meanSquaredError > 0)
    #expect(!m[3].everyErrorZero && m[3].meanSquaredError > 0)
    let e = SweepEvaluation(measurements: m, population: population, alpha: 0.01)
    #expect(e.rows[0].theory == 0 && e.rows[0].varianceVerdict == .pass)
    #expect(e.rows[1].theory == 0 && e.rows[1].varianceVerdict == .pass)
    // b = N − 1: E‖ē − g‖² = tr Σ_N/(N − 1)² exactly (one example left out, uniformly).
    let expected = population.traceSigma / Double(29 * 29)
    #expect(Swift.abs(e.rows[2].theory! / expected - 1) <= 1e-14)
    // (At R = 4000 this cell cannot see a 10% deviation, CV(aᵢ)·z*/√R ≈ 0.12, and is INCONCLUSIVE.)
    #expect(e.rows[2].varianceVerdict == .pass, "z = \(e.rows[2].varianceZ!), detects \(String(describing: e.rows[2].detectableRelativeDeviation))")
  }

  /// Weighted least squares of log y on log b with weights w: the slope.
  static func weightedSlope(_ points: [(b: Int, y: Double, w: Double)]) -> Double {
    var sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
    for p in points {
      let x = Double.log(Double(p.b))
      let y = Double.log(p.y)
      sw += p.w
      sx += p.w * x
      sy += p.w * y
      sxx += p.w * x * x
      sxy += p.w * x * y
    }
    return (sw * sxy - sx * sy) / (sw * sxx - sx * sx)
  }

  @Test("the log-log slope of MSE against b contains −1 in its 95% interval, with replacement on a healthy case")
  func slopeWithReplacement() throws {
    let population = regressionPopulation(count: 512, features: 3, seed: 44)
    let cells = [1, 2, 4, 8, 16, 32, 64].map { SweepCell(sampler: .withReplacement, batch: $0) }
    let m = MiniBatchSweep.run(
      population: population, cells: cells, draws: SweepSettings().draws, seed: 44, name: "tests/slope", threads: 2)
    let e = SweepEvaluation(measurements: m, population: population, alpha: 0.01)
    let fit = try #require(e.slope(sampler: .withReplacement, count: 512))
    // A 95% interval misses the truth one time in twenty; with the fixed seed the outcome is reproducible.
    // Its width matters too: with se(log MSE) under 1% per cell over log b ∈ [0, 4.2] the interval is a
    // few thousandths wide (0.004 on this seed), so a slope of −0.95 or −1.05 (a wrong law) lies far outside.
    #expect(Swift.abs(fit.slope + 1) <= fit.halfWidth, "slope \(fit.slope) ± \(fit.halfWidth)")
    #expect(fit.halfWidth > 0 && fit.halfWidth < 0.02, "half width \(fit.halfWidth)")
    // The law's own slope over the same b is −1 with replacement, to rounding.
    #expect(Swift.abs(fit.law + 1) <= 1e-12, "law slope \(fit.law)")
  }

  @Test("the slope fit resolves a law that is not 1/b: without replacement at N = 32, b ≤ 4, it excludes −1")
  func slopeSeesFinitePopulationCurvature() throws {
    // Without replacement, MSE ∝ (N − b)/b: over b = 1…4 at N = 32 the secant slope of log((N − b)/b) is
    // −1 − log(31/28)/log 4 ≈ −1.073. The fit can fail: it must exclude −1 here and contain the slope of
    // the exact law fitted with the same weights.
    let n = 32
    let population = regressionPopulation(count: n, features: 3, seed: 45)
    let cells = [1, 2, 3, 4].map { SweepCell(sampler: .withoutReplacement, batch: $0) }
    let m = MiniBatchSweep.run(
      population: population, cells: cells, draws: SweepSettings().draws, seed: 45, name: "tests/slope", threads: 2)
    let e = SweepEvaluation(measurements: m, population: population, alpha: 0.01)
    let fit = try #require(e.slope(sampler: .withoutReplacement, count: n))
    // The law's slope as the evaluation reports it, and fitted here by hand with the same exact weights.
    let exactSlope = fit.law
    let byHand = Self.weightedSlope(
      e.rows.map { r in
        let w = r.theory! / r.nullStandardError!
        return (r.measurement.cell.batch, r.theory!, w * w)
      })
    #expect(Swift.abs(exactSlope - byHand) <= 1e-12)
    #expect(exactSlope < -1.05, "exact-law slope \(exactSlope)")
    #expect(Swift.abs(fit.slope + 1) > fit.halfWidth, "slope \(fit.slope) ± \(fit.halfWidth) contains −1")
    #expect(
      Swift.abs(fit.slope - exactSlope) <= fit.halfWidth, "slope \(fit.slope) ± \(fit.halfWidth), exact \(exactSlope)")
  }
}

// MARK: - Reproducibility across threads

@Suite("Monte Carlo: bit-identical for any thread count", .serialized)
struct MonteCarloReproducibilityTests {
  @Test("a batch read row by row (out of cache) sums to the same bits as chunk by chunk and as a plain loop in list order")
  func rowByRowGather() {
    var rng = SplitMix64(seed: 21)
    for d in [1, 7, 16, 33, 64, 100] {
      let n = 300
      let rows = (0..<(n * d)).map { _ in Double(bitPattern: rng.next() >> 2) * 1e-300 * Double(1 + rng.next() % 1000) }
      // The same sums from float32 storage, each value widened as it is read.
      let singles = rows.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0.bitPattern) & 0x3fff_ffff) }
      for (matrix, values) in [(RowMatrix(rows), rows), (RowMatrix(singles), singles.map(Double.init))] {
        let population = GradientPopulation(matrix: matrix, count: n, dimension: d)
        for b in [1, 5, 200, 1000] {
          let indices = (0..<b).map { _ in Int32(rng.next() % UInt64(n)) }
          var plain = [Double](repeating: 0, count: d)
          for i in indices { for j in 0..<d { plain[j] += values[Int(i) * d + j] } }
          let byRow = MiniBatchSweep.batchSum(of: population, indices: indices, rowByRowAbove: 0)
          let byChunk = MiniBatchSweep.batchSum(of: population, indices: indices, rowByRowAbove: .max)
          #expect(byRow.map(\.bitPattern) == plain.map(\.bitPattern), "d = \(d), b = \(b), row by row")
          #expect(byChunk.map(\.bitPattern) == plain.map(\.bitPattern), "d = \(d), b = \(b), chunk by chunk")
        }
      }
    }
  }

  @Test("draws summed 16 to a pass over the rows (dense draws) give Σᵢ cᵢ gᵢ in row order, and the gather's bits where the sums are exact; counts cleared between passes")
  func groupedGather() {
    var rng = SplitMix64(seed: 23)
    let n = 90
    for d in [1, 7, 255, 256, 300, 531] {
      // Wide exponents (sums round, so the order shows) in float64; small dyadic values (every sum exact)
      // in float32.
      let rows = (0..<(n * d)).map { _ in Double(bitPattern: rng.next() >> 2) * 1e-300 * Double(1 + rng.next() % 1000) }
      let singles = (0..<(n * d)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1024 }
      // 37 lists: two whole passes and one of five; repeated rows (with replacement), an empty list, all rows.
      var lists = (0..<35).map { k in (0..<(k * 7 % 120)).map { _ in Int32(rng.next() % UInt64(n)) } }
      lists.insert([], at: 3)
      lists.append((0..<Int32(n)).map { $0 })
      for (matrix, values, exact) in [(RowMatrix(rows), rows, false), (RowMatrix(singles), singles.map(Double.init), true)] {
        let population = GradientPopulation(matrix: matrix, count: n, dimension: d)
        let grouped = MiniBatchSweep.groupedBatchSums(of: population, lists: lists)
        #expect(grouped.count == lists.count)
        for (k, list) in lists.enumerated() {
          var times = [Int](repeating: 0, count: n)
          for i in list { times[Int(i)] += 1 }
          var inRowOrder = [Double](repeating: 0, count: d)
          for i in 0..<n where times[i] > 0 { for j in 0..<d { inRowOrder[j] += Double(times[i]) * values[i * d + j] } }
          #expect(grouped[k].map(\.bitPattern) == inRowOrder.map(\.bitPattern), "d = \(d), list \(k), exact \(exact)")
          if exact {
            let gathered = MiniBatchSweep.batchSum(of: population, indices: list, rowByRowAbove: 0)
            #expect(grouped[k].map(\.bitPattern) == gathered.map(\.bitPattern), "d = \(d), list \(k): the gather's bits")
          }
        }
      }
    }
  }

  @Test("a sweep and the noise-scale estimators whose draws are summed in groups (N = 64, P = 5 000) are bit-identical on 1 and 3 threads")
  func groupedThreads() {
    let (n, d) = (64, 5_000)
    var rng = SplitMix64(seed: 29)
    let values = (0..<(n * d)).map { _ in Float(Double(rng.next() >> 11) * 0x1p-53 - 0.5) * Float(1 + rng.next() % 9) }
    let population = GradientPopulation(matrix: RowMatrix(values), count: n, dimension: d)
    // 20 KB rows: lists of 27 or more take over 512 KB and 16·27 ≥ N, so the squared errors of b = 27 (both
    // samplers), 40 and 64 (with replacement) and the big noise-scale batch (32) are summed in groups.
    let cells = [SamplerKind.withReplacement, .withoutReplacement].flatMap { s in
      [4, 27, 40, 64].map { SweepCell(sampler: s, batch: $0) }
    }
    func run(_ threads: Int) -> ([CellMeasurement], NoiseScaleEstimate?) {
      (MiniBatchSweep.run(population: population, cells: cells, draws: 300, seed: 3, name: "tests/grouped", threads: threads),
       NoiseScaleEstimate.sweepDefault(population: population, draws: 300, seed: 3, name: "tests/grouped", threads: threads))
    }
    let (one, noiseOne) = run(1)
    let (three, noiseThree) = run(3)
    for (a, b) in zip(one, three) { #expect(bits(a) == bits(b), "\(a.cell.sampler.rawValue) b=\(a.cell.batch)") }
    #expect(one.filter { $0.cell.batch < n }.allSatisfy { $0.meanSquaredError > 0 })
    let (x, y) = (noiseOne!, noiseThree!)
    #expect(x.traceEstimate.bitPattern == y.traceEstimate.bitPattern && x.normEstimate.bitPattern == y.normEstimate.bitPattern)
    #expect(x.traceStandardError.bitPattern == y.traceStandardError.bitPattern && x.traceEstimate > 0)
  }

  @Test("a .npy over 64 MB, read in pieces onto huge pages, holds exactly its rows, float32 as Float; the column view transposes them")
  func largePopulationCopy() throws {
    let (n, d) = (28_000, 300)  // 67 MB as float64, nine 8 MB pieces; P > 256 keeps Σ_N out of it
    var rng = SplitMix64(seed: 5)
    let rows = (0..<(n * d)).map { _ in Double(bitPattern: rng.next() >> 2) }
    let singles = rows.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0.bitPattern) & 0x3fff_ffff) }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gv-large-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    func write(_ descr: String, _ data: (inout [UInt8]) -> Void) throws -> String {
      var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(n), \(d)), }"
      while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
      header += "\n"
      var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
      bytes += Array(header.utf8)
      data(&bytes)
      let path = folder.appendingPathComponent("\(descr.dropFirst()).npy").path
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      return path
    }
    let double = try NPYMatrix.load(path: write("<f8") { b in for x in rows { withUnsafeBytes(of: x.bitPattern.littleEndian) { b += $0 } } })
    let single = try NPYMatrix.load(path: write("<f4") { b in for x in singles { withUnsafeBytes(of: x.bitPattern.littleEndian) { b += $0 } } })
    #expect(double.matrix == RowMatrix(rows) && double.matrix.byteCount == n * d * 8)
    #expect(single.matrix == RowMatrix(singles) && single.matrix.byteCount == n * d * 4)
    let population = GradientPopulation(matrix: single.matrix, count: n, dimension: d)
    for _ in 0..<1000 {
      let (i, j) = (Int(rng.next() % UInt64(n)), Int(rng.next() % UInt64(d)))
      #expect(population.column(j)[i] == Double(singles[i * d + j]) && population.rows[i * d + j] == Double(singles[i * d + j]))
    }
  }

  @Test("MiniBatchSweep.run gives bit-identical figures on 1 and 3 threads; another seed changes them")
  func libraryThreads() {
    let population = gradientPopulation(
      SoftmaxModel(features: 3, classes: 3), .syntheticClusters(count: 40, features: 3, classes: 3, seed: 46), seed: 46)
    var cells: [SweepCell] = []
    for s in SamplerKind.allCases {
      // 17 < N/2 (direct), 25 and 39 > N/2 (complement), 40 = N; 60 > N with replacement takes the
      // column-sum path (4·60 ≥ 3·40).
      cells += [1, 3, 17, 25, 39, 40].map { SweepCell(sampler: s, batch: $0) }
    }
    cells.append(SweepCell(sampler: .withReplacement, batch: 60))
    // 1000 draws = blocks of 256, 256, 256 and a partial 232: several blocks per cell to reorder.
    let draws = 1_000
    func run(seed: UInt64, threads: Int) -> [CellMeasurement] {
      MiniBatchSweep.run(
        population: population, cells: cells, draws: draws, seed: seed, name: "tests/threads", threads: threads)
    }
    let one = run(seed: 7, threads: 1)
    let three = run(seed: 7, threads: 3)
    let other = run(seed: 8, threads: 3)
    #expect(one.map(\.cell) == cells && three.map(\.cell) == cells)
    for (a, b) in zip(one, three) {
      #expect(bits(a) == bits(b), "\(a.cell.sampler.rawValue) b=\(a.cell.batch)")
      #expect(a.draws == draws)
    }
    // Not trivially equal: every cell below N has a positive MSE, and a new seed moves the figures.
    for (a, c) in zip(one, other) where a.cell.batch < population.count {
      #expect(a.meanSquaredError > 0 && bits(a) != bits(c), "\(a.cell.sampler.rawValue) b=\(a.cell.batch)")
    }
  }

  @Test("gradverify sweep writes byte-identical CSVs with --threads 1, 2 and 8")
  func commandThreads() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
    var tables: [Data] = []
    var outputs: [String] = []
    for threads in [1, 2, 8] {
      let run = try CommandRun(
        [
          "sweep", "--model", "softmax", "--data", iris, "--sampler", "with,without,poisson", "--draws", "3000",
          "--seed", "1", "--threads", String(threads), "--out", "sweep-\(threads).csv",
        ], in: folder)
      // 0 when every verdict passes, 1 when one fails: either way the table is written.
      #expect(run.status == 0 || run.status == 1, "threads \(threads): exit \(run.status), \(run.stderr)")
      tables.append(try Data(contentsOf: folder.appendingPathComponent("sweep-\(threads).csv")))
      outputs.append(run.stdout)
    }
    #expect(tables[0] == tables[1] && tables[0] == tables[2])
    #expect(outputs[0] == outputs[1] && outputs[0] == outputs[2])
    // iris: N = 150, default sizes 1, 2, 3, 4, 8, 10, 16, 32, 64, 75, 128, 149, 150: 13 rows per sampler.
    let lines = String(decoding: tables[0], as: UTF8.self).split(separator: "\n")
    #expect(lines.count == 1 + 3 * 13)
    #expect(lines.first?.hasPrefix("case,sampler,b,N,P,draws,mse") == true)
  }
}

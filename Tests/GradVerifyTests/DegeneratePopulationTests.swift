import GradVerify
import Testing

@Suite("Sweep verdicts on a population with no spread")
struct DegeneratePopulationTests {
  /// Ten equal gradients of 0.1: every batch mean is 0.1 up to rounding (0.1·3/3 need not be 0.1 exactly),
  /// so the laws hold with theory 0, and the verdicts must PASS; a population with one differing row must not
  /// be mistaken for one with no spread.
  @Test("all-equal gradients pass C2 and C3; one differing row is judged by the ordinary law")
  func equalRows() {
    let equal = GradientPopulation(rows: [Double](repeating: 0.1, count: 10), count: 10, dimension: 1)
    let cells = [SamplerKind.withReplacement, .withoutReplacement].flatMap { s in [1, 3, 7].map { SweepCell(sampler: s, batch: $0) } }
    let measured = MiniBatchSweep.run(population: equal, cells: cells, draws: 2000, seed: 1, name: "flat", threads: 1)
    let evaluation = SweepEvaluation(measurements: measured, population: equal, alpha: 0.01)
    #expect(evaluation.rows.allSatisfy { $0.biasVerdict == .pass && $0.varianceVerdict == .pass })
    var rows = [Double](repeating: 0.1, count: 10)
    rows[4] = 5
    let spread = GradientPopulation(rows: rows, count: 10, dimension: 1)
    #expect(spread.traceSigma > 0)
    // With the wrong convention the ordinary law must still be able to fail on this population. The bug moves
    // the theory by +1/9 = 11%; at b = 7 with replacement the squared error has κ = sd/mean ≈ 1.7, so the shift
    // is 0.11·√R/1.7 null standard errors: 2.9 at R = 2000 (below Bennett's lower critical value 3.95 at
    // α/(2·12)), 9.3 at R = 20 000.
    let measuredSpread = MiniBatchSweep.run(population: spread, cells: cells, draws: 20_000, seed: 1, name: "spread", threads: 1)
    let wrong = SweepEvaluation(
      measurements: measuredSpread, population: spread, alpha: 0.01, convention: .sampleCovarianceWithReplacement)
    let right = SweepEvaluation(measurements: measuredSpread, population: spread, alpha: 0.01)
    // (A cell without the power to see a 10% deviation is INCONCLUSIVE, never PASS.)
    #expect(right.rows.allSatisfy { $0.varianceVerdict != .fail } && right.rows.contains { $0.varianceVerdict == .pass })
    #expect(wrong.rows.contains { $0.varianceVerdict == .fail })
  }

  /// Balanced ±v deviations: every ‖dᵢ‖² is equal, so at b = 1 (and without replacement at b = N − 1) the
  /// squared error has no spread at all. The law must be judged exactly: PASS as measured, FAIL 1% off.
  @Test("zero-spread cells (balanced ±v) PASS when the law holds and FAIL when the MSE is off by 1%")
  func balancedDeviations() {
    let n = 64
    let v = [0.75, -1.5, 2.25]
    let rows = (0..<n).flatMap { i in v.map { (i % 2 == 0 ? 1 : -1) * $0 + 0.5 } }
    let population = GradientPopulation(rows: rows, count: n, dimension: 3)
    let cells = [SweepCell(sampler: .withReplacement, batch: 1), SweepCell(sampler: .withoutReplacement, batch: 1),
                 SweepCell(sampler: .withoutReplacement, batch: n - 1)]
    let measured = MiniBatchSweep.run(population: population, cells: cells, draws: 2000, seed: 3, name: "balanced", threads: 1)
    let evaluation = SweepEvaluation(measurements: measured, population: population, alpha: 0.01)
    for row in evaluation.rows {
      #expect(row.varianceTest?.method == .zeroSpread, "b = \(row.measurement.cell.batch) was not judged exactly")
      #expect(row.varianceVerdict == .pass, "b = \(row.measurement.cell.batch): \(String(describing: row.varianceTest))")
    }
    let off = measured.map { m -> CellMeasurement in
      var m = m
      m.meanSquaredError *= 1.01
      return m
    }
    let wrong = SweepEvaluation(measurements: off, population: population, alpha: 0.01)
    #expect(wrong.rows.allSatisfy { $0.varianceVerdict == .fail })
  }
}

import Foundation
import GradVerify
import Testing

/// RR: one epoch's batches covary by −tr Σ_N/(N − 1), independent ones do not; the running mean follows
/// the without-replacement law and ends at g to the bit; a loader that skips an example is caught; the
/// verdicts' false-failure rate measured over seeded null runs.
@Suite("RR: one epoch of random reshuffling")
struct ReshufflingTests {
  static func population() -> GradientPopulation {
    let data = Dataset.syntheticClusters(count: 120, features: 3, classes: 3, seed: 4)
    let model = SoftmaxModel(features: 3, classes: 3)
    let theta = (0..<model.parameterCount).map { 0.1 * Double($0 % 5) - 0.2 }
    return GradientPopulation(PerExampleGradients(model: model, data: data, theta: theta))
  }

  static func control(epochs: Int = 4000, seed: UInt64 = 1, threads: Int = 2, skips: Int? = nil) -> ReshufflingControl {
    ReshufflingControl(
      population: population(), batch: 16, epochs: epochs, checkpointBatches: Array(1...7), seed: seed, name: "t",
      criticalZ: bonferroniCriticalZ(familyWiseAlpha: 0.001, tests: 9), threads: threads, skipsExample: skips)
  }

  @Test("one epoch: covariance −tr Σ/(N − 1) FAILS-AS-PREDICTED; independent batches PASS; with them the control is UNEXPECTED-PASS")
  func covarianceAndCauseRemoved() {
    let c = Self.control()
    #expect(c.epochPair.controlVerdict == .failsAsPredicted, "\(c.epochPair)")
    #expect(c.independentPair.claimVerdict == .pass, "\(c.independentPair)")
    #expect(c.runningMeanVerdict == .pass && c.endVerdict == .pass && c.epochsNotEndingAtG == 0)
    // The cause removed: the second batch drawn independently of the first, judged as the control.
    var removed = c.independentPair
    removed.prediction = c.epochPair.prediction
    #expect(removed.controlVerdict == .unexpectedPass, "\(removed)")
    // A wrong cause: a positive covariance +tr Σ/(N − 1) (batches that repeat examples) is not as predicted.
    var wrong = c.epochPair
    wrong.prediction.negate()
    #expect(wrong.controlVerdict == .fail, "\(wrong)")
  }

  @Test("a loader that never yields one example: the epoch does not end at g (FAIL)")
  func skippedExampleCaught() {
    let c = Self.control(epochs: 500, skips: 7)
    #expect(c.endVerdict == .fail && c.epochsNotEndingAtG == 500)
  }

  @Test("the same figures for 1 and 2 threads")
  func threadIndependent() {
    let a = Self.control(epochs: 3000, threads: 1), b = Self.control(epochs: 3000, threads: 2)
    #expect(a.epochPair.mean == b.epochPair.mean && a.independentPair.mean == b.independentPair.mean)
    #expect(a.checkpoints.map(\.meanSquaredError) == b.checkpoints.map(\.meanSquaredError))
  }

  /// 1000 null runs of 300 epochs each (every prediction true): the share of runs in which any of the
  /// nine tests rejects, at the family-wise α the run is judged at, must lie below the 0.9999 quantile of
  /// Binomial(1000, α).
  @Test("family-wise false-failure rate over 1000 seeded null runs at most α (α = 0.05 and 0.001)")
  func falseFailureRate() {
    let p = Self.population()
    for alpha in [0.05, 0.001] {
      let critical = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: 9)
      let runs = 1000
      let failures = (0..<runs).filter { seed in
        let c = ReshufflingControl(
          population: p, batch: 16, epochs: 300, checkpointBatches: Array(1...7), seed: UInt64(seed), name: "null",
          criticalZ: critical, threads: 2)
        return abs(c.epochPair.z) > critical || c.independentPair.claimVerdict != .pass || c.runningMeanVerdict != .pass
      }.count
      let limit = (0...runs).first { binomialCDF($0, trials: runs, probability: alpha) >= 0.9999 }!
      #expect(failures <= limit, "α = \(alpha): \(failures) of \(runs) null runs failed (limit \(limit))")
    }
  }

  @Test("RR's settings in its committed spec refuse an unknown key and a value out of range, by name")
  func settingsChecked() throws {
    try CheckedDecodingTests.expectChecked(spec: "RR-reshuffling", object: "reshuffling", field: "batch", value: "0", reason: "must be between 1 and 10⁶")
  }
}

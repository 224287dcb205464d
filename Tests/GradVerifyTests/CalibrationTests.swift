import Foundation
import Testing
import GradVerify

@Suite("Calibration: binomial intervals, power, and the harness's tests checked on null configurations")
struct CalibrationTests {
  @Test("Clopper–Pearson limits match their closed forms and published values")
  func clopperPearson() {
    // k = 0 and k = n have closed forms: high = 1 − (γ/2)^(1/n), low = (γ/2)^(1/n).
    let none = clopperPearsonInterval(successes: 0, trials: 10, confidence: 0.95)
    #expect(none.low == 0)
    #expect(Swift.abs(none.high - (1 - Foundation.pow(0.025, 0.1))) < 1e-14)
    let all = clopperPearsonInterval(successes: 10, trials: 10, confidence: 0.95)
    #expect(all.high == 1)
    #expect(Swift.abs(all.low - Foundation.pow(0.025, 0.1)) < 1e-14)
    // 5 of 10 at 95%: (0.187086, 0.812914), e.g. Brown, Cai and DasGupta, Statist. Sci. 16 (2001) 101–133.
    let half = clopperPearsonInterval(successes: 5, trials: 10, confidence: 0.95)
    #expect(Swift.abs(half.low - 0.187086) < 1e-6 && Swift.abs(half.high - 0.812914) < 1e-6)
    // The limits are where the exact tails equal γ/2.
    let k = 37, n = 1000
    let i = clopperPearsonInterval(successes: k, trials: n, confidence: 0.99)
    #expect(Swift.abs(binomialCDF(k, trials: n, probability: i.high) - 0.005) < 1e-12)
    #expect(Swift.abs((1 - binomialCDF(k - 1, trials: n, probability: i.low)) - 0.005) < 1e-12)
  }

  @Test("the power of the two-sided z-test is α at no shift and Φ(λ − z*) + Φ(−λ − z*) beyond")
  func power() {
    let z = -normalQuantile(0.025)
    #expect(Swift.abs(twoSidedPower(shift: 0, criticalZ: z) - 0.05) < 1e-15)
    #expect(Swift.abs(normalCDF(z) - 0.975) < 1e-15)
    // λ = z*: half the mass is beyond z*, plus the far tail Φ(−2z*) = 0.0000435.
    #expect(Swift.abs(twoSidedPower(shift: z, criticalZ: z) - (0.5 + normalCDF(-2 * z))) < 1e-15)
  }

  /// A small calibration of linear regression on 16 synthetic examples: 400 seeds of 2000 draws.
  static func calibrate(convention: VarianceConvention = .exact, neverPicks: Int? = nil) throws -> CalibrationExperiment {
    var sweep = SweepSettings()
    sweep.draws = 2000
    sweep.samplers = [.withReplacement, .withoutReplacement]
    sweep.batchSizes = [4]
    var experiment = CalibrationExperiment(
      settings: CalibrationSettings(seeds: 400, levels: [0.05], biasSizes: [2]), sweep: sweep, convention: convention,
      neverPicks: neverPicks)
    try experiment.run(
      model: ModelChoice(kind: .linear), data: Dataset.syntheticRegression(count: 16, features: 2, seed: 3),
      source: "test", point: ParameterPointSpec(name: "unit", scale: 1), seed: 11, threads: 2)
    experiment.evaluate()
    return experiment
  }

  static func verdict(_ e: CalibrationExperiment, _ claim: String) -> Verdict? {
    e.verdictRows.first { $0.claim == claim }?.verdict
  }

  @Test("calibrated tests pass; a wrong variance constant or a sampler bug makes calibration fail")
  func verdictsFlip() throws {
    let good = try Self.calibrate()
    #expect(good.rows.count == 2 * 2 + 2)
    for row in good.verdictRows { #expect(row.verdict == .pass, "\(row.claim): \(row.keyFigure)") }
    // tr S²/b instead of tr Σ_N/b with replacement: theory 16/15 too large, the MSE's z shifted by ≈ 2.
    let constant = try Self.calibrate(convention: .sampleCovarianceWithReplacement)
    #expect(Self.verdict(constant, "CAL-variance") == .fail)
    #expect(Self.verdict(constant, "CAL-bias") == .pass)
    // One example never drawn: every batch mean is biased, the null bias test rejects far beyond α.
    let sampler = try Self.calibrate(neverPicks: 0)
    #expect(Self.verdict(sampler, "CAL-bias") == .fail)
  }

  @Test("the rejection counts do not depend on the thread count")
  func threadIndependent() throws {
    var sweep = SweepSettings()
    sweep.draws = 600
    sweep.samplers = [.poisson]
    sweep.batchSizes = [3]
    func counts(threads: Int) throws -> [Int] {
      var e = CalibrationExperiment(settings: CalibrationSettings(seeds: 50, levels: [0.2], biasSizes: [1]), sweep: sweep)
      try e.run(
        model: ModelChoice(kind: .linear), data: Dataset.syntheticRegression(count: 12, features: 1, seed: 5),
        source: "test", point: ParameterPointSpec(name: "unit", scale: 1), seed: 2, threads: threads)
      return e.rows.map(\.rejections)
    }
    #expect(try counts(threads: 1) == counts(threads: 3))
  }
}

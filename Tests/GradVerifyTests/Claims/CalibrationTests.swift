import Foundation
import Testing
import GradVerify

@Suite("Calibration: binomial intervals, skewed critical values, and the printed verdict checked on null runs")
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

  @Test("skewed critical values: ±z at γ = 0, Cornish–Fisher to first order, exact gamma quantiles, the bound −2/γ")
  func skewedCriticalValues() {
    let z = 3.0
    let symmetric = SkewedCriticalValues(z: z, skewness: 0)
    #expect(symmetric.lower == -3 && symmetric.upper == 3)
    // Small γ: z + (γ/6)(z² − 1) up to O(γ²).
    let g = 1e-4
    let small = SkewedCriticalValues(z: z, skewness: g)
    #expect(Swift.abs(small.upper - (z + g / 6 * (z * z - 1))) < 1e-6)
    #expect(Swift.abs(small.lower - (-z + g / 6 * (z * z - 1))) < 1e-6)
    // Mirror symmetry: the law of −X has skewness −γ.
    let right = SkewedCriticalValues(z: z, skewness: 0.4)
    let left = SkewedCriticalValues(z: z, skewness: -0.4)
    #expect(right.lower == -left.upper && right.upper == -left.lower)
    // A chi-square with k = 8 degrees of freedom, standardised, has γ = √(8/k) = 1: its upper 0.001 point
    // is 26.125 (published tables, e.g. Abramowitz & Stegun table 26.8), i.e. (26.125 − k)/√(2k).
    let k = 8.0
    let chi = SkewedCriticalValues(z: -normalQuantile(0.001), skewness: (8 / k).squareRoot())
    let published = (26.125 - k) / (2 * k).squareRoot()
    #expect(Swift.abs(chi.upper - published) < 1e-3, "upper \(chi.upper) vs \(published)")
    // And the value is where the exact gamma tail equals the level.
    #expect(Swift.abs(regularizedGamma(k / 2, (k + chi.upper * (2 * k).squareRoot()) / 2).q / 0.001 - 1) < 1e-6)
    // Strong skewness: the lower critical value never passes the gamma law's bound −2/γ, and the values
    // stay ordered (where the first-order expansion would put the lower one above zero).
    let strong = SkewedCriticalValues(z: 4.5, skewness: 1.6)
    #expect(strong.lower >= -2 / 1.6 && strong.lower < 0 && strong.upper > 4.5)
    let firstOrderLower: Double = -4.5 + 1.6 / 6 * (4.5 * 4.5 - 1)
    #expect(firstOrderLower > 0)
  }

  /// A small calibration of linear regression on 16 synthetic examples: 400 null runs of 2000 draws.
  static func calibrate(
    convention: VarianceConvention = .exact, neverPicks: Int? = nil, draws: Int = 2000, oldStatisticClaim: Bool = false
  ) throws -> (experiment: CalibrationExperiment, result: CalibrationExperiment.Result) {
    var sweep = SweepSettings()
    sweep.samplers = [.withReplacement, .withoutReplacement]
    sweep.batchSizes = [4]
    let experiment = CalibrationExperiment(
      settings: CalibrationSettings(
        seeds: 400, draws: [draws], sweepAlpha: 0.05, tailLevels: [0.01], powerOffsets: [0, 1],
        oldStatisticClaim: oldStatisticClaim),
      sweep: sweep, alpha: 0.01, convention: convention, neverPicks: neverPicks)
    let result = try experiment.run(
      model: ModelChoice(kind: .linear), data: Dataset.syntheticRegression(count: 16, features: 2, seed: 3),
      points: [ParameterPointSpec(name: "unit", scale: 1)], seed: 11, threads: 2)
    return (experiment, result)
  }

  static func verdict(_ e: (experiment: CalibrationExperiment, result: CalibrationExperiment.Result), _ claim: String) -> Verdict? {
    e.experiment.verdicts(e.result).first { $0.claim == claim }?.verdict
  }

  @Test("calibrated tests pass; a wrong variance constant or a sampler bug makes calibration fail")
  func verdictsFlip() throws {
    let good = try Self.calibrate()
    for claim in ["CAL-family", "CAL-tails", "CAL-power"] {
      #expect(Self.verdict(good, claim) == .pass, "\(good.experiment.verdicts(good.result).map(\.keyFigure))")
    }
    // Rows: family, tail rows (C3 per sampler, the two noise-scale estimators and the P = 3 bias coordinates
    // per sampler, 2 levels × 2 tails) per statistic, power.
    #expect(good.result.rows.filter { $0.kind == .tail }.count == 2 * (2 + 2 + 2 * 3) * 2 * 2)
    #expect(good.result.rows.filter { $0.kind == .power }.count == 2)
    // tr S²/b instead of tr Σ_N/b with replacement: theory 16/15 too large, the MSE's z shifted by ≈ 2.
    let constant = try Self.calibrate(convention: .sampleCovarianceWithReplacement)
    #expect(Self.verdict(constant, "CAL-tails") == .fail)
    // One example never drawn: every batch mean is biased, the null bias test rejects far beyond α.
    let sampler = try Self.calibrate(neverPicks: 0)
    #expect(Self.verdict(sampler, "CAL-family") == .fail)
    #expect(Self.verdict(sampler, "CAL-tails") == .fail)
  }

  @Test("the claim that the old statistic is miscalibrated holds at R = 20 (normal critical values for a t-like ratio) and FAILs at R = 20 000")
  func oldStatisticClaimCanFail() throws {
    let small = try Self.calibrate(draws: 20, oldStatisticClaim: true)
    let large = try Self.calibrate(draws: 20_000, oldStatisticClaim: true)
    #expect(Self.verdict(small, "CAL-old-statistic") == .pass, "\(small.experiment.verdicts(small.result).map(\.keyFigure))")
    #expect(Self.verdict(large, "CAL-old-statistic") == .fail, "\(large.experiment.verdicts(large.result).map(\.keyFigure))")
    // Without the claim the old statistic's rows are reported only.
    #expect(Self.verdict(try Self.calibrate(draws: 20), "CAL-old-statistic") == nil)
  }

  @Test("the rejection counts do not depend on the thread count")
  func threadIndependent() throws {
    var sweep = SweepSettings()
    sweep.samplers = [.poisson]
    sweep.batchSizes = [3]
    func counts(threads: Int) throws -> [Int] {
      let e = CalibrationExperiment(
        settings: CalibrationSettings(seeds: 50, draws: [600], sweepAlpha: 0.2, tailLevels: [0.1], powerOffsets: [0]),
        sweep: sweep, alpha: 0.01)
      let result = try e.run(
        model: ModelChoice(kind: .linear), data: Dataset.syntheticRegression(count: 12, features: 1, seed: 5),
        points: [ParameterPointSpec(name: "unit", scale: 1)], seed: 2, threads: threads)
      return result.rows.map(\.rejections)
    }
    #expect(try counts(threads: 1) == counts(threads: 3))
  }
}

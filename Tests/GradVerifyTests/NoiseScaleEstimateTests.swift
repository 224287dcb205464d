import GradVerify
import Testing

/// The two-batch noise-scale estimators' own verdict (MonteCarlo/NoiseScaleEstimate.swift), directly.
@Suite struct NoiseScaleEstimateTests {
  static let population = regressionPopulation(count: 256, features: 3, seed: 8)
  /// One tail of two tests at a family-wise 0.001: 0.001/4.
  static let level = 0.001 / 4

  static func estimate() -> NoiseScaleEstimate {
    NoiseScaleEstimate.sweepDefault(population: population, draws: 4000, seed: 3, name: "tests/noise", threads: 2)!
  }

  @Test("unbiased estimates of tr S² and ‖g‖², judged against their exact null spread: PASS")
  func healthyPasses() {
    var e = Self.estimate()
    e.judge(moments: PopulationMoments(Self.population), population: Self.population, level: Self.level)
    #expect(e.verdict == .pass, "trace z \(e.traceZ), norm z \(e.normZ)")
    #expect((e.small, e.big) == (8, 128))
  }

  @Test("an expectation 20% off (a wrong law) is caught: FAIL")
  func wrongExpectationFails() {
    var e = Self.estimate()
    e.traceExpected *= 1.2
    e.judge(moments: PopulationMoments(Self.population), population: Self.population, level: Self.level)
    #expect(e.verdict == .fail, "trace z \(e.traceZ)")
  }
}

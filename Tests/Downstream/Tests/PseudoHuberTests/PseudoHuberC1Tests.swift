import GradVerify
import PseudoHuber
import Testing

/// Claim C1 on a model gradverify does not ship, through its public API only.
@Suite struct PseudoHuberC1Tests {
  /// 200 examples of 3 features from the project's own seeded generator, y = x·(1, −2, 0.5) + 0.3 + noise.
  static let data: Dataset = {
    var rng = SplitMix64(seed: 42)
    func uniform() -> Double { Double(rng.next() >> 11) * 0x1p-53 * 2 - 1 }
    var features: [Double] = []
    var targets: [Double] = []
    for _ in 0..<200 {
      let x = [uniform(), uniform(), uniform()]
      features += x
      targets.append(x[0] - 2 * x[1] + 0.5 * x[2] + 0.3 + 0.5 * uniform())
    }
    return Dataset(name: "downstream", featureNames: ["x1", "x2", "x3"], features: features, targets: targets, classNames: [])
  }()

  static let theta = [0.7, -1.1, 0.2, -0.4]

  @Test("the average of its per-example gradients equals the gradient of the cost: PASS")
  func correctGradientPasses() {
    let check = LinearityCheck(model: ArrayModelAdapter(PseudoHuberRegression(features: 3)), data: Self.data, theta: Self.theta)
    #expect(check.verdict == .pass, "\(check.verdict): rel \(check.maxRelativeError), cs \(check.complexStepRelativeError)")
    #expect(check.maxRelativeError < 1e-8)
  }

  @Test("a gradient off by 1e-4 in one coordinate: FAIL")
  func plantedBugFails() {
    let model = PseudoHuberRegression(features: 3, gradientError: 1e-4)
    let check = LinearityCheck(model: ArrayModelAdapter(model), data: Self.data, theta: Self.theta)
    #expect(check.verdict == .fail, "\(check.verdict): rel \(check.maxRelativeError)")
  }
}

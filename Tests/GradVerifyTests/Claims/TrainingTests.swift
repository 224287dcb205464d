import GradVerify
import Testing

/// Training paths (Training/TrainingRun.swift), directly: the gradient-descent step is θ − η·g, costs fall
/// on a convex problem at a safe step, and the SGD noise recorded along the path follows its exact law.
@Suite struct TrainingRunTests {
  static let data = Dataset.syntheticRegression(count: 64, features: 3, seed: 12).standardized()
  static let model = LinearModel(features: 3)
  static let start = [0.5, -0.5, 1.0, 2.0]

  @Test("one gradient-descent step lands where θ − η·g(θ) says, to the bit")
  func oneStep() {
    let run = TrainingRun(
      model: Self.model, data: Self.data, theta: Self.start, batch: 0, eta: 0.05, steps: 1, checkpoints: 1,
      noiseDraws: 10, seed: 1, name: "tests/gd", threads: 1)
    let g = PerExampleGradients(model: Self.model, data: Self.data, theta: Self.start).average
    let next = zip(Self.start, g).map { $0 - 0.05 * $1 }
    let expected = PerExampleGradients(model: Self.model, data: Self.data, theta: next).cost
    #expect(run.points.map(\.step) == [0, 1])
    #expect(run.points[1].cost.bitPattern == expected.bitPattern)
    #expect(run.label == "gd")
  }

  @Test("on least squares at a step below 2/L the cost never rises and the gradient shrinks")
  func costFalls() {
    let run = TrainingRun(
      model: Self.model, data: Self.data, theta: Self.start, batch: 0, eta: 0.1, steps: 40, checkpoints: 8,
      noiseDraws: 10, seed: 1, name: "tests/gd", threads: 1)
    let costs = run.points.map(\.cost)
    #expect(costs.count == 9)
    #expect(zip(costs, costs.dropFirst()).allSatisfy { $1 <= $0 }, "\(costs)")
    #expect(run.points.last!.gradientNorm < 0.1 * run.points.first!.gradientNorm)
  }

  @Test("SGD's recorded mini-batch noise matches the exact law at every checkpoint (|z| < 4.5 each, family level 3e-5)")
  func noiseFollowsTheLaw() throws {
    let run = TrainingRun(
      model: Self.model, data: Self.data, theta: Self.start, batch: 16, eta: 0.05, steps: 3, checkpoints: 4,
      noiseDraws: 2000, seed: 7, name: "tests/sgd", threads: 2)
    #expect(run.label == "sgd(b=16)")
    let noisy = run.points.filter { $0.noise != nil }
    #expect(noisy.count >= 4)
    for point in noisy {
      let z = try #require(point.noiseZ)
      #expect(abs(z) < 4.5, "step \(point.step): z = \(z)")
      #expect((point.noiseTheory ?? 0) > 0)
    }
  }

  @Test("T's settings in its committed spec refuse an unknown key and a value out of range, by name")
  func settingsChecked() throws {
    try CheckedDecodingTests.expectChecked(spec: "T-training", object: "training", field: "noise_draws", value: "1", reason: "must be between 2 and 10⁸")
  }
}

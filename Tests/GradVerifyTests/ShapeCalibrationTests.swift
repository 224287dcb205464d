import Foundation
import GradVerify
import Testing

/// A reduced `make calibrate`: seeded null sweeps on each generated shape that breaks smooth approximations,
/// judged exactly as CAL judges them. Small, so each shape's family-wise rate is resolved only coarsely (a
/// rule that fails most runs, as the skew-corrected normal rule did on a bag of words, is caught).
@Suite("CAL on generated shapes (reduced): sparse, one-hot, one outlier, no spread")
struct ShapeCalibrationTests {
  static let shapes: [(SyntheticShape, ModelKind, count: Int, features: Int, draws: Int)] = [
    (.bagOfWords, .logistic, 300, 40, 400),
    (.oneHot, .logistic, 400, 12, 400),
    (.outlier, .linear, 2000, 3, 20),
    (.balanced, .linear, 32, 3, 400),
  ]

  @Test("each shape: the family-wise rate's interval covers or lies below α, and every tail is at its level", arguments: 0..<4)
  func nullSweepsHold(shape index: Int) throws {
    let (shape, kind, n, d, draws) = Self.shapes[index]
    var sweep = SweepSettings()
    sweep.samplers = [.withReplacement, .withoutReplacement, .poisson]
    sweep.batchSizes = [1, 2, 4]
    let experiment = CalibrationExperiment(
      settings: CalibrationSettings(seeds: 100, draws: [draws], sweepAlpha: 0.01, tailLevels: [0.01], powerOffsets: []),
      sweep: sweep, alpha: 0.001)
    let result = try experiment.run(
      model: ModelChoice(kind: kind), data: Dataset.synthetic(shape, count: n, features: d, seed: 3),
      points: [ParameterPointSpec(name: "unit", scale: 1)], seed: 29, threads: 2)
    let verdicts = experiment.verdicts(result)
    for claim in ["CAL-family", "CAL-tails"] {
      let row = verdicts.first { $0.claim == claim }
      #expect(row?.verdict == .pass, "\(shape.rawValue) \(claim): \(row?.keyFigure ?? "missing")")
    }
  }
}

import Foundation
import GradVerify
import Testing

/// N4: the mean-of-means gap identity by hand, the control and its twins on real data, the causes removed,
/// a wrong identity caught, and the Monte Carlo verdict's false-failure rate over seeded null runs.
@Suite("N4: mean of micro-batch means")
struct MeanOfMeansTests {
  static let accumulation = MeanOfMeansControl.Scheme(name: "accumulation", microBatches: 8, documentsPerMicroBatch: 1)
  static let dataParallel = MeanOfMeansControl.Scheme(name: "data-parallel", microBatches: 4, documentsPerMicroBatch: 4)

  @Test("the weights by hand: documents of 1 and 3 tokens, w = (1/2 − 1/4, 1/2 − 3/4)")
  func weightsByHand() {
    #expect(MeanOfMeansControl.gapWeights([1, 3]) == [0.25, -0.25])
    #expect(MeanOfMeansControl.gapWeights([5, 5, 5]) == [0, 0, 0])
    // Tokens a | b c d: ĝ − ∇C_B = (a + (b+c+d)/3)/2 − (a+b+c+d)/4 = (a − (b+c+d)/3)/4 = Σ wₘ ∇C_Bₘ.
    let (a, b, c, d) = (1.0, 2.0, 4.0, 9.0)
    let gap = (a + (b + c + d) / 3) / 2 - (a + b + c + d) / 4
    #expect(gap == 0.25 * a - 0.25 * (b + c + d) / 3)
  }

  static func gradients() throws -> PerExampleGradients {
    let data = try Dataset.load(
      csv: CommandRun.packageRoot.appendingPathComponent("Experiments/data/breast_cancer.csv").path, target: .label
    ).standardized()
    let model = LogisticModel(features: data.featureCount)
    return PerExampleGradients(model: model, data: data, theta: [Double](repeating: 0.1, count: model.parameterCount))
  }

  static func control(
    _ g: PerExampleGradients, _ layout: DocumentLayout, _ scheme: MeanOfMeansControl.Scheme, draws: Int = 4000,
    seed: UInt64 = 1, weights: @escaping @Sendable ([Int]) -> [Double] = MeanOfMeansControl.gapWeights
  ) -> MeanOfMeansControl {
    MeanOfMeansControl(
      rows: g.matrix, dimension: g.parameterCount, layout: layout, scheme: scheme, draws: draws, seed: seed, name: "test",
      criticalZ: bonferroniCriticalZ(familyWiseAlpha: 0.001, tests: 2 * g.parameterCount), threads: 2, weights: weights)
  }

  @Test("unequal documents: FAILS-AS-PREDICTED, sum-then-divide PASS; equal documents: the control UNEXPECTED-PASS, the twin PASS")
  func causesRemoved() throws {
    let g = try Self.gradients()
    let unequal = DocumentLayout.unequal(count: g.count, meanLength: 8, grouping: .byLoss, losses: g.losses, seed: 3, name: "t")
    let equal = DocumentLayout.equal(count: g.count, length: 8, seed: 3, name: "t")
    #expect(Set(unequal.documents.map(\.count)).count > 1 && Set(equal.documents.map(\.count)) == [8])
    #expect(Set(unequal.documents.flatMap { $0 }) == Set(0..<g.count), "every token in one document")
    for scheme in [Self.accumulation, Self.dataParallel] {
      let control = Self.control(g, unequal, scheme)
      #expect(control.controlVerdict == .failsAsPredicted, "\(scheme.name)")
      #expect(control.identityViolations == 0 && control.identityMaxRatio < 1 && control.batchesWithGap > 0)
      #expect(abs(control.meanRelativeGap - control.meanRelativePrediction) <= 1e-12 * control.meanRelativeGap)
      #expect(control.sumTwinVerdict == .pass)
      let twin = Self.control(g, equal, scheme)
      #expect(twin.controlVerdict == .unexpectedPass, "\(scheme.name): equal counts remove the cause")
      #expect(twin.equalTwinVerdict == .pass && twin.batchesWithGap == 0)
    }
  }

  @Test("a wrong identity (the weights' sign flipped, or 1/M left out) is a FAIL, with the miss in τ")
  func wrongIdentityFails() throws {
    let g = try Self.gradients()
    let unequal = DocumentLayout.unequal(count: g.count, meanLength: 8, grouping: .random, losses: g.losses, seed: 5, name: "t")
    let flipped = Self.control(g, unequal, Self.dataParallel, draws: 500) { MeanOfMeansControl.gapWeights($0).map { -$0 } }
    #expect(flipped.controlVerdict == .fail && flipped.identityViolations > 0 && flipped.identityMaxRatio > 1)
    let noMean = Self.control(g, unequal, Self.accumulation, draws: 500) { t in
      let total = t.reduce(0, +)
      return t.map { -Double($0) / Double(total) }
    }
    #expect(noMean.controlVerdict == .fail)
  }

  @Test("the same table for 1 and 2 threads")
  func threadIndependent() throws {
    let g = try Self.gradients()
    let layout = DocumentLayout.unequal(count: g.count, meanLength: 8, grouping: .random, losses: g.losses, seed: 9, name: "t")
    func run(_ threads: Int) -> [Double] {
      let c = MeanOfMeansControl(
        rows: g.matrix, dimension: g.parameterCount, layout: layout, scheme: Self.accumulation, draws: 3000, seed: 2,
        name: "t", criticalZ: 4, threads: threads)
      return c.meanBias + [c.meanRelativeGap, c.identityMaxRatio, Double(c.batchesWithGap)]
    }
    #expect(run(1) == run(2))
  }

  /// 2000 null runs (seeds) of the accumulation control's agreement test, each on 200 batches: at the level
  /// a run is judged (α family-wise over P coordinates, Bonferroni) the rejection count must lie below the
  /// 0.9999 quantile of Binomial(2000, α) (it is smaller still, Bonferroni being conservative).
  @Test("the expectation test's false-failure rate over 2000 seeded null runs is at most α, at α = 0.05 and 0.001")
  func falseFailureRate() throws {
    let data = Dataset.syntheticRegression(count: 400, features: 2, seed: 11)
    let model = LinearModel(features: 2)
    let g = PerExampleGradients(model: model, data: data, theta: [0.3, -0.2, 0.1])
    let layout = DocumentLayout.unequal(count: g.count, meanLength: 4, grouping: .byLoss, losses: g.losses, seed: 1, name: "t")
    let runs = 2000
    let scheme = MeanOfMeansControl.Scheme(name: "a", microBatches: 4, documentsPerMicroBatch: 1)
    let zs = (0..<runs).map { seed in
      MeanOfMeansControl(
        rows: g.matrix, dimension: g.parameterCount, layout: layout, scheme: scheme, draws: 200, seed: UInt64(seed),
        name: "null", criticalZ: 0, threads: 1
      ).maxAgreementZ
    }
    for alpha in [0.05, 0.001] {
      let critical = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: g.parameterCount)
      let rejections = zs.filter { $0 > critical }.count
      let limit = (0...runs).first { binomialCDF($0, trials: runs, probability: alpha) >= 0.9999 }!
      #expect(rejections <= limit, "α = \(alpha): \(rejections) of \(runs) null runs rejected (limit \(limit))")
    }
  }
}

import GradVerify
import Testing

/// A model that does not state its operation depth gets 2D + 2, D the longest chain of operations from θ
/// to a loss, measured in `OperationChainNumber`; C1 on it passes correct gradients and fails a planted bug
/// as it does with the depths the built-in models state.
@Suite struct OperationChainTests {
  @Test("linear regression's chain by hand: d multiply-adds, the bias, r = z − y, r·r, ·½: D = d + 4")
  func linearChainKnownAnswer() {
    for d in [1, 3, 10] {
      let data = Dataset.syntheticRegression(count: 5, features: d, seed: 1)
      let theta = [Double](repeating: 0.5, count: d + 1)
      let model = AlteredModel(base: LinearModel(features: d), statesDepth: false)
      #expect(model.operationDepth == 0)
      #expect(model.roundingDepth(theta: theta, data: data) == 2 * (d + 4) + 2, "d = \(d)")
      // A stated depth is used as it is.
      #expect(LinearModel(features: d).roundingDepth(theta: theta, data: data) == d + 4)
    }
  }

  /// The shapes: the built-in models on their usual data, and ten classes on two features, where the
  /// softmax sums are longer than the affine ones (the MLP's stated depth, d + 2H + 3K + 12 = 52 at
  /// d = 2, H = 4, K = 10, is above the measured 2D + 2 there).
  static let shapes: [(name: String, model: any PerExampleModel, data: Dataset)] = [
    ("linear d=3", LinearModel(features: 3, l2: 0.1), .syntheticRegression(count: 40, features: 3, seed: 11)),
    ("logistic d=3", LogisticModel(features: 3), .syntheticClusters(count: 40, features: 3, classes: 2, seed: 12)),
    ("softmax d=2 K=10", SoftmaxModel(features: 2, classes: 10), .syntheticClusters(count: 60, features: 2, classes: 10, seed: 13)),
    ("mlp d=2 H=4 K=10", MLPModel(features: 2, hidden: 4, classes: 10), .syntheticClusters(count: 60, features: 2, classes: 10, seed: 14)),
    ("mlp d=3 H=16 K=3", MLPModel(features: 3, hidden: 16, classes: 3, l2: 0.1), .syntheticClusters(count: 40, features: 3, classes: 3, seed: 15)),
  ]

  @Test("ten classes on two features: the MLP's stated depth, d + 2H + 3K + 12 = 52, is above the measured 2D + 2")
  func measuredBelowStatedWhereClassesDominate() {
    let (_, _, data) = Self.shapes[3]
    let model = MLPModel(features: 2, hidden: 4, classes: 10)
    let theta = (0..<model.parameterCount).map { Double($0 % 7) * 0.1 - 0.3 }
    let measured = AlteredModel(base: model, statesDepth: false).roundingDepth(theta: theta, data: data)
    // By hand: tanh of a 2-term affine sum (depth 4), a 4-term sum over it and the bias (9), then the
    // log-sum-exp: a difference and exp (11), nine additions (20), log1p or log and the shift (21 or 22).
    #expect(model.operationDepth == 52)
    #expect(measured == 2 * 21 + 2 || measured == 2 * 22 + 2, "measured \(measured)")
  }

  @Test("measured depth: correct gradients PASS with no complex-step or AD failure at 10 seeded θ per shape; a 1e-6 bug at one example's largest entry FAILs", arguments: 0..<5)
  func measuredDepthKeepsVerdicts(shape: Int) {
    let (name, model, data) = Self.shapes[shape]
    check(model, data: data, name: name)
  }

  func check<M: PerExampleModel>(_ model: M, data: Dataset, name: String) {
    let unstated = AlteredModel(base: model, statesDepth: false)
    for point in 0..<10 {
      var rng = PhiloxStream(seed: UInt64(point), name: "tests/operation-chain")
      let scale = [0.1, 1, 3][point % 3]
      let theta = (0..<model.parameterCount).map { _ in scale * rng.nextNormal() }
      let measured = unstated.roundingDepth(theta: theta, data: data)
      let stated = model.roundingDepth(theta: theta, data: data)
      let healthy = LinearityCheck(model: unstated, data: data, theta: theta, threads: 2)
      #expect(healthy.verdict == .pass, "\(name) θ \(point): measured depth \(measured) (stated \(stated))")
      #expect(healthy.complexStepFailures == 0 && healthy.perExampleFailures == 0, "\(name) θ \(point)")
      let gradients = PerExampleGradients(model: unstated, data: data, theta: theta)
      if let ad = AutomaticGradientCheck(model: unstated, data: data, theta: theta, gradients: gradients, threads: 2) {
        #expect(ad.failures == 0, "\(name) θ \(point): \(ad.failures) entries outside the AD bound at depth \(measured)")
      }
      // The bug sits at example 3's largest gradient entry, where 1e-6 of it is far above the resolution of
      // the average: any miss would be the bound's.
      let p = model.parameterCount
      let row = gradients.matrix[(3 * p)..<(4 * p)]
      let j = row.indices.max { Swift.abs(row[$0]) < Swift.abs(row[$1]) }! - 3 * p
      let bug = AlteredModel(base: unstated, coordinate: j, relative: 1e-6, example: 3)
      let caught = LinearityCheck(model: bug, data: data, theta: theta, threads: 2)
      #expect(caught.verdict == .fail, "\(name) θ \(point): a 1e-6 bug at (3, \(j)) passed with depth \(measured)")
    }
  }
}

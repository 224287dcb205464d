import GradVerify
import Testing

/// Known values of every model's loss and hand-written gradient on small examples worked out by hand
/// (closed forms below; transcendental values from mpmath at 200 bits, rounded once to Double).
///
/// Tolerance: an entry is accepted within `ulps` units of roundoff of max(|expected|, the row's largest
/// |expected| entry). The row scale matters for entries formed by cancellation (p − 1, σ − y): their
/// absolute error is set by the O(1) intermediates, not by the small result. The budget per model counts
/// the roundings on the longest path to an entry (≤ 1 ulp each for + − × ÷, ≤ 1 ulp for glibc's exp, log,
/// log1p, tanh) with a factor of about 2 to spare; cases whose arithmetic is all exact dyadic numbers are
/// compared exactly.
@Suite struct ModelTests {
  static let u = RoundingBoundNumber.unitRoundoff

  // MARK: - Helpers

  /// One example as a data set of N = 1.
  static func single(_ x: [Double], _ y: Double, classes: [String] = []) -> Dataset {
    Dataset(
      name: "hand", featureNames: x.indices.map { "x\($0)" }, features: x, targets: [y], classNames: classes)
  }

  /// (loss from `loss` in Double, loss and gradient from `lossAndGradient`).
  static func evaluate<M: PerExampleModel>(_ model: M, _ theta: [Double], _ data: Dataset) -> (
    loss: Double, lossFromGradient: Double, gradient: [Double]
  ) {
    var g = [Double](repeating: .nan, count: model.parameterCount)
    let (l, lg) = theta.withUnsafeBufferPointer { t in
      data.withExample(0) { example in
        let l: Double = model.loss(t, example)
        let lg = g.withUnsafeMutableBufferPointer { model.lossAndGradient(t, example, into: $0) }
        return (l, lg)
      }
    }
    return (l, lg, g)
  }

  /// Checks loss and gradient against expected values; `ulps` as described on the suite (0 = exact).
  static func check<M: PerExampleModel>(
    _ model: M, theta: [Double], data: Dataset, loss expectedLoss: Double, gradient expected: [Double], ulps: Double,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let r = evaluate(model, theta, data)
    #expect(model.parameterCount == theta.count, sourceLocation: sourceLocation)
    #expect(r.loss == r.lossFromGradient, "loss() vs lossAndGradient()", sourceLocation: sourceLocation)
    #expect(
      abs(r.loss - expectedLoss) <= ulps * u * abs(expectedLoss), "loss \(r.loss) vs \(expectedLoss)",
      sourceLocation: sourceLocation)
    let scale = expected.map(abs).max() ?? 0
    for (j, (got, want)) in zip(r.gradient, expected).enumerated() {
      #expect(
        abs(got - want) <= ulps * u * max(abs(want), scale), "g[\(j)] = \(got) vs \(want)",
        sourceLocation: sourceLocation)
    }
  }

  // MARK: - Linear regression

  // θ = [w₁, w₂, b] = [0.5, −1, 2], x = (1, 2), y = 3:
  //   r = 0.5·1 − 1·2 + 2 − 3 = −2.5,  L = r²/2 = 3.125,  g = [r x₁, r x₂, r] = [−2.5, −5, −2.5].
  // With λ = 0.5: L += (λ/2)(w₁² + w₂²) = 0.25·1.25 = 0.3125 → 3.4375;  g += λ[w₁, w₂, 0] = [0.25, −0.5, 0].
  // Every intermediate is a short dyadic number: exact.
  @Test("Linear model: loss and gradient by hand, with and without L2", arguments: [0.0, 0.5])
  func linear(_ l2: Double) {
    let model = LinearModel(features: 2, l2: l2)
    let data = Self.single([1, 2], 3)
    if l2 == 0 {
      Self.check(model, theta: [0.5, -1, 2], data: data, loss: 3.125, gradient: [-2.5, -5, -2.5], ulps: 0)
    } else {
      Self.check(model, theta: [0.5, -1, 2], data: data, loss: 3.4375, gradient: [-2.25, -5.5, -2.5], ulps: 0)
    }
  }

  // MARK: - Logistic regression

  struct LogisticRow: Sendable, CustomTestStringConvertible {
    var x: [Double]
    var y: Double
    var l2: Double
    var loss: Double
    var gradient: [Double]
    var testDescription: String { "x=\(x) y=\(y) λ=\(l2)" }
  }

  // θ = [w₁, w₂, b] = [1, 0.5, −0.5]. x = (2, 1) gives z = 2 (branch z ≥ 0); x = (−2, 1) gives z = −2 (z < 0).
  //   σ(2) = 1/(1 + e⁻²) = 0.8807970779778824,  σ(−2) = 0.11920292202211756 = 1 − σ(2).
  //   L = log(1 + e^z) − y z:  log(1 + e²) = 2.1269280110429727,  log(1 + e⁻²) = 0.1269280110429725.
  //   g = (σ(z) − y)·[x₁, x₂, 1].
  // With λ = 0.5: L += 0.25·(1 + 0.25) = 0.3125,  g += 0.5·[1, 0.5, 0] = [0.5, 0.25, 0].
  // Budget 8 ulps: σ takes exp, +, ÷ (≤ 3 ulps), then − y and × xₖ (exact ×2); the loss takes exp,
  // log1p and one addition.
  static let logisticRows: [LogisticRow] = [
    .init(
      x: [2, 1], y: 0, l2: 0, loss: 2.1269280110429727,
      gradient: [1.7615941559557649, 0.8807970779778824, 0.8807970779778824]),
    .init(
      x: [2, 1], y: 1, l2: 0, loss: 0.1269280110429725,
      gradient: [-0.23840584404423512, -0.11920292202211756, -0.11920292202211756]),
    .init(
      x: [-2, 1], y: 0, l2: 0, loss: 0.1269280110429725,
      gradient: [-0.23840584404423512, 0.11920292202211756, 0.11920292202211756]),
    .init(
      x: [-2, 1], y: 1, l2: 0, loss: 2.1269280110429727,
      gradient: [1.7615941559557649, -0.8807970779778824, -0.8807970779778824]),
    .init(
      x: [2, 1], y: 0, l2: 0.5, loss: 2.4394280110429727,
      gradient: [2.261594155955765, 1.1307970779778824, 0.8807970779778824]),
    .init(
      x: [2, 1], y: 1, l2: 0.5, loss: 0.4394280110429725,
      gradient: [0.2615941559557649, 0.13079707797788245, -0.11920292202211756]),
    .init(
      x: [-2, 1], y: 0, l2: 0.5, loss: 0.4394280110429725,
      gradient: [0.2615941559557649, 0.3692029220221176, 0.11920292202211756]),
    .init(
      x: [-2, 1], y: 1, l2: 0.5, loss: 2.4394280110429727,
      gradient: [2.261594155955765, -0.6307970779778824, -0.8807970779778824]),
  ]

  @Test("Logistic model: loss and gradient by hand, z = ±2, y ∈ {0, 1}, with and without L2", arguments: logisticRows)
  func logistic(_ row: LogisticRow) {
    Self.check(
      LogisticModel(features: 2, l2: row.l2), theta: [1, 0.5, -0.5], data: Self.single(row.x, row.y, classes: ["a", "b"]),
      loss: row.loss, gradient: row.gradient, ulps: 8)
  }

  // Margins z = ±1000 with θ = [1, 0, 0], x = (±1000, 0): e^{−1000} underflows to 0, so the stable forms give
  //   z = 1000:  y = 0 → L = 1000 + log1p(0) = 1000,  y = 1 → L = 0;   σ = 1/(1 + 0) = 1
  //   z = −1000: y = 0 → L = log1p(0) = 0,            y = 1 → L = 1000; σ = 0/(1 + 0) = 0
  // and g = (σ − y)·[x₁, 0, 1], all exact.
  @Test(
    "Logistic model is finite and exact at margins ±1000",
    arguments: [(1000.0, 0.0), (1000, 1), (-1000, 0), (-1000, 1)])
  func logisticExtremeMargins(_ z: Double, _ y: Double) {
    let expectedLoss = max(z, 0) - y * z  // log(1 + e^z) − yz with e^{−|z|} = 0
    let model = LogisticModel(features: 2)
    let data = Self.single([z, 0], y, classes: ["a", "b"])
    let r = Self.evaluate(model, [1, 0, 0], data)
    let sigma: Double = z > 0 ? 1 : 0
    #expect(r.loss == expectedLoss && r.lossFromGradient == expectedLoss, "\(r)")
    #expect(r.gradient == [(sigma - y) * z, 0, sigma - y], "\(r.gradient)")
    // The complex step through the same stable form is finite too: ∂L/∂b = σ − y.
    let theta = [ComplexStepNumber(1), ComplexStepNumber(0), ComplexStepNumber(0, 1e-20)]
    let cs = theta.withUnsafeBufferPointer { t in data.withExample(0) { model.loss(t, $0) } }
    #expect(cs.re == expectedLoss && cs.im / 1e-20 == sigma - y, "\(cs)")
  }

  // MARK: - Softmax regression

  struct SoftmaxRow: Sendable, CustomTestStringConvertible {
    var y: Double
    var l2: Double
    var loss: Double
    var gradient: [Double]
    var testDescription: String { "y=\(y) λ=\(l2)" }
  }

  // d = 2, K = 3, θ = [W (3×2 row-major), b] with W = [[1, 0], [0, 1], [−1, 1]], b = [0, −1, 0.5]; x = (1, 2):
  //   z = Wx + b = [1, 1, 1.5],  logsumexp z = log(2e + e^1.5) = 2.294376769417643,
  //   p = softmax z = [0.274068619061197, 0.274068619061197, 0.45186276187760605].
  //   y = 2: L = 2.294376769417643 − 1.5 = 0.7943767694176432;  y = 0: L = 2.294376769417643 − 1 = 1.2943767694176431.
  //   ∂W_kj = (p_k − [k = y]) x_j,  ∂b_k = p_k − [k = y].
  // With λ = 0.5: L += 0.25·ΣW² = 0.25·4 = 1,  ∂W += 0.5 W.
  // Budget 16 ulps: affine (exact here), exp (1), running sum of K = 3 (2), log (1), − z_y (1) for L;
  // exp, sum, ÷ total (4), − 1, × x_j (2) for an entry: ≤ 8 roundings.
  static let softmaxRows: [SoftmaxRow] = [
    .init(
      y: 2, l2: 0, loss: 0.7943767694176432,
      gradient: [
        0.274068619061197, 0.548137238122394, 0.274068619061197, 0.548137238122394, -0.548137238122394,
        -1.096274476244788, 0.274068619061197, 0.274068619061197, -0.548137238122394,
      ]),
    .init(
      y: 0, l2: 0, loss: 1.2943767694176431,
      gradient: [
        -0.725931380938803, -1.451862761877606, 0.274068619061197, 0.548137238122394, 0.45186276187760605,
        0.9037255237552121, -0.725931380938803, 0.274068619061197, 0.45186276187760605,
      ]),
    .init(
      y: 2, l2: 0.5, loss: 1.7943767694176431,
      gradient: [
        0.774068619061197, 0.548137238122394, 0.274068619061197, 1.048137238122394, -1.048137238122394,
        -0.5962744762447879, 0.274068619061197, 0.274068619061197, -0.548137238122394,
      ]),
    .init(
      y: 0, l2: 0.5, loss: 2.294376769417643,
      gradient: [
        -0.22593138093880302, -1.451862761877606, 0.274068619061197, 1.048137238122394, -0.048137238122393955,
        1.403725523755212, -0.725931380938803, 0.274068619061197, 0.45186276187760605,
      ]),
  ]

  static let softmaxTheta: [Double] = [1, 0, 0, 1, -1, 1, 0, -1, 0.5]

  @Test("Softmax model: loss and gradient by hand, K = 3, with and without L2", arguments: softmaxRows)
  func softmax(_ row: SoftmaxRow) {
    Self.check(
      SoftmaxModel(features: 2, classes: 3, l2: row.l2), theta: Self.softmaxTheta,
      data: Self.single([1, 2], row.y, classes: ["a", "b", "c"]), loss: row.loss, gradient: row.gradient, ulps: 16)
  }

  // W = [[1, 0], [0, 0], [−1, 0]], b = 0, x = (1000, 0): z = [1000, 0, −1000]. The log-sum-exp shifts by
  // m = 1000: Σ exp(zₖ − m) = 1 + e⁻¹⁰⁰⁰ + e⁻²⁰⁰⁰ = 1 in Double, so L = log 1 − (z_y − 1000) = 1000 − z_y:
  // y = 0 → 0, y = 1 → 1000, y = 2 → 2000; p = [1, 0, 0] and ∂b = p − e_y, ∂W_k0 = 1000 ∂b_k — all exact.
  @Test("Softmax model is finite and exact at margins of ±1000", arguments: [(0.0, 0.0), (1, 1000), (2, 2000)])
  func softmaxExtremeMargins(_ y: Double, _ expectedLoss: Double) {
    let model = SoftmaxModel(features: 2, classes: 3)
    let r = Self.evaluate(model, [1, 0, 0, 0, -1, 0, 0, 0, 0], Self.single([1000, 0], y, classes: ["a", "b", "c"]))
    var db: [Double] = [1, 0, 0]
    db[Int(y)] -= 1
    #expect(r.loss == expectedLoss && r.lossFromGradient == expectedLoss, "\(r)")
    #expect(r.gradient == [1000 * db[0], 0, 1000 * db[1], 0, 1000 * db[2], 0] + db, "\(r.gradient)")
  }

  // MARK: - One-hidden-layer perceptron

  // d = 2, H = 2, K = 2; θ = [W₁ (2×2), b₁ (2), W₂ (2×2), b₂ (2)] with
  //   W₁ = [[0.5, −0.5], [0.25, 1]], b₁ = [0, 0.5], W₂ = [[1, −1], [0.5, 2]], b₂ = [0.25, −0.25];  x = (1, −1), y = 1.
  //   a = W₁x + b₁ = [1, −0.25],  h = tanh a = [0.7615941559557649, −0.24491866240370913]
  //   z = W₂h + b₂ = [1.256512818359474, −0.35904024682953584],  p = [0.8341809297363616, 0.16581907026363837]
  //   L = logsumexp z − z₁ = 1.7968580232110112
  //   δz = p − e₁ = [0.8341809297363616, −0.8341809297363616];  ∂W₂ = δz hᵀ;  ∂b₂ = δz
  //   δa = (W₂ᵀδz) ⊙ (1 − h²) = [0.1751672933765023, −2.3524273816298695];  ∂W₁ = δa xᵀ;  ∂b₁ = δa
  // With λ = 0.5: ΣW₁² + ΣW₂² = 1.5625 + 6.25 = 7.8125, L += 0.25·7.8125 = 1.953125; ∂W += 0.5 W.
  // Budget 32 ulps: the longest path is tanh (1) → affine of H = 2 (3) → softmax gradient (4) → W₂ᵀδz (3)
  // → × (1 − h²) (3) → × x_j (1): about 15 roundings.
  @Test("MLP model: loss and gradient by hand, H = 2, K = 2, with and without L2", arguments: [0.0, 0.5])
  func mlp(_ l2: Double) {
    let model = MLPModel(features: 2, hidden: 2, classes: 2, l2: l2)
    let theta: [Double] = [0.5, -0.5, 0.25, 1, 0, 0.5, 1, -1, 0.5, 2, 0.25, -0.25]
    let data = Self.single([1, -1], 1, classes: ["a", "b"])
    if l2 == 0 {
      Self.check(
        model, theta: theta, data: data, loss: 1.7968580232110112,
        gradient: [
          0.1751672933765023, -0.1751672933765023, -2.3524273816298695, 2.3524273816298695, 0.1751672933765023,
          -2.3524273816298695, 0.6353073210969595, -0.20430647751371217, -0.6353073210969595, 0.20430647751371217,
          0.8341809297363616, -0.8341809297363616,
        ], ulps: 32)
    } else {
      Self.check(
        model, theta: theta, data: data, loss: 3.749983023211011,
        gradient: [
          0.42516729337650233, -0.42516729337650233, -2.2274273816298695, 2.8524273816298695, 0.1751672933765023,
          -2.3524273816298695, 1.1353073210969595, -0.7043064775137121, -0.38530732109695953, 1.2043064775137122,
          0.8341809297363616, -0.8341809297363616,
        ], ulps: 32)
    }
  }

  // MARK: - Layout and penalty bookkeeping

  @Test("Parameter counts follow the documented θ layouts")
  func parameterCounts() {
    #expect(LinearModel(features: 5).parameterCount == 6)
    #expect(LogisticModel(features: 5).parameterCount == 6)
    #expect(SoftmaxModel(features: 5, classes: 4).parameterCount == 4 * 6)
    #expect(MLPModel(features: 5, hidden: 3, classes: 4).parameterCount == 3 * 6 + 4 * 4)
    #expect(LinearModel(features: 5).penalty.weightRanges == [0..<5])
    #expect(SoftmaxModel(features: 5, classes: 4).penalty.weightRanges == [0..<20])
    #expect(MLPModel(features: 5, hidden: 3, classes: 4).penalty.weightRanges == [0..<15, 18..<30])
  }

  /// The generic `loss` and the hand-written gradient agree with each other at seeded random points:
  /// the complex-step derivative of `loss` matches `lossAndGradient` to rounding level. The complex step's
  /// own error is a few ulps of each intermediate; relative to the row's largest entry, 1e-13 (≈ 450 u)
  /// leaves room for the ~15-rounding MLP chain and magnitudes up to ~10 in the intermediates.
  @Test("Complex-step derivatives of loss() match lossAndGradient() at seeded points", arguments: 0..<4)
  func complexStepConsistency(_ which: Int) {
    let data = Dataset.syntheticClusters(count: 6, features: 3, classes: 3, seed: 17)
    let regression = Dataset.syntheticRegression(count: 6, features: 3, seed: 17)
    let binary = Dataset.syntheticClusters(count: 6, features: 3, classes: 2, seed: 17)
    switch which {
    case 0: Self.complexStepAgrees(LinearModel(features: 3, l2: 0.1), regression)
    case 1: Self.complexStepAgrees(LogisticModel(features: 3, l2: 0.1), binary)
    case 2: Self.complexStepAgrees(SoftmaxModel(features: 3, classes: 3, l2: 0.1), data)
    default: Self.complexStepAgrees(MLPModel(features: 3, hidden: 4, classes: 3, l2: 0.1), data)
    }
  }

  static func complexStepAgrees<M: PerExampleModel>(_ model: M, _ data: Dataset) {
    var rng = PhiloxStream(seed: 3, name: "tests/model-cs")
    let theta = (0..<model.parameterCount).map { _ in rng.nextNormal() }
    for i in 0..<data.count {
      var g = [Double](repeating: .nan, count: model.parameterCount)
      _ = theta.withUnsafeBufferPointer { t in
        data.withExample(i) { e in g.withUnsafeMutableBufferPointer { model.lossAndGradient(t, e, into: $0) } }
      }
      let scale = max(g.map(abs).max() ?? 0, 1e-300)
      for j in 0..<model.parameterCount {
        var z = theta.map { ComplexStepNumber($0) }
        z[j].im = 1e-20
        let cs = z.withUnsafeBufferPointer { t in data.withExample(i) { model.loss(t, $0) } }
        #expect(abs(cs.im / 1e-20 - g[j]) <= 1e-13 * scale, "example \(i), θ[\(j)]: \(cs.im / 1e-20) vs \(g[j])")
      }
    }
  }
}

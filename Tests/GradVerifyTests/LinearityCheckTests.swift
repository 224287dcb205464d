import GradVerify
import Testing

// MARK: - Test seam

/// `base` with what a test changes: coordinate j of the per-example gradient scaled by (1 + δ), in every
/// example or only in one; its stated operation depth hidden (0: the harness measures it); or its automatic
/// gradient withheld, as on a toolchain without `_Differentiation`. Written here, independently of the
/// library's own fault injection, so the checks are tested against bugs they did not build themselves.
struct AlteredModel<Base: PerExampleModel>: PerExampleModel {
  var base: Base
  var coordinate = 0
  var relative = 0.0
  /// Only this example's gradient is wrong; every example's when nil.
  var example: Int?
  var statesDepth = true
  var hasAutomaticGradient = true

  var parameterCount: Int { base.parameterCount }
  var operationDepth: Int { statesDepth ? base.operationDepth : 0 }
  var layout: String { base.layout }

  func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    base.loss(theta, example)
  }

  func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let l = base.lossAndGradient(theta, example, into: gradient)
    if self.example == nil || self.example == example.index {
      gradient[coordinate] *= 1 + relative
    }
    return l
  }
  /// The base model's automatic gradient, of the loss and so without the bug.
  func automaticGradient(_ theta: UnsafeBufferPointer<Double>, _ example: Example) -> [Double]? {
    hasAutomaticGradient ? base.automaticGradient(theta, example) : nil
  }
}

// MARK: - Tests

/// Claim C1 end to end on the four models: correct gradients PASS with errors at the method's accuracy,
/// and a 1e-6 relative bug, in every example or in one, turns the verdict to FAIL.
@Suite(.serialized) struct LinearityCheckTests {
  /// The 5-point truncation error is h⁴|C⁽⁵⁾|/30 with h = 2^round(log₂(eps^(1/5)·max(1, |θⱼ|))): h = 2⁻¹⁰ and
  /// ≈ 3e-14·|C⁽⁵⁾| for |θⱼ| ≤ 1, up to h = 2⁻⁷ and ≈ 1.2e-10·|C⁽⁵⁾| at the |θⱼ| ≈ 9 that scale 3 reaches;
  /// rounding adds ≈ 1.5(δ_C + 4u|C|)/h ≈ 1e-12·|C|. So 1e-9 relative to ‖g‖∞ holds while |C⁽⁵⁾| ≲ 8‖g‖∞
  /// at the largest steps, and is still 1000× below the 1e-6 bug the check exists to see.
  /// Measured maxima over the 800 points: 1.6e-10 (MLP at scale 3), 1.3e-11 (softmax), 4.5e-12 (logistic),
  /// 8.1e-13 (linear).
  static let fivePointBound = 1e-9
  /// The complex step is exact to a few roundings of each loss's derivative chain (≲ depth·u·‖Gᵢ‖∞ ≈
  /// 32·1.1e-16 for the MLP, a few times less for the others); averaged over N examples and relative to
  /// ‖g‖∞ that is a few 1e-15, so 1e-13 (≈ 450 u) leaves a factor ~20 for ‖Gᵢ‖∞/‖g‖∞.
  /// Measured maximum over the 800 points: 9.2e-16 (MLP at scale 3).
  static let complexStepBound = 1e-13

  static let relativeBug = 1e-6

  @Test(
    "(a) Correct gradients PASS at 100 seeded θ, 5-point error ≤ 1e-9 and complex step ≤ 1e-13 relative",
    arguments: Fixture.allCases, [0.0, 0.1])
  func correctGradientsPass(_ fixture: Fixture, _ l2: Double) throws {
    let results = try fixture.visit(CorrectGradientSweep(data: fixture.data, points: 100), l2: l2)
    #expect(results.count == 100)
    for r in results {
      #expect(r.verdict == .pass, "point \(r.point) (scale \(r.scale)): \(r.summary)")
      #expect(r.maxRelativeError <= Self.fivePointBound, "point \(r.point) (scale \(r.scale)): \(r.summary)")
      #expect(r.complexStepRelativeError <= Self.complexStepBound, "point \(r.point) (scale \(r.scale)): \(r.summary)")
      if fixture == .linear {
        // The cost is quadratic in θ: central differences are exact but for rounding, so there is
        // no truncation regime in the halving test.
        #expect(r.halvingRatios.isEmpty, "point \(r.point): \(r.summary)")
      }
    }
  }

  @Test("finite features whose losses overflow (1e200): INCONCLUSIVE with the reason, never FAIL on NaN comparisons")
  func overflowIsInconclusive() {
    let data = Dataset(
      name: "overflow", featureNames: ["a", "b"], features: [1e200, 2, -1e200, 1, 3, 4], targets: [3, 2, 5], classNames: [])
    let check = LinearityCheck(model: LinearModel(features: 2), data: data, theta: [1, 1, 0])
    #expect(check.overflowed && check.verdict == .inconclusive)
    let row = LinearityExperiment.rows(of: check, caseName: "linear/overflow@unit")
    #expect(row.verdict == .inconclusive && row.keyFigure.contains("overflow"), "\(row.keyFigure)")
    let healthy = LinearityCheck(model: LinearModel(features: 2), data: .syntheticRegression(count: 20, features: 2, seed: 1), theta: [1, 1, 0])
    #expect(!healthy.overflowed)
  }

  @Test("(b) A 1e-6 relative bug in coordinate argmax|gⱼ| of every example turns PASS into FAIL", arguments: Fixture.allCases)
  func everyExampleBugFails(_ fixture: Fixture) throws {
    let (correct, perturbed, j) = try fixture.visit(EveryExampleBug(data: fixture.data, relative: Self.relativeBug))

    // The unperturbed twin passes, with a clean order-of-accuracy picture.
    #expect(correct.verdict == .pass, "\(Self.describe(correct))")
    #expect(correct.averageFailures == 0 && correct.perExampleFailures == 0 && correct.complexStepFailures == 0)
    if fixture == .linear {
      // Quadratic cost: D₃(h) is exact up to rounding, so no step is in the truncation regime.
      #expect(correct.halving.regimeRatios.isEmpty, "\(Self.describe(correct))")
    } else if let last = correct.halving.regimeRatios.last {
      #expect(HalvingTest.acceptedRatios.contains(last), "\(Self.describe(correct))")
    }

    // The bug: gⱼ is off by 1e-6·‖g‖∞. The 5-point tolerance τⱼ = max(10Ê, 1e-7|Dⱼ|) with Ê ≈ 1e-11‖g‖∞
    // resolves that, and the complex step (tolerance ~1e-14) sees it regardless.
    #expect(perturbed.verdict == .fail, "\(Self.describe(perturbed))")
    #expect(perturbed.averageFailures > 0, "\(Self.describe(perturbed))")
    #expect(perturbed.complexStepFailures > 0, "\(Self.describe(perturbed))")
    #expect(perturbed.worstCoordinate == j && perturbed.halving.coordinate == j, "bug at \(j): \(Self.describe(perturbed))")
    #expect(perturbed.halving.verdict == .fail, "\(Self.describe(perturbed))")
    // Halving: e(h) = |h²C'''/6 + bug|. A step is in the regime only if e ≥ 100 × its rounding bound, so
    // rounding moves a ratio by at most 1.01/0.99 ≈ 2%; at the smallest regime steps (h ~ 1e-7) the
    // truncation term is ~1e-7 of the bug. Hence the last ratio is 1 within 3% — well below 1.5.
    let last = perturbed.halving.reportedRatios.last
    #expect(last.map { $0 < 1.5 } == true, "\(Self.describe(perturbed))")
    #expect(last.map { (0.97...1.03).contains($0) } == true, "\(Self.describe(perturbed))")
    if fixture == .linear {
      // No truncation at all: every regime ratio is 1 within the same 3%.
      #expect(!perturbed.halving.regimeRatios.isEmpty)
      #expect(perturbed.halving.regimeRatios.allSatisfy { (0.97...1.03).contains($0) }, "\(Self.describe(perturbed))")
    } else {
      // Far from the bug's floor the error is truncation: the first ratios are near 4.
      #expect(perturbed.halving.regimeRatios.contains { HalvingTest.acceptedRatios.contains($0) }, "\(Self.describe(perturbed))")
    }
  }

  @Test("(c) A 1e-6 bug in one example's gradient is caught per example, though the average moves by δ/N", arguments: Fixture.allCases)
  func oneExampleBugFails(_ fixture: Fixture) throws {
    let example = 7
    let r = try fixture.visit(OneExampleBug(data: fixture.data, example: example, relative: Self.relativeBug))
    let n = Double(Fixture.count)
    #expect(r.correct.verdict == .pass, "\(Self.describe(r.correct))")
    #expect(r.correct.perExampleFailures == 0 && r.correct.complexStepFailures == 0, "\(Self.describe(r.correct))")

    // The average moves by exactly δ·G_ij/N (up to the last bits of two compensated means, ≲ 2u|gⱼ|,
    // which is < 1e-6 of the shift here).
    let expectedShift = Self.relativeBug * r.entry / n
    #expect(abs(r.averageShift - expectedShift) <= 1e-6 * abs(expectedShift), "shift \(r.averageShift) vs \(expectedShift)")
    // …which is below the 1e-6·‖g‖∞ resolution of a check of the average alone:
    #expect(abs(expectedShift) < LinearityCheck.resolution * r.gScale, "G_ij \(r.entry), ‖g‖∞ \(r.gScale)")
    #expect(r.perturbed.maxRelativeError < LinearityCheck.resolution, "\(Self.describe(r.perturbed))")

    // Per example, the bug is 1e-6 of the row's scale ‖Gᵢ‖∞ = |G_ij|: exactly one entry (i, j) fails,
    // and the complex step flags that entry and the average's coordinate j (its bound is ~1e-14).
    #expect(r.perturbed.verdict == .fail, "\(Self.describe(r.perturbed))")
    #expect(r.perturbed.perExampleFailures == 1, "\(Self.describe(r.perturbed))")
    #expect(r.perturbed.complexStepFailures == 2, "\(Self.describe(r.perturbed))")
  }

  @Test("(d) Results are bit-identical on 1 and 2 threads", arguments: Fixture.allCases)
  func threadCountInvariance(_ fixture: Fixture) throws {
    for (one, two) in try fixture.visit(ThreadCounts(data: fixture.data)) {
      #expect(fingerprint(one) == fingerprint(two), "\(Self.describe(one)) vs \(Self.describe(two))")
    }
  }
}

/// Every public figure of a check, doubles as bit patterns.
private func fingerprint(_ c: LinearityCheck) -> [UInt64] {
  var f: [UInt64] = [
    UInt64(c.count), UInt64(c.parameterCount), c.cost.bitPattern, c.maxAbsoluteError.bitPattern,
    c.maxRelativeError.bitPattern, c.maxErrorEstimate.bitPattern, UInt64(c.worstCoordinate),
    c.complexStepRelativeError.bitPattern, UInt64(c.averageFailures), c.perExampleMaxRelativeError.bitPattern,
    c.perExampleComplexStepMaxRelativeError.bitPattern, UInt64(c.perExampleFailures), UInt64(c.complexStepFailures),
    UInt64(c.refinedSteps), UInt64(c.inconclusiveResolved), UInt64(c.inconclusiveUnresolved),
    UInt64(c.halving.coordinate),
  ]
  for s in c.halving.steps {
    f += [s.step.bitPattern, s.error.bitPattern, s.roundingBound.bitPattern]
  }
  return f
}

extension LinearityCheckTests {
  // MARK: - Fixtures

  /// The four models on small seeded data sets (N = 30, d = 3, H = 4), so that a check costs about a
  /// millisecond and a hundred of them run in well under a second.
  enum Fixture: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case linear, logistic, softmax, mlp

    var testDescription: String { rawValue }

    static let count = 30

    var data: Dataset {
      switch self {
      case .linear: .syntheticRegression(count: Self.count, features: 3, seed: 101)
      case .logistic: .syntheticClusters(count: Self.count, features: 3, classes: 2, seed: 102)
      case .softmax, .mlp: .syntheticClusters(count: Self.count, features: 3, classes: 3, seed: 103)
      }
    }

    func choice(l2: Double) -> ModelChoice {
      switch self {
      case .linear: ModelChoice(kind: .linear, l2: l2)
      case .logistic: ModelChoice(kind: .logistic, l2: l2)
      case .softmax: ModelChoice(kind: .softmax, l2: l2)
      case .mlp: ModelChoice(kind: .mlp, hidden: 4, l2: l2)
      }
    }

    /// Runs `visitor` on this fixture's model and data.
    func visit<V: ModelVisitor>(_ visitor: V, l2: Double = 0) throws -> V.Output {
      try choice(l2: l2).visit(visitor, data: data, source: "fixture \(rawValue)")
    }

    /// θⱼ = scale·N(0, 1) from the stream (seed 2024, "tests/linearity/theta", substream = point).
    static func theta(count p: Int, scale: Double, point: Int) -> [Double] {
      var rng = PhiloxStream(seed: 2024, name: "tests/linearity/theta", substream: UInt64(point))
      return (0..<p).map { _ in scale * rng.nextNormal() }
    }
  }

  /// The index of the largest |vᵢ| (the first on ties).
  static func argmaxAbs(_ v: ArraySlice<Double>) -> Int {
    var best = v.startIndex
    for i in v.indices where abs(v[i]) > abs(v[best]) { best = i }
    return best - v.startIndex
  }

  // MARK: - Visitors (one generic entry point per experiment)

  /// What one correct-gradient check at one θ measured.
  struct PointResult: Sendable {
    var point: Int
    var scale: Double
    var verdict: Verdict
    var maxRelativeError: Double
    var complexStepRelativeError: Double
    var halvingRatios: [Double]
    var summary: String
  }

  /// (a) LinearityCheck on the correct gradient at `points` seeded θ, scales cycling 0.1, 1, 3.
  struct CorrectGradientSweep: ModelVisitor {
    var data: Dataset
    var points: Int

    func visit<M: PerExampleModel>(_ model: M) -> [PointResult] {
      let scales = [0.1, 1, 3]
      return (0..<points).map { k in
        let scale = scales[k % scales.count]
        let theta = Fixture.theta(count: model.parameterCount, scale: scale, point: k)
        let c = LinearityCheck(model: model, data: data, theta: theta, threads: 2)
        return PointResult(
          point: k, scale: scale, verdict: c.verdict, maxRelativeError: c.maxRelativeError,
          complexStepRelativeError: c.complexStepRelativeError, halvingRatios: c.halving.regimeRatios,
          summary: LinearityCheckTests.describe(c))
      }
    }
  }

  /// (b) The correct gradient and its twin with coordinate j = argmax |gⱼ| scaled by (1 + δ) in every example.
  struct EveryExampleBug: ModelVisitor {
    var data: Dataset
    var relative: Double

    func visit<M: PerExampleModel>(_ model: M) -> (correct: LinearityCheck, perturbed: LinearityCheck, coordinate: Int) {
      let theta = Fixture.theta(count: model.parameterCount, scale: 1, point: 1)
      let g = PerExampleGradients(model: model, data: data, theta: theta)
      let j = LinearityCheckTests.argmaxAbs(g.average[...])
      let bug = AlteredModel(base: model, coordinate: j, relative: relative, example: nil)
      return (
        LinearityCheck(model: model, data: data, theta: theta, threads: 2),
        LinearityCheck(model: bug, data: data, theta: theta, threads: 2), j
      )
    }
  }

  /// (c) The correct gradient and its twin with entry (i, j) scaled by (1 + δ), j = argmax |G_ij| in row i.
  struct OneExampleBug: ModelVisitor {
    struct Output {
      var correct: LinearityCheck
      var perturbed: LinearityCheck
      var coordinate: Int
      /// G_ij, ‖g‖∞ and the average's measured shift g'ⱼ − gⱼ.
      var entry: Double
      var gScale: Double
      var averageShift: Double
    }
    var data: Dataset
    var example: Int
    var relative: Double

    func visit<M: PerExampleModel>(_ model: M) -> Output {
      let p = model.parameterCount
      let theta = Fixture.theta(count: p, scale: 1, point: 2)
      let g = PerExampleGradients(model: model, data: data, theta: theta)
      let j = LinearityCheckTests.argmaxAbs(g.matrix[(example * p)..<(example * p + p)])
      let bug = AlteredModel(base: model, coordinate: j, relative: relative, example: example)
      let gBug = PerExampleGradients(model: bug, data: data, theta: theta)
      return Output(
        correct: LinearityCheck(model: model, data: data, theta: theta, threads: 2),
        perturbed: LinearityCheck(model: bug, data: data, theta: theta, threads: 2), coordinate: j,
        entry: g.matrix[example * p + j], gScale: g.average.map(abs).max() ?? 0,
        averageShift: gBug.average[j] - g.average[j])
    }
  }

  /// (d) The same check on 1 and on 2 threads, for the correct gradient and for a perturbed one.
  struct ThreadCounts: ModelVisitor {
    var data: Dataset

    func visit<M: PerExampleModel>(_ model: M) -> [(LinearityCheck, LinearityCheck)] {
      let theta = Fixture.theta(count: model.parameterCount, scale: 1, point: 3)
      let bug = AlteredModel(base: model, coordinate: model.parameterCount - 1, relative: 1e-6, example: 4)
      return [
        (
          LinearityCheck(model: model, data: data, theta: theta, threads: 1),
          LinearityCheck(model: model, data: data, theta: theta, threads: 2)
        ),
        (
          LinearityCheck(model: bug, data: data, theta: theta, threads: 1),
          LinearityCheck(model: bug, data: data, theta: theta, threads: 2)
        ),
      ]
    }
  }

  /// The figures of a check in one line, for failure messages.
  static func describe(_ c: LinearityCheck) -> String {
    "verdict \(c.verdict.rawValue) maxRel \(c.maxRelativeError) csRel \(c.complexStepRelativeError) "
      + "maxÊ \(c.maxErrorEstimate) worst \(c.worstCoordinate) avgFail \(c.averageFailures) "
      + "exFail \(c.perExampleFailures) csFail \(c.complexStepFailures) inconcl \(c.inconclusiveResolved)/\(c.inconclusiveUnresolved) "
      + "exRel \(c.perExampleMaxRelativeError) exCsRel \(c.perExampleComplexStepMaxRelativeError) "
      + "halving j=\(c.halving.coordinate) \(c.halving.verdict.rawValue) ratios \(c.halving.regimeRatios)"
  }
}

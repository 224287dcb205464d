import Foundation
import GradVerify
import Testing

// N2 (Sources/GradVerify/Claims/NonAdditive): non-additive costs are not averages of per-example losses;
// their gradients and batch biases miss by the predicted amounts, and the additive mean passes.

@Suite("N2: non-additive costs fail as predicted; the mean passes", .serialized)
struct NonAdditiveVerdictTests {
  @Test("N2: log-mean-exp and square-of-mean (gradient and batch bias) and batch norm fail as predicted; mean passes")
  func n2() throws {
    let (outcome, all) = try ControlSpecs.run(ControlSpecs.n2, name: "N2-small.json")
    let controls = ControlSpecs.rows(outcome, "N2")
    let twins = ControlSpecs.rows(outcome, "N2-twin")
    // 2 cases × 2 non-additive costs × (gradient, batch bias), and one batch-norm row for the linear case.
    #expect(controls.count == 9, "\(all)")
    #expect(twins.count == 4, "\(all)")
    for cost in ["log-mean-exp", "square-of-mean"] {
      for kind in ["gradient", "batch bias"] {
        let r = controls.filter { $0.caseName.hasSuffix("\(cost) \(kind)") }
        #expect(r.count == 2, "\(cost) \(kind): \(all)")
        #expect(r.allSatisfy { $0.verdict == .failsAsPredicted }, "\(cost) \(kind):\n\(all)")
      }
    }
    let batchNorm = controls.filter { $0.caseName.hasSuffix("batch-norm gradient") }
    #expect(batchNorm.count == 1 && batchNorm.allSatisfy { $0.verdict == .failsAsPredicted }, "\(all)")
    #expect(twins.allSatisfy { $0.verdict == .pass && $0.caseName.contains(" mean ") }, "\(all)")
  }

  @Test("N2: run --threads 1 and --threads 2 write byte-identical tables")
  func threadsByteIdentical() throws {
    try ControlSpecs.expectThreadsByteIdentical(claim: "N2", spec: ControlSpecs.n2)
  }
}

@Suite("N2: measured sizes agree with the predictions", .serialized)
struct NonAdditiveAgreementTests {
  /// The N2 case: softmax on three Gaussian clusters, N = 48, at a moderate seeded θ.
  static func n2Case() -> (model: SoftmaxModel, data: Dataset, theta: [Double]) {
    let data = Dataset.syntheticClusters(count: 48, features: 2, classes: 3, seed: 41)
    let model = SoftmaxModel(features: 2, classes: 3)
    let theta = ParameterPointSpec(name: "moderate", scale: 0.3).theta(
      parameterCount: model.parameterCount, seed: 5, stream: "tests/n2")
    return (model, data, theta)
  }

  @Test("N2 log-mean-exp: mini-batch bias against −c(N − b)/((N − 1) b) wherever it is judged")
  func logMeanExpBias() {
    let (model, data, theta) = Self.n2Case()
    let sizes = [2, 4, 8, 16, 24, 47, 48]
    let control = NonAdditiveControl(
      cost: .logMeanExp, model: model, data: data, theta: theta, batchSizes: sizes, draws: 4000, seed: 9,
      name: "tests/n2", alpha: 0.01, tests: sizes.count, threads: 2)
    // c = Var_N(e^L)/(2 m²), computed here from the losses.
    let losses = PerExampleGradients(model: model, data: data, theta: theta).losses
    let n = Double(losses.count)
    let e = losses.map { Foundation.exp($0) }
    let m = referenceSum(e) / n
    let c = referenceSum(e.map { ($0 - m) * ($0 - m) }) / n / (2 * m * m)
    #expect(c > 0)
    for cell in control.biasCells {
      let b = Double(cell.batch)
      let predicted = -c * (n - b) / ((n - 1) * b)
      // 1e-10 relative: the library shifts the losses by their maximum before exponentiating; the ratio is
      // the same to rounding (sums of 48 terms, ≲ 1e-13).
      #expect(Swift.abs(cell.prediction - predicted) <= 1e-10 * Swift.abs(predicted) + 1e-300, "b=\(cell.batch): \(cell.prediction) vs \(predicted)")
      if cell.judged {
        // Judged cells: the delta method's neglected terms are below one standard error, so the measured
        // bias must sit within the Bonferroni critical z of the prediction.
        #expect(Swift.abs(cell.z) <= control.criticalZ, "b=\(cell.batch): bias \(cell.bias) ± \(cell.standardError) vs \(predicted), z \(cell.z)")
      }
    }
    // The comparison must bite: at least one judged b where the bias stands clear of zero.
    let clear = control.biasCells.filter { $0.judged && $0.biasZ > control.criticalZ }
    #expect(!clear.isEmpty, "no judged b shows the bias clearly: \(control.biasCells.map { ($0.batch, $0.judged, $0.biasZ) })")
    // At b = N every batch is the whole data set: the bias is exactly zero.
    #expect(control.biasCells.last.map { $0.bias == 0 && $0.exactlyZero } == true)
    #expect(control.biasVerdict == .failsAsPredicted && control.gradientVerdict == .failsAsPredicted)
    // A wrong cause: a bias of the other sign (as a cost that overstates instead of understates) is caught
    // but not as predicted.
    var wrong = control
    for k in wrong.biasCells.indices { wrong.biasCells[k].prediction.negate() }
    #expect(wrong.biasVerdict == .fail, "\(wrong.biasCells.map { ($0.batch, $0.z) })")
  }

  @Test("N2 square-of-mean: the predicted bias (N − b)/(N − 1) σ²_L/b equals an enumeration of every batch (N = 10)")
  func squareOfMeanExact() {
    let data = Dataset.syntheticClusters(count: 10, features: 2, classes: 3, seed: 44)
    let model = SoftmaxModel(features: 2, classes: 3)
    let theta = ParameterPointSpec(name: "moderate", scale: 0.3).theta(
      parameterCount: model.parameterCount, seed: 5, stream: "tests/n2-exact")
    let losses = PerExampleGradients(model: model, data: data, theta: theta).losses
    let whole = NonAdditiveCost.squareOfMean.cost(losses)
    for b in 1...10 {
      // Every b-subset of 10, by bitmask: E[C(batch)] − C(all) exactly.
      var biases: [Double] = []
      for mask in 0..<(1 << 10) where mask.nonzeroBitCount == b {
        let batch = (0..<10).filter { mask & (1 << $0) != 0 }.map { losses[$0] }
        let mean = referenceSum(batch) / Double(b)
        biases.append(mean * mean - whole)
      }
      let exact = referenceSum(biases) / Double(biases.count)
      let predicted = NonAdditiveCost.squareOfMean.predictedBatchBias(losses: losses, batch: b)
      // 1e-12 relative to L̄²: both are differences of O(L̄²) numbers rounded to ~u each (≲ 1e-14 relative);
      // the with-replacement value σ²/b (no finite-population factor) differs by (b − 1)/(N − 1) ≥ 11%.
      #expect(Swift.abs(exact - predicted) <= 1e-12 * whole, "b=\(b): enumeration \(exact) vs prediction \(predicted)")
      if b == 10 { #expect(predicted == 0) }
    }
  }
}

extension ControlSpecs {
  /// N2 on softmax clusters (N = 48) and linear regression (N = 32, which adds the batch-normalised model).
  static let n2 = """
    {"claim": "N2", "title": "n2 small", "seed": 20261127, "alpha": 0.01, "draws": 4000,
     "costs": ["log-mean-exp", "square-of-mean", "mean"], "batch_norm": true,
     "points": [{"name": "moderate", "scale": 0.3}],
     "cases": [{"model": "softmax", "data": {"synthetic": "clusters", "n": 48, "d": 2, "classes": 3, "seed": 41}},
               {"model": "linear", "data": {"synthetic": "regression", "n": 32, "d": 2, "seed": 42}}]}
    """
}

import GradVerify
import Testing

/// `ArrayModel`, the pointer-free way to bring a model: through `ArrayModelAdapter` it gives the gradients
/// of the built-in model it re-implements, and C1 judges it the same way.
@Suite struct ArrayModelTests {
  /// Squared-error linear regression written with arrays: the built-in `LinearModel` without a penalty.
  struct ArrayLinear: ArrayModel {
    let d: Int
    var parameterCount: Int { d + 1 }
    var operationDepth: Int { d + 4 }
    func loss<S: LossScalar>(theta: [S], features: [Double], target: Double) -> S {
      var r = theta[d] - target
      for k in 0..<d { r = r + theta[k] * features[k] }
      return r * r * 0.5
    }
    func lossAndGradient(theta: [Double], features: [Double], target: Double) -> (loss: Double, gradient: [Double]) {
      var r = theta[d] - target
      for k in 0..<d { r += theta[k] * features[k] }
      return (r * r * 0.5, features.map { r * $0 } + [r])
    }
  }

  static let data = Dataset.syntheticRegression(count: 120, features: 4, seed: 3)
  static let theta = [0.3, -0.8, 1.2, 0.05, -0.6]

  @Test("the adapter's per-example gradients equal LinearModel's to rounding (1e-14 relative), and C1 passes")
  func sameAsBuiltIn() {
    let adapted = PerExampleGradients(model: ArrayModelAdapter(ArrayLinear(d: 4)), data: Self.data, theta: Self.theta)
    let builtIn = PerExampleGradients(model: LinearModel(features: 4), data: Self.data, theta: Self.theta)
    let scale = builtIn.matrix.map(abs).max() ?? 1
    let worst = zip(adapted.matrix, builtIn.matrix).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-14 * scale, "largest difference \(worst) against scale \(scale)")
    let check = LinearityCheck(model: ArrayModelAdapter(ArrayLinear(d: 4)), data: Self.data, theta: Self.theta)
    #expect(check.verdict == .pass)
  }

  @Test("the default layout names P")
  func layout() { #expect(ArrayModelAdapter(ArrayLinear(d: 2)).layout == "θ of 3 entries") }
}

/// One training example as a model sees it: its features (d numbers) and its target.
public struct Example {
  /// The d features of the example.
  public var features: UnsafeBufferPointer<Double>
  /// A number (regression) or a class index (classification).
  public var target: Double
  /// The example's row in its data set (0-based).
  public var index: Int

  @inlinable public init(features: UnsafeBufferPointer<Double>, target: Double, index: Int) {
    self.features = features
    self.target = target
    self.index = index
  }
}

/// A per-example loss L(x, θ) over one flat parameter vector θ, with its analytic gradient.
///
/// The cost of a data set is C(θ) = (1/N) Σᵢ L(xᵢ, θ). `loss` is written once, generically over
/// `LossScalar`, so the same formula is evaluated in `Double`, in complex-step arithmetic and with a
/// running rounding bound; `lossAndGradient` is the hand-written gradient the harness checks.
public protocol PerExampleModel: Sendable {
  /// P, the length of θ.
  var parameterCount: Int { get }
  /// The longest chain of floating-point operations from θ to one gradient entry (fan-in), for the
  /// rounding bound of the complex-step comparison; 0, the default, has the harness measure it
  /// (`roundingDepth`).
  var operationDepth: Int { get }
  /// The θ layout in words, e.g. "[w₁…w_d, b]".
  var layout: String { get }

  /// L(x, θ), evaluated in the arithmetic of `S`.
  func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S

  /// L(x, θ) in `Double`, with ∇θ L written into `gradient` (P entries, overwritten).
  func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double

  /// ∇θ L(x, θ) by Swift's automatic differentiation of the loss written a second time for it
  /// (`DifferentiableLoss`), or nil where the toolchain has no `_Differentiation`.
  func automaticGradient(_ theta: UnsafeBufferPointer<Double>, _ example: Example) -> [Double]?
}

extension PerExampleModel {
  /// Not stated: measured on the data (`roundingDepth`).
  public var operationDepth: Int { 0 }

  /// The depth the rounding bounds of C1 use: `operationDepth` when the model states it, else 2D + 2, D the
  /// longest chain of operations from θ to any example's loss at θ (run in `OperationChainNumber`). A
  /// gradient entry by reverse mode retraces one forward chain backwards, each step one operation on a
  /// forward value of depth ≤ D, and every fan-out its pass sums is a chain of the forward pass too; the
  /// complex step carries its derivative along the forward chain itself. Hence 2D, and 2 for the last
  /// product and sum. Over-estimating only loosens the bound.
  ///
  /// - Complexity: one pass of the loss over the data.
  public func roundingDepth(theta: [Double], data: Dataset) -> Int {
    guard operationDepth <= 0 else { return operationDepth }
    let chains = losses(theta.map { OperationChainNumber($0) }, data: data).map(\.depth)
    return 2 * (chains.max() ?? 0) + 2
  }

  /// No automatic-differentiation oracle: the column is left empty with a note.
  public func automaticGradient(_ theta: UnsafeBufferPointer<Double>, _ example: Example) -> [Double]? { nil }
}

extension Dataset {
  /// Calls `body` with example i as a model sees it.
  @inlinable public func withExample<R>(_ i: Int, _ body: (Example) throws -> R) rethrows -> R {
    let d = featureCount
    return try features.withUnsafeBufferPointer { all in
      try body(
        Example(
          features: UnsafeBufferPointer(rebasing: all[(i * d)..<(i * d + d)]), target: targets[i], index: i))
    }
  }
}

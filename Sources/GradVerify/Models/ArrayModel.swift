/// A per-example model written with arrays only, no pointers: what to implement to check your own model.
///
/// Write the loss once, generically over `LossScalar` (it is then evaluated in `Double`, in complex-step
/// arithmetic and with a running rounding bound), and its hand-written gradient; wrap it in
/// `ArrayModelAdapter` to use it wherever a `PerExampleModel` goes, e.g. `LinearityCheck` for claim C1:
///
/// ```swift
/// struct Huber: ArrayModel {
///   var parameterCount: Int { 2 }
///   func loss<S: LossScalar>(theta: [S], features: [Double], target: Double) -> S { … }
///   func lossAndGradient(theta: [Double], features: [Double], target: Double) -> (loss: Double, gradient: [Double]) { … }
/// }
/// let check = LinearityCheck(model: ArrayModelAdapter(Huber()), data: data, theta: [0.5, -1])
/// print(check.verdict)
/// ```
/// The adapter copies θ and the features into arrays on every call: simple and safe, and slower than a
/// `PerExampleModel` written on buffers (the built-in models are).
public protocol ArrayModel: Sendable {
  /// P, the length of θ.
  var parameterCount: Int { get }
  /// The longest chain of floating-point operations from θ to one gradient entry, for the rounding bound
  /// of the complex-step comparison (an over-estimate only loosens that bound); 0, the default, has the
  /// harness measure it on the data (`PerExampleModel.roundingDepth`).
  var operationDepth: Int { get }
  /// The θ layout in words, for messages.
  var layout: String { get }

  /// L(x, θ) in the arithmetic of `S`.
  func loss<S: LossScalar>(theta: [S], features: [Double], target: Double) -> S

  /// L(x, θ) in `Double` and ∇θ L (P entries).
  func lossAndGradient(theta: [Double], features: [Double], target: Double) -> (loss: Double, gradient: [Double])
}

extension ArrayModel {
  public var layout: String { "θ of \(parameterCount) entries" }
  public var operationDepth: Int { 0 }
}

/// An `ArrayModel` as a `PerExampleModel`.
public struct ArrayModelAdapter<Model: ArrayModel>: PerExampleModel {
  public let model: Model

  public init(_ model: Model) { self.model = model }

  public var parameterCount: Int { model.parameterCount }
  public var operationDepth: Int { model.operationDepth }
  public var layout: String { model.layout }

  public func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    model.loss(theta: Array(theta), features: Array(example.features), target: example.target)
  }

  public func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let (loss, g) = model.lossAndGradient(theta: Array(theta), features: Array(example.features), target: example.target)
    precondition(g.count == gradient.count, "\(Model.self).lossAndGradient returned \(g.count) entries for P = \(gradient.count)")
    for (k, v) in g.enumerated() { gradient[k] = v }
    return loss
  }
}

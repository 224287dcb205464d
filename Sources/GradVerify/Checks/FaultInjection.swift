/// A deliberate bug: one coordinate of the per-example gradient scaled by (1 + relative), in every
/// example or in one. It shows that each verdict can fail: the harness must catch it.
package struct GradientFault: Sendable, Equatable {
  /// The θ coordinate whose gradient entry is wrong.
  public var coordinate: Int
  /// The relative size of the error, e.g. 1e-6.
  public var relative: Double
  /// Only this example is wrong, or every example when nil.
  public var example: Int?

  public init(coordinate: Int, relative: Double, example: Int? = nil) {
    self.coordinate = coordinate
    self.relative = relative
    self.example = example
  }
}

/// A model whose losses are `base`'s and whose gradient carries `fault`.
package struct FaultyModel<Base: PerExampleModel>: PerExampleModel {
  public let base: Base
  public let fault: GradientFault

  public init(_ base: Base, fault: GradientFault) {
    precondition(fault.coordinate >= 0 && fault.coordinate < base.parameterCount, "fault coordinate out of range")
    self.base = base
    self.fault = fault
  }

  public var parameterCount: Int { base.parameterCount }
  public var operationDepth: Int { base.operationDepth }
  public var layout: String { base.layout }

  @inlinable public func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    base.loss(theta, example)
  }

  @inlinable public func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let l = base.lossAndGradient(theta, example, into: gradient)
    if fault.example == nil || fault.example == example.index {
      gradient[fault.coordinate] *= 1 + fault.relative
    }
    return l
  }

  /// The base model's automatic gradient: it differentiates the loss, so the fault shows against it.
  public func automaticGradient(_ theta: UnsafeBufferPointer<Double>, _ example: Example) -> [Double]? {
    base.automaticGradient(theta, example)
  }
}

/// A value with the length of the longest chain of floating-point operations that produced it: θ's entries,
/// the data and constants start at 0, and every operation (+ − × ÷, negation, exp, log, log1p, tanh) adds
/// one to the longer chain among its operands. A loss evaluated in it measures its forward depth D, from
/// which a model that does not state its `operationDepth` gets one (`PerExampleModel.roundingDepth`).
package struct OperationChainNumber: LossScalar {
  public var value: Double
  /// The longest chain of operations behind `value`.
  public var depth: Int

  @inlinable init(_ value: Double, depth: Int) {
    self.value = value
    self.depth = depth
  }
  @inlinable public init(_ value: Double) { self.init(value, depth: 0) }
  @inlinable public var real: Double { value }

  @inlinable static func after(_ value: Double, _ a: Self, _ b: Self? = nil) -> Self {
    Self(value, depth: Swift.max(a.depth, b?.depth ?? 0) + 1)
  }
  @inlinable public static func + (a: Self, b: Self) -> Self { after(a.value + b.value, a, b) }
  @inlinable public static func - (a: Self, b: Self) -> Self { after(a.value - b.value, a, b) }
  @inlinable public static func * (a: Self, b: Self) -> Self { after(a.value * b.value, a, b) }
  @inlinable public static func * (a: Self, b: Double) -> Self { after(a.value * b, a) }
  @inlinable public static func / (a: Self, b: Self) -> Self { after(a.value / b.value, a, b) }
  @inlinable public static prefix func - (a: Self) -> Self { after(-a.value, a) }
  @inlinable public static func exp(_ x: Self) -> Self { after(Foundation_exp(x.value), x) }
  @inlinable public static func log(_ x: Self) -> Self { after(Foundation_log(x.value), x) }
  @inlinable public static func log1p(_ x: Self) -> Self { after(Foundation_log1p(x.value), x) }
  @inlinable public static func tanh(_ x: Self) -> Self { after(Foundation_tanh(x.value), x) }
}

/// The arithmetic a per-example loss needs, so that one generic loss serves both real evaluation
/// (`Double`) and complex-step differentiation (`ComplexStepNumber`).
///
/// Stable forms branch on the sign of a real quantity (`real`); both branches are analytic
/// continuations of the same function, so the complex step sees the same derivative.
public protocol LossScalar: Sendable {
  init(_ value: Double)
  /// The real part: what stable formulas compare and branch on.
  var real: Double { get }
  static func + (a: Self, b: Self) -> Self
  static func - (a: Self, b: Self) -> Self
  static func * (a: Self, b: Self) -> Self
  static func * (a: Self, b: Double) -> Self
  static func / (a: Self, b: Self) -> Self
  static prefix func - (a: Self) -> Self
  static func exp(_ x: Self) -> Self
  static func log(_ x: Self) -> Self
  static func log1p(_ x: Self) -> Self
  static func tanh(_ x: Self) -> Self
}

extension LossScalar {
  @inlinable public static func + (a: Self, b: Double) -> Self { a + Self(b) }
  @inlinable public static func - (a: Self, b: Double) -> Self { a - Self(b) }
  @inlinable public static func += (a: inout Self, b: Self) { a = a + b }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension Double: LossScalar {
  @inlinable public var real: Double { self }
  @inlinable public static func exp(_ x: Double) -> Double { Foundation_exp(x) }
  @inlinable public static func log(_ x: Double) -> Double { Foundation_log(x) }
  @inlinable public static func log1p(_ x: Double) -> Double { Foundation_log1p(x) }
  @inlinable public static func tanh(_ x: Double) -> Double { Foundation_tanh(x) }
}

// libm entry points under names that do not collide with the protocol's static requirements.
@inlinable func Foundation_exp(_ x: Double) -> Double { exp(x) }
@inlinable func Foundation_log(_ x: Double) -> Double { log(x) }
@inlinable func Foundation_log1p(_ x: Double) -> Double { log1p(x) }
@inlinable package func Foundation_log10(_ x: Double) -> Double { log10(x) }
@inlinable func Foundation_tanh(_ x: Double) -> Double { tanh(x) }
@inlinable func Foundation_cos(_ x: Double) -> Double { cos(x) }
@inlinable func Foundation_sin(_ x: Double) -> Double { sin(x) }
@inlinable func Foundation_cosh(_ x: Double) -> Double { cosh(x) }
@inlinable func Foundation_sinh(_ x: Double) -> Double { sinh(x) }
@inlinable func Foundation_atan2(_ y: Double, _ x: Double) -> Double { atan2(y, x) }
@inlinable func Foundation_expm1(_ x: Double) -> Double { expm1(x) }
@inlinable func Foundation_hypot(_ x: Double, _ y: Double) -> Double { hypot(x, y) }

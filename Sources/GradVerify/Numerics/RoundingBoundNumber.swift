/// A value with a running bound on the rounding error it has gathered, for the rounding term of a
/// finite-difference error estimate.
///
/// Each operation adds the propagated input bounds (first order, plus the product term) and its own
/// rounding: u|v| for + − × ÷ (u = 2⁻⁵³), 4u|v| for exp, log, log1p, tanh (libm is accurate to ≲ 2 ulp).
/// Input data and θ are taken as exact: the bound is on the evaluation of L at those numbers.
///
/// ```
/// a ± b: e = eₐ + e_b + u|v|          a·b: e = |a|e_b + |b|eₐ + eₐe_b + u|v|
/// exp a: e = v·expm1(eₐ) + 4u v        log a: e = eₐ/(|a| − eₐ) + 4u|v|
/// ```
///
/// J. H. Wilkinson, "Error analysis revisited", IMA Bull. 22 (1986); N. J. Higham, "Accuracy and
/// Stability of Numerical Algorithms", 2nd ed., SIAM 2002, §3.3 (running error analysis), doi:10.1137/1.9780898718027.
package struct RoundingBoundNumber: LossScalar {
  public var value: Double
  /// A bound on |computed − exact| for `value`.
  public var bound: Double

  public static let unitRoundoff = 0x1p-53
  @usableFromInline static let libm = 4 * unitRoundoff

  @inlinable public init(_ value: Double, bound: Double) {
    self.value = value
    self.bound = bound
  }
  @inlinable public init(_ value: Double) { self.init(value, bound: 0) }
  @inlinable public var real: Double { value }

  @inlinable static func rounded(_ v: Double, _ e: Double, _ rel: Double = unitRoundoff) -> Self {
    Self(v, bound: e + rel * Swift.abs(v))
  }
  @inlinable public static func + (a: Self, b: Self) -> Self { rounded(a.value + b.value, a.bound + b.bound) }
  @inlinable public static func - (a: Self, b: Self) -> Self { rounded(a.value - b.value, a.bound + b.bound) }
  @inlinable public static prefix func - (a: Self) -> Self { Self(-a.value, bound: a.bound) }
  @inlinable public static func * (a: Self, b: Double) -> Self {
    rounded(a.value * b, Swift.abs(b) * a.bound)
  }
  @inlinable public static func * (a: Self, b: Self) -> Self {
    rounded(
      a.value * b.value,
      Swift.abs(a.value) * b.bound + Swift.abs(b.value) * a.bound + a.bound * b.bound)
  }
  @inlinable public static func / (a: Self, b: Self) -> Self {
    let v = a.value / b.value
    let margin = Swift.abs(b.value) - b.bound
    let e = margin > 0 ? (a.bound + Swift.abs(v) * b.bound) / margin : .infinity
    return rounded(v, e)
  }
  @inlinable public static func exp(_ a: Self) -> Self {
    let v = Double.exp(a.value)
    return rounded(v, v * Foundation_expm1(a.bound), libm)
  }
  @inlinable public static func log(_ a: Self) -> Self {
    let margin = Swift.abs(a.value) - a.bound
    return rounded(Double.log(a.value), margin > 0 ? a.bound / margin : .infinity, libm)
  }
  @inlinable public static func log1p(_ a: Self) -> Self {
    let margin = 1 + a.value - a.bound
    return rounded(Double.log1p(a.value), margin > 0 ? a.bound / margin : .infinity, libm)
  }
  /// |tanh(x+δ) − tanh x| ≤ sech²(x)|δ| + 0.4δ² (|tanh''| ≤ 4/(3√3) < 0.8).
  @inlinable public static func tanh(_ a: Self) -> Self {
    let v = Double.tanh(a.value)
    return rounded(v, (1 - v * v) * a.bound + 0.4 * a.bound * a.bound, libm)
  }
}

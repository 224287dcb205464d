/// A complex number a + ib for complex-step differentiation: f'(x) ≈ Im f(x + ih) / h.
///
/// ```
/// f(x + ih) = f(x) + ih f'(x) − h² f''(x)/2 − ih³ f'''(x)/6 + …   ⇒   Im f(x + ih)/h = f'(x) + O(h²)
/// ```
///
/// No difference of nearby values is ever taken, so with h = 1e-20 the truncation term is ~1e-40 and
/// the result is exact to a few rounding errors of the derivative itself.
///
/// J. N. Lyness and C. B. Moler, "Numerical differentiation of analytic functions", SIAM J. Numer.
/// Anal. 4 (1967) 202–210, doi:10.1137/0704019; W. Squire and G. Trapp, SIAM Review 40 (1998) 110–112,
/// doi:10.1137/S003614459631241X.
package struct ComplexStepNumber: LossScalar, Equatable {
  public var re: Double
  public var im: Double

  @inlinable public init(_ re: Double, _ im: Double) {
    self.re = re
    self.im = im
  }
  @inlinable public init(_ value: Double) { self.init(value, 0) }
  @inlinable public var real: Double { re }

  @inlinable public static func + (a: Self, b: Self) -> Self { Self(a.re + b.re, a.im + b.im) }
  @inlinable public static func - (a: Self, b: Self) -> Self { Self(a.re - b.re, a.im - b.im) }
  @inlinable public static prefix func - (a: Self) -> Self { Self(-a.re, -a.im) }
  @inlinable public static func * (a: Self, b: Double) -> Self { Self(a.re * b, a.im * b) }
  @inlinable public static func * (a: Self, b: Self) -> Self {
    Self(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
  }
  @inlinable public static func / (a: Self, b: Self) -> Self {
    // Smith's algorithm: no overflow from squaring |b|.
    if Swift.abs(b.re) >= Swift.abs(b.im) {
      let r = b.im / b.re
      let den = b.re + b.im * r
      return Self((a.re + a.im * r) / den, (a.im - a.re * r) / den)
    } else {
      let r = b.re / b.im
      let den = b.re * r + b.im
      return Self((a.re * r + a.im) / den, (a.im * r - a.re) / den)
    }
  }
  /// e^(a+ib) = e^a (cos b + i sin b)
  @inlinable public static func exp(_ x: Self) -> Self {
    let m = Foundation_exp(x.re)
    return Self(m * Foundation_cos(x.im), m * Foundation_sin(x.im))
  }
  /// log(a+ib) = log|a+ib| + i atan2(b, a)
  @inlinable public static func log(_ x: Self) -> Self {
    Self(Foundation_log(Foundation_hypot(x.re, x.im)), Foundation_atan2(x.im, x.re))
  }
  /// log(1+z) = log1p(a) + ½ log1p((b/(1+a))²) + i atan2(b, 1 + a) for 1 + a > 0: no overflow for large a
  /// and no cancellation near a = −1; log|1 + z| by hypot otherwise.
  @inlinable public static func log1p(_ x: Self) -> Self {
    let onePlus = 1 + x.re
    let re: Double
    if onePlus > 0 {
      let t = x.im / onePlus
      re = Foundation_log1p(x.re) + 0.5 * Foundation_log1p(t * t)
    } else {
      re = Foundation_log(Foundation_hypot(onePlus, x.im))
    }
    return Self(re, Foundation_atan2(x.im, onePlus))
  }
  /// tanh(a+ib) = (sinh 2a + i sin 2b) / (cosh 2a + cos 2b), with the saturated limit for large |a|.
  @inlinable public static func tanh(_ x: Self) -> Self {
    if Swift.abs(x.re) > 20 {
      // cosh 2a ≥ e^40/2: the imaginary part is 2 sin 2b · e^(−2|a|) and the real part ±1 to ulp.
      let s: Double = x.re > 0 ? 1 : -1
      return Self(s, 4 * Foundation_sin(x.im) * Foundation_cos(x.im) * Foundation_exp(-2 * Swift.abs(x.re)))
    }
    let den = Foundation_cosh(2 * x.re) + Foundation_cos(2 * x.im)
    return Self(Foundation_sinh(2 * x.re) / den, Foundation_sin(2 * x.im) / den)
  }
}

/// The points of a central finite-difference stencil θⱼ + k·h, with h a power of two so that k·h is exact,
/// and the representation error of each point measured exactly (TwoSum).
///
/// Steps follow the usual balance of truncation against rounding:
/// h ≈ eps^(1/5)·max(1, |θⱼ|) for 5-point differences, eps^(1/3)·max(1, |θⱼ|) for 3-point ones.
package struct CentralStencil: Sendable {
  /// The centre θⱼ, restored from this saved copy, never by subtracting the step back.
  public let centre: Double
  /// The step h (a power of two).
  public let step: Double
  /// The multiples k of the step.
  public let multiples: [Double]
  /// fl(θⱼ + k·h) for each k.
  public let points: [Double]
  /// (θⱼ + k·h) − fl(θⱼ + k·h), exactly; zero when the point is exactly representable.
  public let representationErrors: [Double]

  public static let epsilon = Double.ulpOfOne

  /// The power of two nearest to eps^order · max(1, |x|).
  public static func step(near x: Double, order: Double) -> Double {
    let nominal = Foundation_pow(epsilon, order) * Swift.max(1, Swift.abs(x))
    return Foundation_exp2((Foundation_log2(nominal)).rounded())
  }

  public init(centre: Double, step: Double, multiples: [Double]) {
    self.centre = centre
    self.step = step
    self.multiples = multiples
    var points: [Double] = []
    var errors: [Double] = []
    for k in multiples {
      let offset = k * step  // exact: k is a small power of two (or its negative) times an integer
      let s = centre + offset
      // Knuth's TwoSum: the exact rounding error of centre + offset.
      let bv = s - centre
      let av = s - bv
      errors.append((centre - av) + (offset - bv))
      points.append(s)
    }
    self.points = points
    self.representationErrors = errors
  }

  /// True when every point is exactly θⱼ + k·h.
  public var isExact: Bool { representationErrors.allSatisfy { $0 == 0 } }

  /// Every example's loss at each point: θ with coordinate j moved to the point (θ itself is not touched).
  public func perExampleLosses<M: PerExampleModel>(
    model: M, theta: [Double], coordinate j: Int, data: Dataset
  ) -> [[Double]] {
    var work = theta
    return points.map { x in
      work[j] = x
      return model.losses(work, data: data)
    }
  }

  /// The cost C = (1/N) Σᵢ L (compensated) at each point.
  public func costs<M: PerExampleModel>(model: M, theta: [Double], coordinate j: Int, data: Dataset) -> [Double] {
    perExampleLosses(model: model, theta: theta, coordinate: j, data: data).map { $0.compensatedSum() / Double(data.count) }
  }
}

/// A 5-point central difference with its error estimate and tolerance.
///
/// ```
/// D(h)  = [f(−2h) − 8f(−h) + 8f(h) − f(2h)] / 12h              error  −h⁴ f⁽⁵⁾/30 + O(h⁶)
/// Ê     = |D(h) − D(2h)|/15  +  (18 δ + 72 u |f|)/12h  +  |D| Σ|cₖ||eₖ|/12h
/// τ     = max(10 Ê, 1e-7 |D|)
/// ```
/// The first term of Ê is the truncation error by Richardson's argument (D(2h) has 16× the error of D(h));
/// the second is rounding, with δ a bound on the error of each evaluation of f; the third covers stencil
/// points that are not exactly representable (eₖ their representation errors).
package struct FivePointDerivative: Sendable {
  public let estimate: Double
  public let truncation: Double
  public let rounding: Double
  public let stepError: Double

  /// The per-coordinate error estimate Ê.
  public var errorEstimate: Double { truncation + rounding + stepError }
  /// The tolerance τ against which |D − g| is judged.
  public var tolerance: Double { Swift.max(10 * errorEstimate, 1e-7 * Swift.abs(estimate)) }

  /// The stencil multiples this derivative expects its values at, in order.
  public static let multiples: [Double] = [-4, -2, -1, 1, 2, 4]

  /// - Parameters:
  ///   - f: values at θ + k·h for k in `multiples` order (−4, −2, −1, 1, 2, 4).
  ///   - h: the step.
  ///   - evaluationError: δ, a bound on the rounding error of one evaluation of f.
  ///   - representationErrors: eₖ of the stencil points, same order.
  @inlinable public init(values f: [Double], step h: Double, evaluationError delta: Double, representationErrors e: [Double]) {
    let d1 = ((f[1] - 8 * f[2]) + (8 * f[3] - f[4])) / (12 * h)
    let d2 = ((f[0] - 8 * f[1]) + (8 * f[4] - f[5])) / (24 * h)
    var magnitude = 0.0
    for v in f { magnitude = Swift.max(magnitude, Swift.abs(v)) }
    let u = RoundingBoundNumber.unitRoundoff
    estimate = d1
    truncation = Swift.abs(d1 - d2) / 15
    rounding = (18 * delta + 72 * u * magnitude) / (12 * h)
    stepError = Swift.abs(d1) * (Swift.abs(e[1]) + 8 * Swift.abs(e[2]) + 8 * Swift.abs(e[3]) + Swift.abs(e[4])) / (12 * h)
  }
}

extension FivePointDerivative {
  /// The 5-point derivative of f along θⱼ: the stencil built at θⱼ (power-of-two step eps^(1/5)·max(1, |θⱼ|)),
  /// f evaluated at each point with θⱼ set from the saved copy, never by subtracting a step back.
  public init(of f: ([Double]) -> Double, at theta: [Double], coordinate j: Int, evaluationError delta: Double) {
    let stencil = CentralStencil(
      centre: theta[j], step: CentralStencil.step(near: theta[j], order: 0.2), multiples: Self.multiples)
    var work = theta
    let values = stencil.points.map { x -> Double in
      work[j] = x
      return f(work)
    }
    self.init(values: values, step: stencil.step, evaluationError: delta, representationErrors: stencil.representationErrors)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
@inlinable func Foundation_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inlinable func Foundation_exp2(_ x: Double) -> Double { exp2(x) }
@inlinable func Foundation_log2(_ x: Double) -> Double { log2(x) }

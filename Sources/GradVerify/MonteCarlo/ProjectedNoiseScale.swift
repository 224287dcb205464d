import Foundation

/// What a projected population (`SketchProjection`, y_i = S g_i, S = R/√K) says about the gradients it
/// came from: tr Σ_N, ‖g‖² and B_simple = tr Σ_N/‖g‖², each with an interval over the sketch's randomness.
///
/// Row k of R gives the pair (T_k, U_k) = (r_kᵀ Σ_N r_k, (r_k·g)²) = (K·Var_N y_·k, K·ȳ_k²); the K pairs
/// are independent and identically distributed given the gradients, with E T_k = tr Σ_N and E U_k = ‖g‖².
/// So T̄ = tr(S Σ_N Sᵀ) and Ū = ‖S g‖² are unbiased, and B̂ = T̄/Ū is a ratio estimator. The terms are
/// nonnegative and right-skewed (the Gaussian sketch's U_k/‖g‖² is χ²₁), so the intervals are the delta
/// method's on the log scale: log T̄ ± t·sd(T)/(√K·T̄), likewise for Ū, and log B̂ ± t·sd(T/T̄ − U/Ū)/√K
/// (W. G. Cochran, Sampling Techniques, 3rd ed. (1977), §6.4, for the ratio). t is Student's quantile with
/// K − 1 degrees of freedom (Cornish–Fisher expansion, Abramowitz and Stegun 26.7.5). Measured coverage:
/// `ProjectionTests`.
package struct ProjectedNoiseScale: Sendable, Equatable {
  public struct Estimate: Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double

    public func contains(_ x: Double) -> Bool { low <= x && x <= high }
  }

  /// The two-sided level of the intervals.
  public static let confidence = 0.99
  /// The fewest sketch rows whose intervals are stated (`SketchProjection.dimensions`).
  public static let minimumDimension = SketchProjection.dimensions.lowerBound

  public var traceSigma: Estimate
  public var meanNormSquared: Estimate
  public var simpleNoiseScale: Estimate

  /// From the projected population (K = its dimension ≥ `minimumDimension`).
  public init(projected y: GradientPopulation) {
    let (n, k) = (y.count, y.dimension)
    precondition(k >= Self.minimumDimension, "K must be at least \(Self.minimumDimension)")
    var t = [Double](repeating: 0, count: k)
    for c in 0..<k {
      var s = NeumaierSum()
      for i in 0..<n {
        let d = y.rows[i * k + c] - y.mean[c]
        s.add(d * d)
      }
      t[c] = Double(k) * s.value / Double(n)
    }
    let u = y.mean.map { Double(k) * $0 * $0 }
    let tq = Self.studentQuantile(1 - (1 - Self.confidence) / 2, degrees: k - 1)
    func mean(_ x: [Double]) -> Double { x.compensatedSum() / Double(x.count) }
    func sd(_ x: [Double]) -> Double {
      let m = mean(x)
      return (x.map { ($0 - m) * ($0 - m) }.compensatedSum() / Double(x.count - 1)).squareRoot()
    }
    let root = Double(k).squareRoot()
    let (tBar, uBar) = (mean(t), mean(u))
    // On the log scale (the terms are nonnegative and right-skewed, like χ²₁ for the Gaussian sketch's U_k):
    // log x̄ ± t·sd(x)/(√K·x̄), and for the ratio log B̂ ± t·sd(T/T̄ − U/Ū)/√K.
    func interval(_ value: Double, relativeSpread: Double) -> Estimate {
      let half = tq * relativeSpread / root
      return Estimate(value: value, low: value * Foundation.exp(-half), high: value * Foundation.exp(half))
    }
    traceSigma = interval(tBar, relativeSpread: sd(t) / tBar)
    meanNormSquared = interval(uBar, relativeSpread: sd(u) / uBar)
    simpleNoiseScale = interval(tBar / uBar, relativeSpread: sd(zip(t, u).map { $0 / tBar - $1 / uBar }))
  }

  /// Student's t quantile by the Cornish–Fisher expansion in 1/ν about the normal quantile z:
  /// t ≈ z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²) + (3z⁷ + 19z⁵ + 17z³ − 15z)/(384ν³).
  static func studentQuantile(_ p: Double, degrees nu: Int) -> Double {
    let z = normalQuantile(p)
    let v = Double(nu)
    let (z3, z5, z7) = (z * z * z, z * z * z * z * z, z * z * z * z * z * z * z)
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
      + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
  }

  /// One line for the sweep's summary, to four significant digits.
  public func summary(sketch: SketchProjection) -> String {
    func text(_ e: Estimate) -> String {
      "\(fourDigits(e.value)) [\(fourDigits(e.low)), \(fourDigits(e.high))]"
    }
    return "projected by a \(sketch.dimension)-row \(sketch.kind.rawValue) sketch, the gradients' own figures "
      + "(\(Int(Self.confidence * 100))% intervals over the sketch): tr Σ_N \(text(traceSigma)), ‖g‖² \(text(meanNormSquared)), "
      + "B_simple \(text(simpleNoiseScale))"
  }

  private func fourDigits(_ x: Double) -> String { String(format: "%.4g", x) }
}

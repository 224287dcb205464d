import Foundation

/// The gradient noise scale of the given rows, exactly, and an interval for the population they were drawn
/// from, the rows taken as an i.i.d. sample of it:
///
/// ```
/// of the rows (exact):    tr Σ_N = (1/N) Σ‖dᵢ‖²,  ‖ḡ‖²,  B_N = tr Σ_N / ‖ḡ‖²          dᵢ = gᵢ − ḡ
/// of the population:      ŝ = (1/(N−1)) Σ‖dᵢ‖²  (unbiased for tr Σ),  Ĝ = ‖ḡ‖² − ŝ/N  (unbiased for ‖μ‖²),
///                         B̂ = ŝ / Ĝ
/// interval (delete-one jackknife on the log scale, Student's t with N − 1 degrees):
///   θ̂ = log B̂,  θ₋ᵢ from the N − 1 other rows,  V = ((N−1)/N) Σ(θ₋ᵢ − θ̄)²,  exp(θ̂ ± t·√V)
/// leaving row i out, in O(1) from eᵢ = ‖dᵢ‖² and hᵢ = dᵢ·ḡ:
///   ḡ₋ᵢ = ḡ − dᵢ/(N−1),  ‖ḡ₋ᵢ‖² = ‖ḡ‖² − 2hᵢ/(N−1) + eᵢ/(N−1)²,  ŝ₋ᵢ = (Σe − eᵢ·N/(N−1)) / (N−2)
/// ```
/// (B. Efron and C. Stein, "The jackknife estimate of variance", Ann. Statist. 9(3), 1981.) The same for tr Σ
/// and ‖μ‖². An estimate whose leave-one-out values are not all positive (‖μ‖² not resolved from zero by
/// these rows) gets no interval.
package struct SampledNoiseScale: Sendable {
  public struct Estimate: Sendable, Equatable {
    public var value: Double
    /// The 99% interval, nil when the leave-one-out values are not all positive.
    public var low: Double?
    public var high: Double?
  }

  public static let confidence = 0.99

  /// The rows' own figures, exact (the population's moments as the sweep forms them).
  public var traceSigmaOfRows: Double
  public var meanNormSquaredOfRows: Double
  public var simpleNoiseScaleOfRows: Double
  /// The population's, with intervals.
  public var traceSigma: Estimate
  public var meanNormSquared: Estimate
  public var simpleNoiseScale: Estimate
  public var count: Int

  public init(population p: GradientPopulation) {
    precondition(p.count >= 3, "a jackknife of B needs N ≥ 3")
    let (n, d) = (p.count, p.dimension)
    let nd = Double(n)
    var e = [Double](repeating: 0, count: n)
    var h = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var (ei, hi) = (0.0, 0.0)
      for j in 0..<d {
        let dij = p.rows[i * d + j] - p.mean[j]
        ei += dij * dij
        hi += dij * p.mean[j]
      }
      (e[i], h[i]) = (ei, hi)
    }
    let sumE = ExactSum(e).value
    let meanNorm = p.meanNormSquared
    traceSigmaOfRows = p.traceSigma
    meanNormSquaredOfRows = meanNorm
    simpleNoiseScaleOfRows = p.traceSigma / meanNorm
    count = n
    let s = sumE / (nd - 1)
    let g = meanNorm - s / nd
    let m = nd - 1
    var leaveOut: [(s: Double, g: Double)] = []
    for i in 0..<n {
      let si = (sumE - e[i] * nd / m) / (nd - 2)
      let normI = meanNorm - 2 * h[i] / m + e[i] / (m * m)
      leaveOut.append((si, normI - si / m))
    }
    let t = ProjectedNoiseScale.studentQuantile(1 - (1 - Self.confidence) / 2, degrees: n - 1)
    func estimate(_ value: Double, _ parts: [Double]) -> Estimate {
      guard value > 0, parts.allSatisfy({ $0 > 0 && $0.isFinite }) else { return Estimate(value: value) }
      let logs = parts.map { Foundation.log($0) }
      let centre = logs.reduce(0, +) / nd
      let variance = (nd - 1) / nd * logs.reduce(0) { $0 + ($1 - centre) * ($1 - centre) }
      let half = t * variance.squareRoot()
      return Estimate(value: value, low: value * Foundation.exp(-half), high: value * Foundation.exp(half))
    }
    traceSigma = estimate(s, leaveOut.map(\.s))
    meanNormSquared = estimate(g, leaveOut.map(\.g))
    simpleNoiseScale = estimate(s / g, leaveOut.map { $0.s / $0.g })
  }

  /// The figures by name, for `--json` (an interval's ends nil where it has none).
  public var figures: [String: Double?] {
    var f: [String: Double?] = [
      "trace_sigma": traceSigmaOfRows, "mean_norm_squared": meanNormSquaredOfRows, "b_simple": simpleNoiseScaleOfRows,
    ]
    for (name, e) in [("trace_sigma", traceSigma), ("mean_norm_squared", meanNormSquared), ("b_simple", simpleNoiseScale)] {
      f["population_\(name)"] = e.value
      f["population_\(name)_low"] = e.low
      f["population_\(name)_high"] = e.high
    }
    return f
  }

  /// One line, to four significant digits.
  public var summary: String {
    func text(_ e: Estimate) -> String {
      guard let low = e.low, let high = e.high else { return "\(fourDigits(e.value)) [no interval: not resolved from 0]" }
      return "\(fourDigits(e.value)) [\(fourDigits(low)), \(fourDigits(high))]"
    }
    return "the rows: tr Σ_N \(fourDigits(traceSigmaOfRows)), ‖g‖² \(fourDigits(meanNormSquaredOfRows)), B_simple "
      + "\(fourDigits(simpleNoiseScaleOfRows)); the population they were drawn from (\(Int(Self.confidence * 100))% "
      + "jackknife intervals): tr Σ \(text(traceSigma)), ‖μ‖² \(text(meanNormSquared)), B_simple \(text(simpleNoiseScale))"
  }

  private func fourDigits(_ x: Double) -> String { String(format: "%.4g", x) }
}

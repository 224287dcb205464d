/// The exact null law of one replicate of a sweep cell: the squared error e = ‖ḡ_b − g‖² and each
/// coordinate of ḡ_b − g, with their variances and third central moments.
///
/// ```
/// with replacement:    Var e = [Var a + 2(b−1) tr Σ_N²] / b³
///   κ₃(e) = { b μ₃(a) + 6b(b−1)‖v‖² + 12 b(b−1) w + 8 [C(b,2) m₃ + b(b−1)(b−2) tr Σ_N³] } / b⁶
/// without replacement: π_r = b^(r)/N^(r),  Q3 = A2 − Q2,  Q4 = A1² − 2Q2 − 4Q3
///   VarU = A2(π1 − π1²) + (A1² − A2)(π2 − π1²),   VarW = 2Q2π2 + 4Q3π3 + Q4π4 − π2²A1²
///   Cov = −2π2A2 + π3(2A2 − A1²) + π1π2A1²,        Var e = (VarU + VarW + 2Cov) / b⁴
/// Poisson(q = b/N), ÷ b: Var e = [q(1−q)(1−2q)² Σ‖gᵢ‖⁴ + 2q²(1−q)² Σ_{i≠j} (gᵢ·gⱼ)²] / b⁴
/// coordinate j:  with  μ₂ⱼ/b, μ₃ⱼ/b²;   without  (N−b)/(N−1) μ₂ⱼ/b, (N−b)(N−2b)/((N−1)(N−2)) μ₃ⱼ/b²;
///                Poisson  q(1−q) Σᵢgᵢⱼ²/b², q(1−q)(1−2q) Σᵢgᵢⱼ³/b³
/// ```
/// The without-replacement coordinate cumulant is the classical third cumulant of a sample mean from a
/// finite population (Kendall & Stuart, The Advanced Theory of Statistics, vol. 1, §12.20). Where no closed
/// form of κ₃(e) is used (without replacement, Poisson, or past `PopulationMoments.gramBudget`), it is nil and
/// the verdict estimates it from the draws.
package struct SquaredErrorLaw: Sendable {
  /// E e.
  public var mean: Double
  /// Var e.
  public var variance: Double
  /// κ₃(e), when a closed form is used.
  public var thirdCentralMoment: Double?
  /// Var(ḡ_b,j − g_j) and κ₃ of it, per coordinate.
  public var coordinateVariance: [Double]
  public var coordinateThirdMoment: [Double]

  /// The law of `sampler` at batch size b, or nil for the realised-size Poisson estimator (no closed form).
  public init?(sampler: SamplerKind, batch b: Int, population p: GradientPopulation, moments m: PopulationMoments) {
    guard
      let mean = sampler.theoreticalMSE(
        batch: b, count: p.count, traceSigma: p.traceSigma, gradientNormSquared: p.meanNormSquared)
    else { return nil }
    self.mean = mean
    let n = Double(p.count)
    let bd = Double(b)
    switch sampler {
    case .withReplacement:
      let varA = m.squaredDeviationVariance
      variance = Swift.max(0, varA + 2 * (bd - 1) * m.traceSigmaSquared) / (bd * bd * bd)
      thirdCentralMoment = m.thirdOrder.map { t in
        let pairs = bd * (bd - 1)
        let k3 = bd * t.squaredDeviationThirdMoment + 6 * pairs * t.weightedMeanNormSquared
          + 12 * pairs * t.covarianceWithQuadraticForm
          + 8 * (pairs / 2 * t.cubedInnerProductMean + pairs * (bd - 2) * t.traceSigmaCubed)
        let b3 = bd * bd * bd
        return k3 / (b3 * b3)
      }
      coordinateVariance = m.coordinateVariance.map { $0 / bd }
      coordinateThirdMoment = m.coordinateThirdMoment.map { $0 / (bd * bd) }
    case .withoutReplacement:
      // π_r = b(b−1)…(b−r+1) / N(N−1)…(N−r+1), zero once r > b.
      var pi = [1.0]
      for r in 0..<4 { pi.append(pi[r] * Swift.max(0, bd - Double(r)) / Swift.max(1, n - Double(r))) }
      let (a1, a2, q2) = (m.a1, m.a2, m.q2)
      let q3 = a2 - q2
      let q4 = a1 * a1 - 2 * q2 - 4 * q3
      let varU = a2 * (pi[1] - pi[1] * pi[1]) + (a1 * a1 - a2) * (pi[2] - pi[1] * pi[1])
      let varW = 2 * q2 * pi[2] + 4 * q3 * pi[3] + q4 * pi[4] - pi[2] * pi[2] * a1 * a1
      let cov = -2 * pi[2] * a2 + pi[3] * (2 * a2 - a1 * a1) + pi[1] * pi[2] * a1 * a1
      let b2 = bd * bd
      if b >= p.count {
        variance = 0
      } else if p.count >= 4 {
        variance = Self.withoutReplacementVariance(count: p.count, batch: b, moments: m)
      } else {
        variance = Swift.max(0, varU + varW + 2 * cov) / (b2 * b2)
      }
      thirdCentralMoment = b >= p.count ? 0 : nil
      let finite = p.count > 1 ? (n - bd) / (n - 1) : 0
      let finite3 = p.count > 2 ? (n - bd) * (n - 2 * bd) / ((n - 1) * (n - 2)) : 0
      coordinateVariance = m.coordinateVariance.map { finite * $0 / bd }
      coordinateThirdMoment = m.coordinateThirdMoment.map { finite3 * $0 / (bd * bd) }
    case .poisson:
      let q = bd / n
      let b2 = bd * bd
      variance = (q * (1 - q) * (1 - 2 * q) * (1 - 2 * q) * m.rawFourthSum
        + 2 * q * q * (1 - q) * (1 - q) * m.rawCrossSquareSum) / (b2 * b2)
      thirdCentralMoment = q >= 1 ? 0 : nil
      coordinateVariance = m.coordinateRawSquareSum.map { q * (1 - q) * $0 / b2 }
      coordinateThirdMoment = m.coordinateRawCubeSum.map { q * (1 - q) * (1 - 2 * q) * $0 / (b2 * bd) }
    case .poissonRealized:
      return nil
    }
  }

  /// Var e without replacement in centred sums, N ≥ 4: the raw form above is the same polynomial, but its
  /// terms of size A1² cancel to the last digit as b nears N (at b = N − 1 it is V/(N − 1)⁴ exactly).
  ///
  /// ```
  /// b⁴ Var e = b(N−b)·[((N − 2b)² − N + 2)·V + 2(b − 1)(N − b − 1)·W/N] / ((N − 1)(N − 2)(N − 3))
  /// V = (1/N) Σ (aᵢ − ā)²,   W = Σ_{i≠j} (cᵢⱼ − c̄)²,   c̄ = −ā/(N − 1)
  /// ```
  /// Obtained from VarU + VarW + 2Cov by writing A2 = N·V + A1²/N and Q2 = W + A1²/(N(N − 1)): every
  /// A1² term cancels exactly in the algebra, so none is left to cancel in floating point.
  static func withoutReplacementVariance(count: Int, batch b: Int, moments m: PopulationMoments) -> Double {
    let (n, bd) = (Double(count), Double(b))
    let spread = (n - 2 * bd) * (n - 2 * bd) - n + 2
    let pairs = 2 * (bd - 1) * (n - bd - 1)
    let inner = spread * m.squaredDeviationVariance + pairs * (m.centredOffDiagonalSquares / n)
    let b2 = bd * bd
    return Swift.max(0, bd * (n - bd) * inner / ((n - 1) * (n - 2) * (n - 3)) / (b2 * b2))
  }
}

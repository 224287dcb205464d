import Foundation

/// Bennett's bound on the lower tail of a mean of R independent nonnegative draws Xᵣ with mean μ and
/// variance σ². Each Yᵣ = μ − Xᵣ is at most μ, so (G. Bennett, "Probability inequalities for the sum of
/// independent random variables", J. Amer. Statist. Assoc. 57 (1962) 33–45; W. Hoeffding 1963, eq. 2.8):
///
/// ```
/// P(X̄ ≤ μ − t) ≤ exp(−R·(σ²/μ²)·h(t·μ/σ²)),   h(u) = (1 + u)·ln(1 + u) − u
/// ```
/// valid for any law of X ≥ 0 and any R, so it holds where a moment-matched approximation (Pearson type
/// III at small R) does not; its exponent tends to the normal one, −R·t²/(2σ²), as t·μ/σ² → 0.
public func bennettLowerTail(deficit t: Double, mean mu: Double, variance: Double, draws r: Int) -> Double {
  guard t > 0 else { return 1 }
  guard mu > 0, variance > 0 else { return 0 }
  let u = t * mu / variance
  // h(u) without cancellation for small u: u²/2 − u³/6 + u⁴/12.
  let h = u < 1e-4 ? u * u * (0.5 - u / 6 + u * u / 12) : (1 + u) * Foundation.log1p(u) - u
  return Foundation.exp(-Double(r) * (variance / (mu * mu)) * h)
}

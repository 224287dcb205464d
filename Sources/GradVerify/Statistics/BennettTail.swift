import Foundation

/// Bennett's bound on one tail of a mean of R independent draws Yᵣ with mean 0, variance σ² and Yᵣ ≤ M
/// (G. Bennett, "Probability inequalities for the sum of independent random variables", J. Amer. Statist.
/// Assoc. 57 (1962) 33–45; W. Hoeffding 1963, eq. 2.8):
///
/// ```
/// P(Ȳ ≥ t) ≤ exp(−R·(σ²/M²)·h(t·M/σ²)),   h(u) = (1 + u)·ln(1 + u) − u
/// ```
/// valid for any law and any R, so it holds where a moment-matched approximation (Pearson type III at
/// small R, or with a rare far example) does not; its exponent tends to the normal one, −R·t²/(2σ²), as
/// t·M/σ² → 0.
package func bennettTail(excess t: Double, bound m: Double, variance: Double, draws r: Int) -> Double {
  guard t > 0 else { return 1 }
  guard m > 0, variance > 0 else { return 0 }
  let u = t * m / variance
  // h(u) without cancellation for small u: u²/2 − u³/6 + u⁴/12.
  let h = u < 1e-4 ? u * u * (0.5 - u / 6 + u * u / 12) : (1 + u) * Foundation.log1p(u) - u
  return Foundation.exp(-Double(r) * (variance / (m * m)) * h)
}

/// The lower tail of a mean of nonnegative draws X with mean μ: Y = μ − X is at most μ, so
/// P(X̄ ≤ μ − t) ≤ exp(−R·(σ²/μ²)·h(t·μ/σ²)).
package func bennettLowerTail(deficit t: Double, mean mu: Double, variance: Double, draws r: Int) -> Double {
  bennettTail(excess: t, bound: mu, variance: variance, draws: r)
}

import Foundation

/// P(X ≤ k) for X ~ Binomial(n, p), its terms summed in log space.
///
/// ```
/// P(X = i) = exp(ln n! − ln i! − ln (n−i)! + i·ln p + (n−i)·ln(1−p)),   ln m! = lnΓ(m+1)
/// ```
package func binomialCDF(_ k: Int, trials n: Int, probability p: Double) -> Double {
  binomialCDF(k, trials: n, probability: p, logFactorials: logFactorials(upTo: n))
}

/// ln m! for m = 0…n.
func logFactorials(upTo n: Int) -> [Double] { (0...n).map { lgamma(Double($0 + 1)) } }

func binomialCDF(_ k: Int, trials n: Int, probability p: Double, logFactorials: [Double]) -> Double {
  precondition(n >= 0 && p >= 0 && p <= 1 && logFactorials.count > n, "need n ≥ 0 and 0 ≤ p ≤ 1")
  if k < 0 { return 0 }
  if k >= n || p == 0 { return 1 }
  if p == 1 { return 0 }
  let logP = Foundation.log(p)
  let logQ = Foundation.log1p(-p)
  var sum = NeumaierSum()
  for i in 0...k {
    sum.add(Foundation.exp(logFactorials[n] - logFactorials[i] - logFactorials[n - i] + Double(i) * logP + Double(n - i) * logQ))
  }
  return Swift.min(1, sum.value)
}

/// The Clopper–Pearson interval for a binomial probability after k successes in n trials, at confidence
/// 1 − γ: the values of p that neither one-sided exact binomial test rejects at γ/2.
///
/// ```
/// low:  P(X ≥ k | p_low)  = γ/2   (0 when k = 0)
/// high: P(X ≤ k | p_high) = γ/2   (1 when k = n)
/// ```
/// Each tail is monotone in p, so bisection finds the limit (60 halvings: to 1e-18 in p).
/// C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial limits illustrated in the case of the
/// binomial", Biometrika 26 (1934) 404–413, doi:10.1093/biomet/26.4.404.
package func clopperPearsonInterval(successes k: Int, trials n: Int, confidence: Double) -> (low: Double, high: Double) {
  precondition(n >= 1 && k >= 0 && k <= n && confidence > 0 && confidence < 1, "need 0 ≤ k ≤ n, n ≥ 1, 0 < confidence < 1")
  let tail = (1 - confidence) / 2
  let table = logFactorials(upTo: n)
  /// The p where `probability(p)`, rising or falling in p, equals γ/2.
  func crossing(rising: Bool, _ probability: (Double) -> Double) -> Double {
    var (lo, hi) = (0.0, 1.0)
    for _ in 0..<60 {
      let mid = (lo + hi) / 2
      if (probability(mid) < tail) == rising { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }
  let low = k == 0 ? 0 : crossing(rising: true) { 1 - binomialCDF(k - 1, trials: n, probability: $0, logFactorials: table) }
  let high = k == n ? 1 : crossing(rising: false) { binomialCDF(k, trials: n, probability: $0, logFactorials: table) }
  return (low, high)
}

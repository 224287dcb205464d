/// Higham's constant γₖ = k·u / (1 − k·u): k roundings of unit roundoff u perturb a value by a factor
/// within 1 ± γₖ (N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM 2002, Lemma
/// 3.1). Infinite when k·u ≥ 1, where the bound says nothing.
package func roundingGamma(_ k: Int, unitRoundoff u: Double) -> Double {
  let ku = Double(k) * u
  return ku < 1 ? ku / (1 - ku) : .infinity
}

/// ⌈log₂ n⌉ for n ≥ 1 (0 for n ≤ 1): the depth of pairwise summation of n terms.
package func ceilingLog2(_ n: Int) -> Int {
  n <= 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount
}

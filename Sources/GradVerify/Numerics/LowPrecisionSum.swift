/// Summation in a binary floating-point format of p significand bits, emulated exactly in binary64: each
/// operation is done in Double and rounded once to p bits, to nearest, ties to even. For + − × ÷ this
/// equals the correctly rounded p-bit operation because 53 ≥ 2p + 2 (S. A. Figueroa, "When is double
/// rounding innocuous?", ACM SIGNUM Newsletter 30(3), 1995). The exponent range is binary64's: no overflow
/// or underflow is modelled (values here are far from float32's and bfloat16's limits).
package enum LowPrecision: String, Sendable, CaseIterable, Codable {
  case float32
  case bfloat16

  /// Significand bits p, the implicit bit included.
  public var significandBits: Int {
    switch self {
    case .float32: 24
    case .bfloat16: 8
    }
  }

  /// u = 2⁻ᵖ.
  public var unitRoundoff: Double { Double(sign: .plus, exponent: -significandBits, significand: 1) }

  /// u of the next finer format: binary64's 2⁻⁵³ for float32, float32's 2⁻²⁴ for bfloat16.
  public var finerUnitRoundoff: Double {
    switch self {
    case .float32: RoundingBoundNumber.unitRoundoff
    case .bfloat16: LowPrecision.float32.unitRoundoff
    }
  }

  /// x rounded to p bits, to nearest, ties to even (on the bit pattern: the carry of a round-up moves into
  /// the exponent by itself).
  @inlinable public func round(_ x: Double) -> Double {
    guard x.isFinite, x != 0 else { return x }
    let drop = UInt64(53 - significandBits)
    let bits = x.bitPattern
    let mask: UInt64 = (1 << drop) - 1
    let half: UInt64 = 1 << (drop - 1)
    let low = bits & mask
    var kept = bits & ~mask
    if low > half || (low == half && (kept >> drop) & 1 == 1) { kept &+= 1 << drop }
    return Double(bitPattern: kept)
  }

  @inlinable package func add(_ a: Double, _ b: Double) -> Double { round(a + b) }

  /// Recursive summation, left to right.
  public func recursiveSum(_ x: UnsafeBufferPointer<Double>) -> Double {
    var s = 0.0
    for v in x { s = add(s, v) }
    return s
  }

  /// Pairwise summation: the sums of the two halves, added.
  public func pairwiseSum(_ x: UnsafeBufferPointer<Double>) -> Double {
    if x.count <= 1 { return x.first ?? 0 }
    let half = x.count / 2
    return add(
      pairwiseSum(UnsafeBufferPointer(rebasing: x[0..<half])), pairwiseSum(UnsafeBufferPointer(rebasing: x[half...])))
  }

  /// Compensated summation, Sum2 of T. Ogita, S. M. Rump and S. Oishi, "Accurate sum and dot product", SIAM
  /// J. Sci. Comput. 26(6), 2005, Algorithm 4.4: error-free TwoSum at each step, the errors summed
  /// recursively and added at the end.
  public func compensatedSum(_ x: UnsafeBufferPointer<Double>) -> Double {
    guard var s = x.first else { return 0 }
    var sigma = 0.0
    for v in x.dropFirst() {
      let t = add(s, v)
      let z = add(t, -s)
      let q = add(add(s, -add(t, -z)), add(v, -z))
      s = t
      sigma = add(sigma, q)
    }
    return add(s, sigma)
  }
}

/// A summation method and Higham's bound on its error for n terms of absolute sum A = Σ|xᵢ| (N. J. Higham,
/// *Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM 2002, §4.2; Ogita–Rump–Oishi, Prop. 4.5).
package enum SummationMethod: String, Sendable, CaseIterable, Codable {
  case recursive
  case pairwise
  case compensated

  /// |ŝ − s| ≤ γ_{n−1} A (recursive), γ_{⌈log₂ n⌉} A (pairwise), u|s| + γ²_{n−1} A (compensated); infinite
  /// where k·u ≥ 1.
  public func errorBound(count n: Int, absoluteSum a: Double, sum s: Double, unitRoundoff u: Double) -> Double {
    switch self {
    case .recursive: return roundingGamma(n - 1, unitRoundoff: u) * a
    case .pairwise:
      return roundingGamma(ceilingLog2(n), unitRoundoff: u) * a
    case .compensated:
      let g = roundingGamma(n - 1, unitRoundoff: u)
      return u * Swift.abs(s) + g * g * a
    }
  }

  public func sum(_ x: UnsafeBufferPointer<Double>, in precision: LowPrecision) -> Double {
    switch self {
    case .recursive: precision.recursiveSum(x)
    case .pairwise: precision.pairwiseSum(x)
    case .compensated: precision.compensatedSum(x)
    }
  }
}

/// How a mini-batch of nominal size b is drawn from N examples, and the exact law of its error.
///
/// ```
/// sampler                 E[ḡ_b]   E‖ḡ_b − g‖²
/// with replacement         g        tr Σ_N / b
/// without replacement      g        (N − b)/(N − 1) · tr Σ_N / b        (exactly 0 at b = N)
/// Poisson(q = b/N), ÷ b    g        (1 − b/N)/b · (tr Σ_N + ‖g‖²)
/// Poisson, ÷ realised |B|  ≈ g      no closed form used (biased for small b: reported, not judged)
/// ```
/// Σ_N = (1/N) Σᵢ dᵢdᵢᵀ with dᵢ = gᵢ − g (divisor N).
public enum SamplerKind: String, CaseIterable, Codable, Sendable {
  case withReplacement = "with"
  case withoutReplacement = "without"
  case poisson = "poisson"
  case poissonRealized = "poisson-realized"

  /// The exact E‖ḡ_b − g‖², or nil where the sampler has none.
  public func theoreticalMSE(batch b: Int, count n: Int, traceSigma: Double, gradientNormSquared: Double) -> Double? {
    let bd = Double(b)
    let nd = Double(n)
    switch self {
    case .withReplacement: return traceSigma / bd
    case .withoutReplacement: return n == 1 ? 0 : (nd - bd) / (nd - 1) * traceSigma / bd
    case .poisson: return (1 - bd / nd) / bd * (traceSigma + gradientNormSquared)
    case .poissonRealized: return nil
    }
  }

  /// Whether E[ḡ_b] = g exactly (the ratio estimator of `poissonRealized` is not unbiased).
  public var isUnbiased: Bool { self != .poissonRealized }

  /// The largest batch size the sampler accepts for N examples.
  public func maximumBatch(count n: Int) -> Int { self == .withReplacement ? Int(Int32.max) : n }
}

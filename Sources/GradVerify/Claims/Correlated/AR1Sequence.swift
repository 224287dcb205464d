
/// A stationary AR(1) sequence xₜ = φ xₜ₋₁ + εₜ, εₜ ~ N(0, 1), started from its stationary law
/// x₀ ~ N(0, 1/(1 − φ²)), drawn from the stream "data/ar1"; and the design effect of a window of b
/// consecutive values of the process, Var(x̄_b)/(σ²/b) = 1 + 2 Σ_{k<b} (1 − k/b) φᵏ (Box & Jenkins).
package enum AR1Sequence {
  /// n values of the sequence.
  public static func values(phi: Double, count n: Int, seed: UInt64) -> [Double] {
    var rng = PhiloxStream(seed: seed, name: "data/ar1")
    var x = rng.nextNormal() / (1 - phi * phi).squareRoot()
    var values: [Double] = []
    values.reserveCapacity(n)
    for _ in 0..<n {
      values.append(x)
      x = phi * x + rng.nextNormal()
    }
    return values
  }

  /// 1 + 2 Σ_{k<b} (1 − k/b) φᵏ.
  public static func designEffect(phi: Double, batch b: Int) -> Double {
    var process = 1.0
    var power = 1.0
    for k in 1..<Swift.max(1, b) {
      power *= phi
      process += 2 * (1 - Double(k) / Double(b)) * power
    }
    return process
  }
}

import Foundation
import GradVerify
import Testing

@Suite("Statistics: the normal quantile and Bonferroni's critical z")
struct NormalQuantileTests {
  /// Reference Φ⁻¹(p) for the double nearest each p, from mpmath at 60 digits, rounded to double.
  /// Tolerance: relative 1e-15, about four ulps at 2 — Wichura's PPND16 is good to about 1e-16 and its
  /// rational evaluation adds a few roundings.
  static let rows: [(p: Double, quantile: Double)] = [
    (0.975, 1.9599639845400538),  // 1.959963984540054 for the decimal 0.975, one ulp away
    (1e-10, -6.361340902404057),  // −6.361340902404056… : the tail branch r ≤ 5
    (0.995, 2.5758293035489004),
    (0.999, 3.090232306167813),
    (0.05, -1.6448536269514726),
    (0.25, -0.6744897501960817),
    (0.0005, -3.290526731491895),
    (0.075, -1.439531470938456),  // |p − ½| = 0.425 after rounding: the central branch's edge
    (0.075.nextDown, -1.4395314709384561),  // just into the tail branch
    (1e-20, -9.262340089798408),  // r > 5: the far-tail branch
    (1e-300, -37.0470962993612),
    (Double.leastNormalMagnitude, -37.5193793471445),
    (1 - 0x1p-53, 8.209536151601387),  // the largest double below 1
  ]

  @Test("normalQuantile matches high-precision values in every branch", arguments: rows)
  func knownValues(_ p: Double, _ quantile: Double) {
    let got = normalQuantile(p)
    #expect(Swift.abs(got - quantile) <= 1e-15 * Swift.abs(quantile), "Φ⁻¹(\(p)) = \(got), expected \(quantile)")
  }

  @Test("normalQuantile is exactly 0 at ½, odd about ½, and increasing")
  func shape() {
    #expect(normalQuantile(0.5) == 0)
    for k in 1..<512 {
      let p = Double(k) / 1024  // 1 − p is exact, so the symmetry is exact
      #expect(normalQuantile(p) == -normalQuantile(1 - p), "p = \(p)")
    }
    var grid = (1..<1000).map { Double($0) / 1000 }
    grid += (4...300).map { pow(10, -Double($0)) }
    grid.sort()
    let values = grid.map(normalQuantile)
    for i in 1..<grid.count {
      #expect(values[i] > values[i - 1], "not increasing between p = \(grid[i - 1]) and \(grid[i])")
    }
  }

  @Test("bonferroniCriticalZ is Φ⁻¹(1 − α/(2m))")
  func bonferroni() {
    let rows: [(alpha: Double, tests: Int, z: Double)] = [
      (0.05, 1, 1.9599639845400543),
      (0.01, 1, 2.575829303548901),
      (0.01, 10, 3.290526731491895),
      (0.01, 36, 3.635188198352099),
    ]
    for r in rows {
      let z = bonferroniCriticalZ(familyWiseAlpha: r.alpha, tests: r.tests)
      #expect(Swift.abs(z - r.z) <= 1e-15 * r.z, "α = \(r.alpha), m = \(r.tests): \(z)")
    }
    // More tests, a stricter threshold.
    #expect(
      bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: 100) > bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: 99))
  }

  @Test("p outside (0, 1) and m < 1 are broken contracts")
  func contracts() async {
    await #expect(processExitsWith: .failure) { _ = normalQuantile(0) }
    await #expect(processExitsWith: .failure) { _ = normalQuantile(1) }
    await #expect(processExitsWith: .failure) { _ = bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: 0) }
  }
}

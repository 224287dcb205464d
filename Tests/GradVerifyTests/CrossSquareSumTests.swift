import Foundation
import GradVerify
import Testing

/// N² tr Σ_N² for P > 256 (no P×P matrix kept), taken over the shorter side of the deviation matrix: over
/// its P columns when P < N, over its N rows otherwise. Both against a brute-force Gram sum written here.
@Suite("Population moments: tr Σ_N² over the shorter side equals the Gram sum")
struct CrossSquareSumTests {
  /// A population of n rows of p seeded values with uneven scales and an offset, some rows repeated.
  /// `single` keeps them as float32, as a float32 `.npy` is held.
  static func population(count n: Int, dimension p: Int, seed: UInt64, single: Bool = false) -> GradientPopulation {
    var random = SplitMix64(seed: seed)
    var rows: [Double] = []
    for i in 0..<n {
      for j in 0..<p {
        let u = Double(random.next() >> 11) / 9_007_199_254_740_992
        rows.append(i % 7 == 3 ? rows[(i - 1) * p + j] : (u - 0.5) * Double(1 + j % 5) + 0.25)
      }
    }
    let matrix = single ? RowMatrix(rows.map { Float($0) }) : RowMatrix(rows)
    return GradientPopulation(matrix: matrix, count: n, dimension: p)
  }

  /// (1/N²) Σᵢₖ (dᵢ·dₖ)², each dot product and the outer sum plain, in order.
  static func bruteForce(_ p: GradientPopulation) -> Double {
    let (n, d) = (p.count, p.dimension)
    let dev = (0..<(n * d)).map { p.rows[$0] - p.mean[$0 % d] }
    var total = 0.0
    for i in 0..<n {
      for k in 0..<n {
        var c = 0.0
        for j in 0..<d { c += dev[i * d + j] * dev[k * d + j] }
        total += c * c
      }
    }
    return total / Double(n * n)
  }

  @Test("N × P = 40 × 301 and 37 × 258 (over rows), 401 × 301, 302 × 301 and 600 × 257 (over columns, in blocks of 256 rows; odd and even lengths): within 1e-12 of the Gram sum, float64 and float32",
        arguments: [(40, 301), (401, 301), (302, 301), (37, 258), (600, 257)], [false, true])
  func agreesWithGram(shape: (Int, Int), single: Bool) {
    let (n, p) = shape
    let population = Self.population(count: n, dimension: p, seed: UInt64(n * 1000 + p), single: single)
    let moments = PopulationMoments(population, withReplacementSkewness: false)
    let expected = Self.bruteForce(population)
    #expect(Swift.abs(moments.traceSigmaSquared - expected) <= 1e-12 * expected, "\(moments.traceSigmaSquared) against \(expected)")
  }
}

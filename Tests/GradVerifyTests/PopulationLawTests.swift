import Foundation
import GradVerify
import Testing

/// The closed forms that the controls and the noise-scale verdicts standardise by, against brute-force
/// enumeration written here (sharing no code with the library), to 1e-12.
@Suite("Population laws: noise-scale and shuffled-partition spreads equal enumeration to 1e-12")
struct PopulationLawTests {
  /// Every b-subset of 0..<n, as member lists.
  static func subsets(_ n: Int, _ b: Int) -> [[Int]] {
    (0..<(1 << n)).filter { $0.nonzeroBitCount == b }.map { mask in (0..<n).filter { mask & (1 << $0) != 0 } }
  }

  static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
  static func variance(_ xs: [Double]) -> Double {
    let m = mean(xs)
    return xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count)
  }

  static let populations: [(String, GradientPopulation)] = [
    ("linear N=8", regressionPopulation(count: 8, features: 2, seed: 81)),
    ("offset rows N=7", GradientPopulation(
      rows: [3.0, 10, 3.5, 10.25, 2.75, 9.5, 3.25, 10, 2.5, 10.5, 4.0, 9.0, 1.0, 12.0], count: 7, dimension: 2)),
  ]

  @Test("Var ‖ḡ_b‖² without replacement (noise-scale estimators): every b of two small populations")
  func normSquaredVariance() {
    for (name, p) in Self.populations {
      let moments = PopulationMoments(p)
      let d = p.dimension
      for b in 1...p.count {
        let values = Self.subsets(p.count, b).map { members -> Double in
          (0..<d).map { j in members.map { p.rows[$0 * d + j] }.reduce(0, +) / Double(b) }.reduce(0) { $0 + $1 * $1 }
        }
        let enumerated = Self.variance(values)
        let formula = NoiseScaleEstimate.normSquaredVariance(batch: b, population: p, moments: moments)
        let scale = Swift.max(enumerated, Self.mean(values) * Self.mean(values) * 1e-6)
        #expect(Swift.abs(formula - enumerated) <= 1e-12 * scale, "\(name) b=\(b): \(formula) vs \(enumerated)")
      }
    }
  }

  /// Every permutation of 0..<n (Heap's algorithm).
  static func permutations(_ n: Int) -> [[Int]] {
    var a = Array(0..<n)
    var c = [Int](repeating: 0, count: n)
    var out = [a]
    var i = 0
    while i < n {
      if c[i] < i {
        if i % 2 == 0 { a.swapAt(0, i) } else { a.swapAt(c[i], i) }
        out.append(a)
        c[i] += 1
        i = 0
      } else {
        c[i] = 0
        i += 1
      }
    }
    return out
  }

  @Test("N1: the spread of the aligned blocks' MSE over random orders, every b dividing N = 8 (40320 orders)")
  func shuffledPartitionSpread() {
    let p = regressionPopulation(count: 8, features: 2, seed: 82)
    let moments = PopulationMoments(p)
    let d = p.dimension
    let orders = Self.permutations(8)
    #expect(orders.count == 40320 && Set(orders).count == 40320)
    for b in [1, 2, 4, 8] {
      let values = orders.map { order -> Double in
        stride(from: 0, to: 8, by: b).map { start -> Double in
          (0..<d).map { j in
            order[start..<(start + b)].map { p.rows[$0 * d + j] }.reduce(0, +) / Double(b) - p.mean[j]
          }.reduce(0) { $0 + $1 * $1 }
        }.reduce(0, +) / Double(8 / b)
      }
      let enumerated = Self.variance(values).squareRoot()
      let formula = ContiguousMeasurement.shuffledPartitionStandardError(moments: moments, batch: b)
      // b = 1 and b = N: every order gives the same blocks' MSE, so the truth is 0 and the enumeration holds
      // only rounding; measure both against tr Σ_N there.
      let scale = b == 1 || b == 8 ? p.traceSigma : enumerated
      if b == 1 || b == 8 { #expect(formula == 0) }
      #expect(Swift.abs(formula - enumerated) <= 1e-12 * scale, "b=\(b): \(formula) vs \(enumerated)")
    }
    // The old spread, one block's [Var‖d‖² + 2(b − 1) tr Σ²]/b³ over K, keeps the diagonal that no order
    // changes: at b = 2 it is far from the truth, the defect this formula replaces.
    let b = 2.0
    let old = ((p.varianceOfSquaredDeviation + 2 * (b - 1) * p.traceSigmaSquared) / (b * b * b) / 4).squareRoot()
    let right = ContiguousMeasurement.shuffledPartitionStandardError(moments: moments, batch: 2)
    #expect(Swift.abs(old / right - 1) > 0.05, "old \(old) vs \(right)")
  }
}

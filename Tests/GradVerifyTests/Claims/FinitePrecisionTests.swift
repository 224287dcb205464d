import Foundation
import GradVerify
import Testing

/// F: the emulated roundings against the hardware's float32, the bounds never exceeded, a planted wrong
/// bound caught, the cause removed (values whose sums are exact), and the bfloat16 stall.
@Suite("F: averaging in finite precision")
struct FinitePrecisionTests {
  @Test("float32 emulation equals the hardware: rounding, and a + b, for 200 000 seeded pairs")
  func float32MatchesHardware() {
    var rng = PhiloxStream(seed: 3, name: "test/f32")
    for _ in 0..<200_000 {
      let a = (rng.nextUniform() - 0.5) * Foundation.pow(2, Double(Int(rng.nextBounded(40)) - 20))
      let b = rng.nextNormal() * Foundation.pow(2, Double(Int(rng.nextBounded(40)) - 20))
      #expect(LowPrecision.float32.round(a) == Double(Float(a)))
      let (fa, fb) = (Float(a), Float(b))
      #expect(LowPrecision.float32.round(Double(fa) + Double(fb)) == Double(fa + fb))
    }
  }

  @Test("bfloat16 rounding by hand: ties to even, carries into the exponent")
  func bfloat16ByHand() {
    let r = LowPrecision.bfloat16.round
    #expect(r(1 + 0x1p-8) == 1)  // a tie: to the even neighbour 1
    #expect(r(1 + 3 * 0x1p-8) == 1 + 0x1p-6)  // a tie between 1 + 2⁻⁷ and 1 + 2⁻⁶: to even
    #expect(r(1 + 0x1p-8 + 0x1p-30) == 1 + 0x1p-7)  // just above the tie: up
    #expect(r(2 - 0x1p-9) == 2)  // rounds up across the binade
    #expect(r(256 + 0.99) == 256 && r(-3.14159) == -3.140625)
  }

  static let population: GradientPopulation = {
    let data = Dataset.syntheticRegression(count: 300, features: 3, seed: 8)
    return GradientPopulation(PerExampleGradients(model: LinearModel(features: 3), data: data, theta: [0.2, -0.1, 0.3, 0]))
  }()

  static func control(_ source: FinitePrecisionControl.Source, boundScale: Double = 1) -> FinitePrecisionControl {
    FinitePrecisionControl(
      source: source, sizes: [100, 1000, 10_000], replicates: 3, precisions: [.float32, .bfloat16], seed: 1, name: "t",
      threads: 2, boundScale: boundScale)
  }

  @Test("every method in both precisions: inexact, within its bound (FAILS-AS-PREDICTED); a bound 1000× too small FAILS")
  func boundsHoldAndAWrongBoundFails() {
    let honest = Self.control(.rows(Self.population, coordinates: 4))
    let planted = Self.control(.rows(Self.population, coordinates: 4), boundScale: 1e-3)
    for precision in LowPrecision.allCases {
      for method in SummationMethod.allCases {
        #expect(honest.verdict(precision, method) == .failsAsPredicted, "\(precision) \(method)")
        #expect(honest.cells(precision, method).allSatisfy { $0.maxRatio <= 1 })
      }
    }
    #expect(LowPrecision.allCases.contains { p in SummationMethod.allCases.contains { planted.verdict(p, $0) == .fail } })
    #expect(planted.verdict(.float32, .recursive) == .fail)
  }

  @Test("a wrong cause: sums really done in float32 but labelled bfloat16 are not FAILS-AS-PREDICTED (they fit float32's bound)")
  func wrongFormatIsNotAsPredicted() {
    let mislabelled = FinitePrecisionControl(
      source: .rows(Self.population, coordinates: 4), sizes: [100, 1000, 10_000], replicates: 3, precisions: [.bfloat16],
      seed: 1, name: "t", threads: 2, arithmetic: .float32)
    let honest = Self.control(.rows(Self.population, coordinates: 4))
    for method in SummationMethod.allCases {
      #expect(mislabelled.verdict(.bfloat16, method) == .fail, "\(method)")
      #expect(mislabelled.cells(.bfloat16, method).allSatisfy { $0.maxFinerRatio <= 1 && $0.inexact > 0 })
      #expect(honest.cells(.bfloat16, method).contains { $0.maxFinerRatio > 1 })
    }
  }

  @Test("the cause removed: values on the grid k/256 sum exactly in float32, and the control is UNEXPECTED-PASS")
  func exactSumsRemoveTheCause() {
    let grid = FinitePrecisionControl(
      source: .grid, sizes: [100, 65_536], replicates: 3, precisions: [.float32], seed: 2, name: "t", threads: 2)
    #expect(grid.verdict(.float32, .recursive) == .unexpectedPass)
    #expect(grid.cells(.float32, .recursive).allSatisfy { $0.inexact == 0 })
  }

  @Test("bfloat16 recursive summation of values in [0, 1) stalls at 256, and the typical float32 error grows slower than N")
  func stallAndGrowth() {
    let c = FinitePrecisionControl(
      source: .uniform, sizes: [100, 1000, 10_000, 100_000], replicates: 8, precisions: [.float32, .bfloat16], seed: 5,
      name: "t", threads: 2)
    #expect(c.stall?.sum == 256 && c.stallVerdict == .failsAsPredicted)
    let g = c.growth(.float32, .recursive)!
    #expect(c.growthVerdict(.float32, .recursive) == .pass && g.slope < 1, "\(g)")
  }

  /// One value repeated: every addition in a binade makes the same rounding error, so the errors add up
  /// instead of cancelling and the error grows like the bound, N·u: the growth verdict FAILS.
  @Test("a repeated value: rounding errors do not cancel, the typical error grows like N and the growth verdict FAILS")
  func repeatedValueGrowsLikeTheBound() {
    let constant = GradientPopulation(rows: [Double](repeating: 0.1, count: 50), count: 50, dimension: 1)
    let c = FinitePrecisionControl(
      source: .rows(constant, coordinates: 1), sizes: [100, 1000, 10_000, 100_000, 1_000_000], replicates: 2,
      precisions: [.float32], seed: 5, name: "t", threads: 2)
    let g = c.growth(.float32, .recursive)
    #expect(c.growthVerdict(.float32, .recursive) == .fail, "\(String(describing: g))")
  }

  @Test("F's settings in its committed spec refuse an unknown key and a value out of range, by name")
  func settingsChecked() throws {
    try CheckedDecodingTests.expectChecked(spec: "F-finite-precision", object: "precision", field: "twin_sizes", value: "[65537]", reason: "needs sizes between 2 and 2¹⁶")
  }
}

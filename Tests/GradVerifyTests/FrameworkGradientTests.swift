import Foundation
import GradVerify
import Testing

/// `--full-gradient` on gradients real frameworks computed: the JAX and NumPy fixtures of
/// Experiments/export/framework_fixtures.py (an MLP, N = 2 … 256, float32 and float64, 10 seeds each).
@Suite("Framework gradients")
struct FrameworkGradientTests {
  static let folder = CommandRun.packageRoot.appendingPathComponent("Tests/Fixtures/framework")
  static let sizes = [2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 256]
  static let seeds = 10
  /// The share of the default run's α (0.01) the sweep gives the framework check.
  static let alpha = 0.01 * FullGradientRequest.alphaShare

  /// One fixture: per seed, the population of its rows and the framework's gradient of the mean.
  static func fixture(maker: String, precision: String, n: Int) throws -> [(population: GradientPopulation, full: [Double])] {
    let rows = try NPYMatrix.load(path: folder.appendingPathComponent("G-\(maker)-\(precision)-n\(n).npy").path)
    let full = try NPYMatrix.load(path: folder.appendingPathComponent("g-\(maker)-\(precision)-n\(n).npy").path)
    #expect(rows.rows == seeds * n && full.rows == seeds && rows.columns == full.columns)
    let p = rows.columns
    return (0..<seeds).map { s in
      (GradientPopulation(rows: Array(rows.values[(s * n * p)..<((s + 1) * n * p)]), count: n, dimension: p),
       Array(full.values[(s * p)..<((s + 1) * p)]))
    }
  }

  static let cases = ["jax", "numpy"].flatMap { maker in ["float32", "float64"].map { (maker, $0) } }

  @Test("True JAX and NumPy gradients PASS for every N = 2 … 256, both precisions, 10 seeds each", arguments: cases)
  func trueGradientsPass(maker: String, precision: String) throws {
    var worst = 0.0
    for n in Self.sizes {
      for (s, (population, full)) in try Self.fixture(maker: maker, precision: precision, n: n).enumerated() {
        let check = FrameworkGradientCheck(
          population: population, fullGradient: full, precision: .init(rawValue: precision)!, alpha: Self.alpha)
        #expect(check.verdict == .pass, "N = \(n), seed \(s): ratio \(check.worstRatio)")
        worst = max(worst, check.worstRatio)
      }
    }
    #expect(worst > 0, "the fixtures differ from the exact mean somewhere, or the check sees nothing")
  }

  @Test("A dropped row, a sum for the mean, and float32 arithmetic declared float64 FAIL on the same fixtures", arguments: cases)
  func wrongReductionsFail(maker: String, precision: String) throws {
    let declared = FrameworkGradientCheck.Precision(rawValue: precision)!
    for n in Self.sizes {
      let (population, full) = try Self.fixture(maker: maker, precision: precision, n: n)[0]
      let p = population.dimension
      // The framework's mean with the last row left out (exact here, so only the missing row differs).
      let dropped = (0..<p).map { j in (0..<(n - 1)).reduce(0.0) { $0 + population.rows[$1 * p + j] } / Double(n - 1) }
      let summed = full.map { $0 * Double(n) }
      for (g, what) in [(dropped, "row dropped"), (summed, "sum for mean")] where n > 1 {
        let check = FrameworkGradientCheck(population: population, fullGradient: g, precision: declared, alpha: Self.alpha)
        #expect(check.verdict == .fail, "\(what), N = \(n): ratio \(check.worstRatio)")
      }
      if declared == .float32 {
        let check = FrameworkGradientCheck(population: population, fullGradient: full, precision: .float64, alpha: Self.alpha)
        #expect(check.verdict == .fail, "float32 declared float64, N = \(n): ratio \(check.worstRatio)")
      }
    }
  }

  /// N float32 rows and the gradient a framework forms from them: each row times fl(1/N), summed in float32.
  static func float32Framework(count n: Int, dimension p: Int, leaveOut: Int? = nil) -> (GradientPopulation, [Double]) {
    var random = SplitMix64(seed: 23)
    let rows = (0..<(n * p)).map { _ in Double(Float(Double(random.next() >> 11) * 0x1p-52 - 1)) }
    let scale = Float(1) / Float(n)
    var sums = [Float](repeating: 0, count: p)
    for i in 0..<n where i != leaveOut {
      for j in 0..<p { sums[j] += Float(rows[i * p + j]) * scale }
    }
    return (GradientPopulation(rows: rows, count: n, dimension: p), sums.map(Double.init))
  }

  @Test("float32 at N = 20 000: the framework's own sum PASSes, one row left out FAILs (the worst case alone is blind)")
  func largeFloat32SeesALeftOutRow() {
    let (population, own) = Self.float32Framework(count: 20_000, dimension: 8)
    let pass = FrameworkGradientCheck(population: population, fullGradient: own, precision: .float32, alpha: Self.alpha)
    #expect(pass.verdict == .pass, "ratio \(pass.worstRatio)")
    #expect(pass.probabilisticConstant < pass.worstCaseConstant / 20)
    let (_, leftOut) = Self.float32Framework(count: 20_000, dimension: 8, leaveOut: 777)
    let fail = FrameworkGradientCheck(population: population, fullGradient: leftOut, precision: .float32, alpha: Self.alpha)
    #expect(fail.verdict == .fail, "ratio \(fail.worstRatio)")
    // Against the worst-case constant γₙ alone the same row would pass unseen.
    #expect(fail.worstRatio * fail.probabilisticConstant / fail.worstCaseConstant < 1)
  }

  @Test("The bound is the stated one: min(γₙ, γ̃ₙ(λ))·(1/N)Σ|Gᵢⱼ| with n = N + 2K and λ from α, N and P")
  func boundIsTheStatedOne() {
    let p = GradientPopulation(rows: [1, 3, 2, 6], count: 2, dimension: 2)
    let u = 0x1p-24
    let n = 2 + 2 * 5
    let gamma = Double(n) * u / (1 - Double(n) * u)
    let lambda = (2 * log(2 * 2 * 2 / 0.001)).squareRoot() / (1 - u)
    let tilde = expm1(lambda * Double(n).squareRoot() * u + Double(n) * u * u / (1 - u))
    let tau0 = min(gamma, tilde) * 1.5
    let check = { (g0: Double) in
      FrameworkGradientCheck(population: p, fullGradient: [g0, p.mean[1]], precision: .float32, backwardDepth: 5, alpha: 0.001)
    }
    #expect(check(1.5).worstCaseConstant == gamma && check(1.5).probabilisticConstant == tilde)
    #expect(check(1.5 + 0.9 * tau0).verdict == .pass)
    let outside = check(1.5 + 1.1 * tau0)
    #expect(outside.verdict == .fail && outside.worstCoordinate == 0, "ratio \(outside.worstRatio)")
  }
}

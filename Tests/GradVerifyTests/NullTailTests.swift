import Foundation
import Testing
import GradVerify

/// The tail probabilities the sweep's verdicts use, against brute force, exact laws and exact arithmetic.
@Suite("Null tails: enumeration, saddlepoint, Chernoff, gamma, and variances without cancellation")
struct NullTailTests {
  /// Every n-tuple of picks from `values` (with replacement), the centred sum's exact law as (sum, mass).
  func bruteForce(_ values: [Double], picks n: Int) -> [(Double, Double)] {
    let mean = values.reduce(0, +) / Double(values.count)
    var law: [Double: Double] = [:]
    var index = [Int](repeating: 0, count: n)
    let mass = Foundation.pow(1 / Double(values.count), Double(n))
    while true {
      // Sums of small integers: exact in floating point.
      let s = index.reduce(0.0) { $0 + values[$1] } - Double(n) * mean
      law[s, default: 0] += mass
      var k = 0
      while k < n && index[k] == values.count - 1 { index[k] = 0; k += 1 }
      if k == n { break }
      index[k] += 1
    }
    return law.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }

  @Test("few values with replacement: enumeration equals brute force over every tuple at every attainable sum")
  func enumerationMatchesBruteForce() {
    // A sparse digit-like column: mostly 0, a few −1 and one +2 (mean 0 after centring by 0.2·… exactly).
    let values: [Double] = [0, 0, 0, 0, -1, -1, 0, 2, 0, 0]
    let n = 6
    let law = bruteForce(values, picks: n)
    let atoms = PopulationAtoms(values)
    for (s, _) in law {
      let exact = law.filter { $0.0 >= s - 1e-12 }.reduce(0) { $0 + $1.1 }
      let lower = law.filter { $0.0 <= s + 1e-12 }.reduce(0) { $0 + $1.1 }
      let t = CountEnumerationTail.uniformPicks(atoms: atoms, picks: n, at: s, tolerance: 1e-12)!
      #expect(t.exact)
      #expect(Swift.abs(t.upper - exact) <= 1e-12 * Swift.max(1, exact), "P(S ≥ \(s)): \(t.upper) vs \(exact)")
      #expect(Swift.abs(t.lower - lower) <= 1e-12 * Swift.max(1, lower), "P(S ≤ \(s)): \(t.lower) vs \(lower)")
    }
  }

  @Test("Poisson draws: enumeration equals brute force over every inclusion pattern")
  func poissonEnumerationMatchesBruteForce() {
    let values: [Double] = [0, 1.5, 0, -2, 1.5]
    let (q, r) = (0.3, 2)
    let mean = Double(r) * q * values.reduce(0, +)
    var law: [Double: Double] = [:]
    let terms = values.count * r
    for mask in 0..<(1 << terms) {
      var s = -mean
      var p = 1.0
      for k in 0..<terms {
        let included = mask & (1 << k) != 0
        if included { s += values[k % values.count] }
        p *= included ? q : 1 - q
      }
      law[(s * 1e9).rounded() / 1e9, default: 0] += p
    }
    let atoms = PopulationAtoms(values)
    for (s, _) in law {
      let upper = law.filter { $0.key >= s - 1e-9 }.reduce(0) { $0 + $1.value }
      let t = CountEnumerationTail.bernoulliInclusions(atoms: atoms, probability: q, repetitions: r, at: s, tolerance: 1e-9)!
      #expect(t.exact)
      #expect(Swift.abs(t.upper - upper) <= 1e-12, "P(S ≥ \(s)): \(t.upper) vs \(upper)")
    }
  }

  /// The sum of n independent Exp(1) − 1 as a law with a closed-form tail: P(S ≥ s) = Q(n, n + s).
  struct ExponentialSum: SumCumulants {
    let n: Double
    func cumulants(at t: Double) -> (k: Double, slope: Double, curvature: Double) {
      (-n * Foundation.log1p(-t) - n * t, n / (1 - t) - n, n / ((1 - t) * (1 - t)))
    }
    var support: ClosedRange<Double> { -n...1e300 }
    var logMassAtMaximum: Double { -.infinity }
    var logMassAtMinimum: Double { -.infinity }
    var variance: Double { n }
  }

  @Test("Lugannani–Rice: within 1% of the exact gamma tail down to 1e-12, and never above its Chernoff bound")
  func saddlepointAgainstGamma() {
    for n in [5.0, 20, 200] {
      let law = ExponentialSum(n: n)
      for z in [2.0, 4, 6, 8] {
        let s = z * n.squareRoot()
        let exact = regularizedGamma(n, n + s).q
        guard exact > 1e-12 else { continue }
        let t = SaddlepointTail(upperTailOf: law, at: s)
        #expect(Swift.abs(t.approximation / exact - 1) < 0.01, "n \(n) z \(z): \(t.approximation) vs \(exact)")
        #expect(t.bound >= exact && t.approximation <= t.bound)
      }
    }
  }

  @Test("Chernoff bounds hold for a lattice law computed exactly by convolution")
  func chernoffBoundsTheExactTail() {
    // Values 0…3 with unequal weights, n = 60 picks: the law of the sum by repeated convolution.
    let values: [Double] = [0, 0, 0, 0, 0, 1, 1, 2, 3, 3]
    let n = 60
    var law = [1.0]
    for _ in 0..<n {
      var next = [Double](repeating: 0, count: law.count + 3)
      for (k, p) in law.enumerated() { for v in values { next[k + Int(v)] += p / Double(values.count) } }
      law = next
    }
    let mean = Double(n) * values.reduce(0, +) / Double(values.count)
    let sum = UniformPickSum(atoms: PopulationAtoms(values), picks: Double(n))
    for k in stride(from: Int(mean) + 1, to: 3 * n, by: 7) {
      let exact = law[k...].reduce(0, +)
      let bound = SaddlepointTail(upperTailOf: sum, at: Double(k) - mean).bound
      #expect(bound >= exact * (1 - 1e-12), "P(S ≥ \(k)) = \(exact) above its bound \(bound)")
    }
  }

  @Test("gamma tails: P + Q = 1, published values, monotone critical values that never fold over")
  func gammaTails() {
    // Q(1, x) = e^{−x}; P(0.5, x) = erf(√x).
    #expect(Swift.abs(regularizedGamma(1, 3).q - Foundation.exp(-3)) < 1e-15)
    #expect(Swift.abs(regularizedGamma(0.5, 2).p - erf(2.0.squareRoot())) < 1e-14)
    let z = 3.02
    var previous = -Double.infinity
    for gamma in stride(from: 0.0, through: 20, by: 0.5) {
      let c = SkewedCriticalValues(z: z, skewness: gamma)
      #expect(c.lower < 0 && c.upper > 0, "γ \(gamma): [\(c.lower), \(c.upper)] is empty")
      #expect(c.lower >= previous - 1e-9, "the lower value must rise towards −2/γ as γ grows")
      if gamma > 0 { #expect(c.lower >= -2 / gamma - 1e-9) }
      previous = c.lower
    }
  }

  /// Var ‖Σ_B Dᵢ‖² over every b-subset, exactly, for integer rows Dᵢ = N gᵢ − T (so Σ Dᵢ = 0).
  func exactSubsetVariance(_ rows: [[Int]], batch b: Int) -> (numerator: Int128, denominator: Int128) {
    let n = rows.count
    var (s1, s2, count): (Int128, Int128, Int128) = (0, 0, 0)
    func visit(_ start: Int, _ left: Int, _ acc: [Int128]) {
      if left == 0 {
        let x = acc.reduce(Int128(0)) { $0 + $1 * $1 }
        s1 += x
        s2 += x * x
        count += 1
        return
      }
      guard start < n else { return }
      for i in start..<n {
        visit(i + 1, left - 1, zip(acc, rows[i]).map { $0 + Int128($1) })
      }
    }
    visit(0, b, [Int128](repeating: 0, count: rows[0].count))
    return (count * s2 - s1 * s1, count * count)
  }

  @Test("without replacement: Var e equals exact rational arithmetic over every subset to 1e-12")
  func withoutReplacementVarianceIsExact() throws {
    // Integer gradients; every subset enumerated in 128-bit integers.
    let g: [[Int]] = [[3, -1], [0, 2], [-4, 5], [7, 0], [1, 1], [-2, -3], [5, 4], [0, -6], [2, 2]]
    let n = g.count
    let total = (0..<2).map { j in g.reduce(0) { $0 + $1[j] } }
    let rows = g.map { r in (0..<2).map { n * r[$0] - total[$0] } }
    let population = GradientPopulation(rows: g.flatMap { $0.map(Double.init) }, count: n, dimension: 2)
    let moments = PopulationMoments(population)
    for b in 1...n {
      let law = try #require(SquaredErrorLaw(sampler: .withoutReplacement, batch: b, population: population, moments: moments))
      let (num, den) = exactSubsetVariance(rows, batch: b)
      // e = ‖Σ_B Dᵢ‖² / (b² N²): Var e = Var ‖Σ_B Dᵢ‖² / (b⁴ N⁴).
      let exact = Double(num) / Double(den) / Foundation.pow(Double(b * n), 4)
      let error = Swift.abs(law.variance - exact)
      #expect(error <= 1e-12 * Swift.max(exact, 1e-300) || (exact == 0 && law.variance == 0), "b = \(b): \(law.variance) vs \(exact)")
    }
  }

  @Test("without replacement at b = N − 1, N = 30 000: Var e = V/(N − 1)⁴ to 1e-12 (no cancellation)")
  func leaveOneOutVarianceAtLargeN() throws {
    let n = 30_000
    var rng = PhiloxStream(seed: 5, name: "tests/leave-one-out")
    let rows = (0..<(n * 3)).map { _ in rng.nextNormal() + 10 }
    let population = GradientPopulation(rows: rows, count: n, dimension: 3)
    let moments = PopulationMoments(population)
    let law = try #require(SquaredErrorLaw(sampler: .withoutReplacement, batch: n - 1, population: population, moments: moments))
    // e = aₖ/(N − 1)² for the left-out k: its variance is Var a / (N − 1)⁴, with Var a two-pass.
    let exact = moments.squaredDeviationVariance / Foundation.pow(Double(n - 1), 4)
    #expect(Swift.abs(law.variance / exact - 1) < 1e-12, "\(law.variance) vs \(exact)")
  }

  /// A skewed nonnegative draw, e = 10 with probability 0.1 and 0 otherwise (mean 1, variance 9), averaged over
  /// R = 20 draws: the mean is 10·K/R with K ~ Binomial(20, 0.1), so every lower tail is known exactly.
  @Test("the MSE's lower tail at small R: Bennett's bound covers the exact law everywhere; Pearson III under-covers it")
  func bennettCoversSmallR() {
    let (r, p, top) = (20, 0.1, 10.0)
    let (mean, variance) = (p * top, p * (1 - p) * top * top)
    var mass = [Double](repeating: 0, count: r + 1)
    for k in 0...r {
      mass[k] = Foundation.exp(lgamma(Double(r + 1)) - lgamma(Double(k + 1)) - lgamma(Double(r - k + 1)))
        * Foundation.pow(p, Double(k)) * Foundation.pow(1 - p, Double(r - k))
    }
    var pearsonUnderCovers = false
    for k in 0...r where top * Double(k) / Double(r) < mean {
      let exact = mass[0...k].reduce(0, +)
      let deficit = mean - top * Double(k) / Double(r)
      let bound = bennettLowerTail(deficit: deficit, mean: mean, variance: variance, draws: r)
      #expect(bound >= exact, "K = \(k): bound \(bound) below the exact \(exact)")
      let z = -deficit / (variance / Double(r)).squareRoot()
      let skewness = (1 - 2 * p) / (p * (1 - p)).squareRoot() / Double(r).squareRoot()
      if SkewedCriticalValues.tails(z: z, skewness: skewness).lower < exact / 2 { pearsonUnderCovers = true }
    }
    // K = 0 (every draw 0) has probability 0.9²⁰ = 0.12; Pearson III, bounded below at −2/γ, gives it less.
    #expect(pearsonUnderCovers)
    // Close to the mean the exponent is the normal one: t·μ/σ² → 0 gives exp(−R t²/(2σ²)).
    let t = 1e-3
    #expect(Swift.abs(bennettLowerTail(deficit: t, mean: 1, variance: 9, draws: 20) / Foundation.exp(-20 * t * t / 18) - 1) < 1e-6)
  }
}

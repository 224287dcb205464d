import Foundation
import GradVerify
import Testing

@Suite("Monte Carlo: the exact oracle agrees with the formulas to 1e-12")
struct ExactOracleTests {
  struct OracleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var make: @Sendable () -> GradientPopulation
    var testDescription: String { name }
  }

  static let cases: [OracleCase] =
    (2...10).map { n in
      OracleCase(name: "linear N=\(n) d=1") { regressionPopulation(count: n, features: 1, seed: UInt64(50 + n)) }
    } + [
      OracleCase(name: "logistic N=7 d=2") {
        gradientPopulation(
          LogisticModel(features: 2), .syntheticClusters(count: 7, features: 2, classes: 2, seed: 61), seed: 61)
      },
      OracleCase(name: "softmax N=6 d=1 K=3") {
        gradientPopulation(
          SoftmaxModel(features: 1, classes: 3), .syntheticClusters(count: 6, features: 1, classes: 3, seed: 62),
          seed: 62)
      },
      // Identical rows: Σ_N = 0, every covariance but Poisson's (1 − q)/b · g gᵀ is exactly zero.
      OracleCase(name: "identical rows N=4") {
        GradientPopulation(rows: [[Double]](repeating: [1.5, -2], count: 4).flatMap { $0 }, count: 4, dimension: 2)
      },
      // A large mean against the spread: the Poisson g gᵀ term dominates its covariance.
      OracleCase(name: "offset rows N=5") {
        GradientPopulation(rows: [3.0, 10, 3.5, 10.25, 2.75, 9.5, 3.25, 10, 2.5, 10.5], count: 5, dimension: 2)
      },
    ]

  /// How many batches the oracle enumerates, or nil where it declines (with replacement, N^b > 2·10⁶).
  static func expectedBatches(_ sampler: SamplerKind, count n: Int, batch b: Int) -> Int? {
    switch sampler {
    case .withReplacement:
      let tuples = (0..<b).reduce(1.0) { a, _ in a * Double(n) }
      return tuples <= Double(ExactOracle.maximumBatches) ? Int(tuples) : nil
    case .withoutReplacement:
      var c = 1
      for i in 0..<b { c = c * (n - i) / (i + 1) }
      return c
    case .poisson: return b == n ? 1 : 1 << n  // at q = 1 every other subset has weight 0
    case .poissonRealized: return nil
    }
  }

  @Test(
    "every (sampler, b) of a small population: mean, covariance and the law of the squared error within 1e-12 of the formulas, MSE = tr Cov",
    arguments: cases)
  func oracleMatches(_ row: OracleCase) {
    let population = row.make()
    let n = population.count
    let d = population.dimension
    var ran = 0
    var thirdChecked = 0
    for sampler in [SamplerKind.withReplacement, .withoutReplacement, .poisson] {
      for b in 1...n {
        let oracle = ExactOracle(population: population, sampler: sampler, batch: b)
        let expected = Self.expectedBatches(sampler, count: n, batch: b)
        #expect(oracle?.batches == expected, "\(sampler.rawValue) b=\(b)")
        // The sweep judges MSE by `SamplerKind.theoreticalMSE`: it must be the trace of the covariance law
        // checked here, so that this enumeration vouches for the constants of the Monte Carlo verdicts too.
        let covariance = ExactOracle.theoreticalCovariance(population: population, sampler: sampler, batch: b)
        let trace = (0..<d).map { covariance[$0 * d + $0] }.reduce(0, +)
        let mse = VarianceConvention.exact.theoreticalMSE(sampler: sampler, batch: b, population: population)
        #expect(
          mse.map { Swift.abs($0 - trace) <= 1e-12 * Swift.max(Swift.abs($0), Swift.abs(trace)) } == true,
          "\(sampler.rawValue) b=\(b): tr Cov \(trace), theoreticalMSE \(mse.map { String($0) } ?? "nil")")
        guard let oracle else { continue }
        ran += 1
        // ExactOracleExperiment.tolerance: enumeration and formula are both exact up to rounding.
        #expect(oracle.meanError <= 1e-12, "\(sampler.rawValue) b=\(b): mean error \(oracle.meanError)")
        #expect(
          oracle.covarianceError <= 1e-12, "\(sampler.rawValue) b=\(b): covariance error \(oracle.covarianceError)")
        // Var e for every sampler, κ₃(e) with replacement, Var and κ₃ of every coordinate.
        #expect(oracle.lawError <= 1e-12, "\(sampler.rawValue) b=\(b): law error \(oracle.lawError)")
        if sampler == .withReplacement { #expect(oracle.squaredErrorThirdMomentChecked) }
        if oracle.squaredErrorThirdMomentChecked { thirdChecked += 1 }
      }
    }
    #expect(thirdChecked >= 3)
    #expect(ExactOracle(population: population, sampler: .poissonRealized, batch: 1) == nil)
    #expect(ran >= 2 * n + 1)
    #expect(ExactOracleExperiment.tolerance == 1e-12)
  }

  /// Cov(ḡ_b) without replacement by brute force, independent of the library: every b-subset of the rows.
  static func enumeratedCovariance(rows: [Double], count n: Int, dimension d: Int, batch b: Int) -> [Double] {
    let mean = (0..<d).map { j in (0..<n).map { rows[$0 * d + j] }.reduce(0, +) / Double(n) }
    var second = [Double](repeating: 0, count: d * d)
    var subsets = 0
    for mask in 0..<(1 << n) where mask.nonzeroBitCount == b {
      subsets += 1
      let members = (0..<n).filter { mask & (1 << $0) != 0 }
      let e = (0..<d).map { j in members.map { rows[$0 * d + j] }.reduce(0, +) / Double(b) - mean[j] }
      for j in 0..<d {
        for k in 0..<d { second[j * d + k] += e[j] * e[k] }
      }
    }
    return second.map { $0 / Double(subsets) }
  }

  /// max |a − truth| / max |truth|.
  static func relativeDistance(_ a: [Double], _ truth: [Double]) -> Double {
    let scale = truth.map { Swift.abs($0) }.max()!
    return zip(a, truth).map { Swift.abs($0 - $1) }.max()! / scale
  }

  @Test(
    "a wrong formula is caught: the enumerated covariance sits 1e-12 from the right law and far from the wrong ones")
  func wrongFormulaCaught() {
    let population = regressionPopulation(count: 6, features: 2, seed: 63)
    let n = population.count
    let d = population.dimension
    let b = 2
    let enumerated = Self.enumeratedCovariance(rows: population.rows.doubles, count: n, dimension: d, batch: b)
    let right = ExactOracle.theoreticalCovariance(population: population, sampler: .withoutReplacement, batch: b)
    // The correct law, from an enumeration that shares no code with the library.
    #expect(Self.relativeDistance(enumerated, right) <= 1e-12)
    // The with-replacement law Σ_N/b for this without-replacement case: off by (N − 1)/(N − b) − 1 = 1/4.
    let withFormula = ExactOracle.theoreticalCovariance(population: population, sampler: .withReplacement, batch: b)
    #expect(Swift.abs(Self.relativeDistance(withFormula, enumerated) - 0.25) <= 1e-12)
    // The convention bug (1 − b/N)·Σ_N/b: off by (N − 1)/N − 1 = −1/6.
    let fpcOnSigma = population.sigma.map { (1 - Double(b) / Double(n)) * $0 / Double(b) }
    #expect(Swift.abs(Self.relativeDistance(fpcOnSigma, enumerated) - 1.0 / 6) <= 1e-12)
    // Poisson without its g gᵀ term: the mean of these gradients is not small, so the gap is large too.
    let poisson = ExactOracle.theoreticalCovariance(population: population, sampler: .poisson, batch: b)
    let poissonMissingMean = population.sigma.map { (1 - Double(b) / Double(n)) / Double(b) * $0 }
    #expect(Self.relativeDistance(poissonMissingMean, poisson) > 1e-3)
    // And the oracle itself agrees with the brute force (through its own formula).
    let oracle = ExactOracle(population: population, sampler: .withoutReplacement, batch: b)
    #expect(oracle.map { $0.covarianceError <= 1e-12 } == true)
  }
}

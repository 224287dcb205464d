import Foundation
import GradVerify
import Testing

// N1 (Sources/GradVerify/Claims/Correlated): correlated or unshuffled samples break unbiasedness and the
// variance law by the amounts enumeration predicts; the shuffled twin passes.

@Suite("N1: fixed, aligned and sliding blocks and AR(1) windows fail as predicted; shuffled blocks pass", .serialized)
struct CorrelatedVerdictTests {
  @Test("N1: fixed, aligned and sliding blocks of sorted data and AR(1) windows fail as predicted; shuffled blocks pass")
  func n1() throws {
    let (outcome, all) = try ControlSpecs.run(ControlSpecs.n1, name: "N1-small.json")
    // One row per control (one data case, one AR(1) sequence), and the twins.
    for claim in ["N1a", "N1b", "N1c", "N1d"] {
      let r = ControlSpecs.rows(outcome, claim)
      #expect(r.count == 1, "\(claim): \(all)")
      #expect(r.allSatisfy { $0.verdict == .failsAsPredicted }, "\(claim):\n\(all)")
    }
    for claim in ["N1b-C2", "N1e-C2", "N1e-twin"] {
      let r = ControlSpecs.rows(outcome, claim)
      #expect(r.count == 1, "\(claim): \(all)")
      #expect(r.allSatisfy { $0.verdict == .pass }, "\(claim):\n\(all)")
    }
    #expect(outcome.verdicts.allSatisfy { $0.verdict.holds }, "\(all)")
  }

  @Test("N1's settings in its committed spec refuse an unknown key and a value out of range, by name")
  func settingsChecked() throws {
    try CheckedDecodingTests.expectChecked(spec: "N1-correlated", object: "ar1", field: "phi", value: "1", reason: "must lie in (−1, 1)")
  }

  @Test("N1: run --threads 1 and --threads 2 write byte-identical tables")
  func threadsByteIdentical() throws {
    try ControlSpecs.expectThreadsByteIdentical(claim: "N1", spec: ControlSpecs.n1)
  }
}

@Suite("N1: measured sizes agree with the predictions", .serialized)
struct CorrelatedAgreementTests {
  /// A sorted population for N1(c): N = 64 rows of d = 2, increasing in i with a seeded wobble, so that the
  /// under-covered ends give a sliding window a clear bias.
  static func sortedPopulation() -> GradientPopulation {
    let n = 64
    var rng = PhiloxStream(seed: 7, name: "tests/n1c")
    var rows: [Double] = []
    for i in 0..<n {
      let t = Double(i) / Double(n - 1)
      rows += [t * t + 0.05 * rng.nextNormal(), 1 - 2 * t + 0.05 * rng.nextNormal()]
    }
    return GradientPopulation(rows: rows, count: n, dimension: 2)
  }

  @Test("N1(c) sliding windows: formula = enumeration to 1e-12, Monte Carlo = exact within the critical z")
  func slidingWindowBias() {
    let p = Self.sortedPopulation()
    let n = p.count
    let d = p.dimension
    let sizes = [2, 4, 8, 16, 32]
    // Bonferroni over the d coordinates at each b (the table's family for this control).
    let critical = bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: d * sizes.count)
    var seen: [Int: Double] = [:]
    for b in sizes {
      let m = ContiguousMeasurement(
        population: p, sampler: .sliding, batch: b, draws: 4000, seed: 3, name: "tests/n1c", threads: 2)
      // The test's own enumeration: every start 0…N − b, window mean minus the population mean.
      let starts = n - b + 1
      let mean = (0..<d).map { j in referenceSum((0..<n).map { p.rows[$0 * d + j] }) / Double(n) }
      let enumerated = (0..<d).map { j in
        referenceSum(
          (0..<starts).map { s in referenceSum((s..<(s + b)).map { p.rows[$0 * d + j] }) / Double(b) - mean[j] })
          / Double(starts)
      }
      let norm = enumerated.reduce(0) { $0 + $1 * $1 }.squareRoot()
      // The bias must be there (a sliding window under-covers both ends of a sorted order) for the
      // comparisons below to mean anything.
      #expect(norm > 1e-3, "b=\(b): sliding bias \(norm) too small to test")
      // 1e-12 relative: the three figures are sums of N(N − b + 1) terms of size ≤ 1.2, each rounded to
      // about u = 1.1e-16; compensated, their error is a few u·max|gᵢ| ≈ 1e-15, which is under 1e-12 of a
      // bias ≥ 1e-3. A wrong coverage count (one start too few, say) moves the bias by O(1/N) relative.
      guard let formula = m.formulaBias else {
        Issue.record("b=\(b): the sliding sampler gave no formula bias")
        continue
      }
      for j in 0..<d {
        #expect(Swift.abs(formula[j] - enumerated[j]) <= 1e-12 * norm, "b=\(b) j=\(j): formula \(formula[j]) vs \(enumerated[j])")
        #expect(Swift.abs(m.exactBias[j] - enumerated[j]) <= 1e-12 * norm, "b=\(b) j=\(j): exact \(m.exactBias[j]) vs \(enumerated[j])")
        // Monte Carlo against exact: (mean of the R block errors − exact bias)/se, within the critical z.
        let se = m.measured.meanErrorStandardError[j]
        let z = Swift.abs(m.measured.meanError[j] - enumerated[j]) / se
        #expect(se > 0 && z <= critical, "b=\(b) j=\(j): MC \(m.measured.meanError[j]) ± \(se) vs exact \(enumerated[j]), z \(z) > \(critical)")
      }
      seen[b] = m.measured.maxAbsoluteBiasZ
      #expect(m.biasAgreementZ <= critical, "b=\(b): library's agreement z \(m.biasAgreementZ)")
      // A wrong cause: the bias of a sampler that over-covers the ends (the other sign) is rejected where the
      // bias is resolved.
      var wrong = m
      wrong.exactBias = m.exactBias.map { -$0 }
      if m.measured.maxAbsoluteBiasZ > critical { #expect(wrong.biasAgreementZ > critical, "b=\(b)") }
    }
    // The Monte Carlo must see the bias clearly where it is large against its noise (the wider windows: the
    // bias grows like b/N), so that the agreement above is not vacuous. At b = 2, 4 it is below the noise.
    #expect([16, 32].allSatisfy { (seen[$0] ?? 0) > critical }, "MC bias z by b: \(seen.sorted { $0.key < $1.key })")
  }

  @Test("N1(d) AR(1) windows: MC = exact design effect within z; exact = 1 + 2 Σ (1 − k/b) ρ̂ₖ of the same sequence")
  func ar1DesignEffect() {
    let phi = 0.9
    let n = 2048
    let seed: UInt64 = 20_261_128
    let sizes = [1, 4, 16, 64]
    let experiment = CorrelatedExperiment(draws: 4000, alpha: 0.01)
    let records = experiment.ar1Records(AR1Settings(phi: phi, count: n, batchSizes: sizes), seed: seed, threads: 2)
    #expect(records.count == sizes.count)
    // The same sequence as the library's: the stream "data/ar1", a stationary start, then xₜ = φ xₜ₋₁ + εₜ.
    var rng = PhiloxStream(seed: seed, name: "data/ar1")
    var x = rng.nextNormal() / (1 - phi * phi).squareRoot()
    var values: [Double] = []
    for _ in 0..<n {
      values.append(x)
      x = phi * x + rng.nextNormal()
    }
    // Circular sample autocovariances γ̂ₖ = (1/N) Σᵢ (xᵢ − x̄)(x₍ᵢ₊ₖ₎ mod N − x̄), ρ̂ₖ = γ̂ₖ/γ̂₀.
    let mean = referenceSum(values) / Double(n)
    let centred = values.map { $0 - mean }
    func gamma(_ k: Int) -> Double { referenceSum((0..<n).map { centred[$0] * centred[($0 + k) % n] }) / Double(n) }
    let gamma0 = gamma(0)
    // Bonferroni over the sizes (one MSE comparison each).
    let critical = bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: sizes.count)
    for record in records {
      let m = record.measurement
      let b = m.batch
      var independent = 1.0
      for k in 1..<Swift.max(1, b) { independent += 2 * (1 - Double(k) / Double(b)) * gamma(k) / gamma0 }
      let biasSquared = m.exactBias.reduce(0) { $0 + $1 * $1 }
      let exact = (m.exactMSE - biasSquared) / m.independentMSE
      // 1e-10 relative: the window variance (1/b²) Σₛ,ₜ γ̂(s − t) is this sum exactly, so the two differ only
      // by rounding in sums of N·b ≤ 1.3e5 products (≲ 1e-12 relative). Dropping the (1 − k/b) weights or
      // one lag changes the value at b = 4 by 10% or more.
      #expect(Swift.abs(exact - independent) <= 1e-10 * independent, "b=\(b): exact deff \(exact) vs 1+2Σ(1−k/b)ρ̂ₖ \(independent)")
      // The iid reference σ²/b is γ̂₀/b (compensated sums of the same 2048 squares: 1e-12 is ample).
      #expect(Swift.abs(m.independentMSE - gamma0 / Double(b)) <= 1e-12 * gamma0 / Double(b), "b=\(b)")
      // The process value 1 + 2 Σ_{k<b} (1 − k/b) φᵏ reported beside it (a sum of b terms: 1e-12 relative).
      var process = 1.0
      for k in 1..<Swift.max(1, b) { process += 2 * (1 - Double(k) / Double(b)) * Foundation.pow(phi, Double(k)) }
      #expect(record.processDesignEffect.map { Swift.abs($0 - process) <= 1e-12 * process } == true, "b=\(b)")
      // Monte Carlo against exact: the design effect's z is the MSE's z (both scaled by the same reference).
      let se = m.measured.meanSquaredErrorStandardError
      let z = (m.measured.meanSquaredError - m.exactMSE) / se
      #expect(se > 0 && Swift.abs(z) <= critical, "b=\(b): MC deff z \(z) > \(critical)")
      // The correlation is there: at b ≥ 4 the exact design effect is well above the iid value 1 (for φ = 0.9
      // the process values are 3.5, 9.8 and 16.2 at b = 4, 16, 64), and far from it in Monte Carlo units.
      if b >= 4 {
        let measured = (m.measured.meanSquaredError - biasSquared) / m.independentMSE
        #expect(exact > 2 && (measured - 1) / (se / m.independentMSE) > critical, "b=\(b): deff \(exact), MC \(measured)")
        // A wrong cause: the MSE predicted as if the windows were iid (design effect 1) is rejected.
        var wrong = m
        wrong.exactMSE = biasSquared + m.independentMSE
        #expect(Swift.abs(wrong.mseAgreementZ) > critical, "b=\(b): iid prediction z \(wrong.mseAgreementZ)")
      }
    }
  }
}

@Suite("N1: a control without its cause is an UNEXPECTED-PASS", .serialized)
struct CorrelatedCauseRemovedTests {
  /// A population whose every row is the same dyadic vector: every block's mean is exactly g, so no
  /// contiguous sampler can show a bias or an excess variance (and no rounding can fake one).
  static func constantPopulation(count n: Int) -> GradientPopulation {
    GradientPopulation(rows: (0..<n).flatMap { _ in [0.5, -1.25, 3.0] }, count: n, dimension: 3)
  }

  @Test("N1 on rows with no spread: no bias at any sampler, so the control's verdict is UNEXPECTED-PASS", arguments: ContiguousSampler.allCases)
  func n1WithoutSpread(_ sampler: ContiguousSampler) {
    let p = Self.constantPopulation(count: 32)
    let critical = bonferroniCriticalZ(familyWiseAlpha: 0.01, tests: 4 * p.dimension)
    for b in [2, 4, 8, 16] {
      let m = ContiguousMeasurement(
        population: p, sampler: sampler, batch: b, draws: 1000, seed: 1, name: "tests/constant", threads: 2)
      #expect(m.exactBias == [0, 0, 0] && m.exactMSE == 0, "\(sampler) b=\(b): \(m.exactBias) \(m.exactMSE)")
      #expect(m.measured.maxAbsoluteBiasZ == 0 && m.measured.meanSquaredError == 0, "\(sampler) b=\(b)")
      // The verdict of N1(a)/(c) as the experiment forms it: broke when the Monte Carlo sees a bias.
      let verdict = Verdict.control(broke: m.measured.maxAbsoluteBiasZ > critical, sizeAsPredicted: m.biasAgreementZ <= critical)
      #expect(verdict == .unexpectedPass, "\(sampler) b=\(b): \(verdict)")
      #expect(!verdict.holds)
    }
  }

  @Test("N1 through the experiment on a data set whose gradients are all equal: N1a, N1b, N1c are UNEXPECTED-PASS")
  func n1ExperimentWithoutSpread() throws {
    // Linear model at θ = 0 (scale 0) on x ≡ 1, y ≡ 1: every example's gradient is [−1, −1] exactly.
    let n = 32
    let data = Dataset(
      name: "constant", featureNames: ["x"], features: [Double](repeating: 1, count: n),
      targets: [Double](repeating: 1, count: n), classNames: [])
    let experiment = CorrelatedExperiment(draws: 1000, alpha: 0.01)
    let result = try experiment.run(
      model: ModelChoice(kind: .linear), data: data, points: [ParameterPointSpec(name: "zero", scale: 0)], seed: 1,
      threads: 2)
    let verdicts = experiment.verdicts(result)
    let all = verdicts.map { "\($0.claim) \($0.caseName): \($0.keyFigure) → \($0.verdict.rawValue)" }.joined(separator: "\n")
    for claim in ["N1a", "N1b", "N1c"] {
      #expect(verdicts.filter { $0.claim == claim }.map(\.verdict) == [.unexpectedPass], "\(claim):\n\(all)")
    }
    #expect(verdicts.filter { $0.claim == "N1b-C2" || $0.claim == "N1e-C2" }.map(\.verdict) == [.pass, .pass], "\(all)")
    // Degenerate case (a fixed regression): with every gradient equal, the shuffled twin's exact MSE and
    // simple random sampling's value are both 0 and so is their spread; 0/0 must count as agreement.
    #expect(verdicts.filter { $0.claim == "N1e-twin" }.map(\.verdict) == [.pass], "\(all)")
  }

  @Test("N1b on a data set with no order (iid gradients) should be UNEXPECTED-PASS")
  func n1bWithoutOrder() throws {
    // Synthetic regression with every target 0: sorting by target keeps the file order (ties in file
    // order), and the gradients rᵢ·[xᵢ, 1], rᵢ = θ·xᵢ + b, are iid in that order: the cause of N1(b) is gone.
    let base = Dataset.syntheticRegression(count: 64, features: 2, seed: 1)
    let data = Dataset(
      name: "unordered", featureNames: base.featureNames, features: base.features,
      targets: [Double](repeating: 0, count: 64), classNames: [])
    let experiment = CorrelatedExperiment(draws: 4000, alpha: 0.01)
    let result = try experiment.run(
      model: ModelChoice(kind: .linear), data: data, points: [ParameterPointSpec(name: "unit", scale: 1)], seed: 1,
      threads: 2)
    let z = experiment.criticalZ(result)
    // Evidence that the order carries nothing: at every b the K aligned blocks' exact MSE sits within z of
    // simple random sampling's value, in units of its spread under a random order (the twin's own test).
    let aligned = result.records.filter { $0.order == "sorted" && $0.measurement.sampler == .aligned }
    #expect(aligned.count == 5)
    for r in aligned where r.measurement.starts >= CorrelatedExperiment.minimumBlocks {
      let m = r.measurement
      let spread = Swift.abs(m.exactMSE - m.simpleRandomMSE) / m.shuffledOrderStandardError
      #expect(spread <= z, "b=\(m.batch): exact MSE \(m.exactMSE) vs simple random \(m.simpleRandomMSE), z \(spread)")
    }
    let n1b = experiment.verdicts(result).filter { $0.claim == "N1b" }
    #expect(n1b.count == 1)
    // N1(b) must judge "broke" against the spread of K blocks' mean under a random order, not against the
    // far smaller Monte Carlo error (a fixed regression: with the latter, this orderless data set "broke"
    // because its exact design effect reached 5.2 with K = 2 blocks at b = 32).
    #expect(n1b.map(\.verdict) == [.unexpectedPass], "\(n1b.map { "\($0.keyFigure) → \($0.verdict.rawValue)" })")
  }

  @Test("N1d on an AR(1) sequence with φ = 0 (white noise) should be UNEXPECTED-PASS")
  func n1dWithoutCorrelation() {
    let n = 2048
    let sizes = [1, 4, 16, 64]
    let experiment = CorrelatedExperiment(draws: 4000, alpha: 0.01)
    let result = CorrelatedExperiment.Result(
      records: experiment.ar1Records(AR1Settings(phi: 0, count: n, batchSizes: sizes), seed: 1, threads: 2))
    let z = experiment.criticalZ(result)
    // Evidence that the sequence carries no correlation: for white noise ρ̂ₖ ≈ N(0, 1/N), nearly independent
    // over k (Bartlett), so the exact design effect 1 + 2 Σ (1 − k/b) ρ̂ₖ spreads about 1 with variance
    // (4/N) Σ_{k<b} (1 − k/b)². At every b it sits within z of 1 in those units.
    for r in result.records where r.measurement.batch > 1 {
      let m = r.measurement
      let b = Double(m.batch)
      let exact = (m.exactMSE - m.exactBias.reduce(0) { $0 + $1 * $1 }) / m.independentMSE
      let spread = ((4 / Double(n)) * (1..<m.batch).reduce(0.0) { $0 + (1 - Double($1) / b) * (1 - Double($1) / b) }).squareRoot()
      #expect(Swift.abs(exact - 1) / spread <= z, "b=\(m.batch): exact deff \(exact), white-noise spread \(spread)")
    }
    let n1d = experiment.verdicts(result).filter { $0.claim == "N1d" }
    #expect(n1d.count == 1)
    // N1(d) must judge the excess over 1 against white noise's own spread of 1 + 2Σ(1 − k/b)ρ̂ₖ (≈ 0.20 at
    // b = 64, N = 2048), not the Monte Carlo error √(2/R) (a fixed regression: white noise at 1.13 "broke").
    #expect(n1d.map(\.verdict) == [.unexpectedPass], "\(n1d.map { "\($0.keyFigure) → \($0.verdict.rawValue)" })")
  }
}

extension ControlSpecs {
  /// N1 on sorted synthetic regression (N = 64: aligned sizes 2, 4, 8, 16, 32), with an AR(1) sequence of
  /// 2048 values in circular windows. 4000 draws per cell keep the whole run well under a second.
  static let n1 = """
    {"claim": "N1", "title": "n1 small", "seed": 20261128, "alpha": 0.01, "draws": 4000,
     "points": [{"name": "unit", "scale": 1}],
     "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 256, "d": 1, "seed": 51}}],
     "ar1": {"phi": 0.9, "n": 2048, "batch_sizes": [1, 4, 16, 64]}}
    """
}

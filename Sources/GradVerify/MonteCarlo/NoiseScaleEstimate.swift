/// The two-batch estimators of the gradient noise scale, from pairs of independent batches drawn without
/// replacement, against their exact expectations for a finite population.
///
/// ```
/// E‖ḡ_b‖² = ‖g‖² + (N − b)/(N b) · tr S²                        (without replacement)
/// Ŝ = (‖ḡ_small‖² − ‖ḡ_big‖²) / (1/b_small − 1/b_big)       E[Ŝ] = tr S²
/// Ĝ = (b_big‖ḡ_big‖² − b_small‖ḡ_small‖²) / (b_big − b_small)   E[Ĝ] = ‖g‖² − tr S²/N   (may be < 0)
/// B_simple ≈ Ŝ/Ĝ, estimating tr Σ/‖g‖²
/// Var ‖ḡ_b‖² = Var e + 4 gᵀCov(ḡ_b) g + 4 Cov(g·δ, e),  δ = ḡ_b − g,  e = ‖δ‖²,
///   Cov(g·δ, e) = (π1 − 3π2 + 2π3) Σᵢ (g·dᵢ)‖dᵢ‖² / b³       (without replacement, π_r = b^(r)/N^(r))
/// Var Ŝ = (V_small + V_big)/(1/b_small − 1/b_big)²,  Var Ĝ = (b_big² V_big + b_small² V_small)/(b_big − b_small)²
/// ```
/// The two batches of a pair are independent, so the variances add. Each estimator is judged by its exact
/// null variance and the skewness of its mean estimated from the draws: tail probabilities of Pearson's
/// type III law (`pearsonTypeIIITails`, exact gamma tails, monotone for any skewness).
/// S. McCandlish, J. Kaplan, D. Amodei and the OpenAI Dota Team, "An Empirical Model of Large-Batch
/// Training", arXiv:1812.06162 (2018), Appendix A.
package struct NoiseScaleEstimate: Sendable {
  public var small: Int
  public var big: Int
  public var draws: Int
  /// Mean of Ŝ and its Monte Carlo standard error.
  public var traceEstimate: Double
  public var traceStandardError: Double
  /// Mean of Ĝ and its Monte Carlo standard error.
  public var normEstimate: Double
  public var normStandardError: Double
  /// The exact expectations tr S² and ‖g‖² − tr S²/N.
  public var traceExpected: Double
  public var normExpected: Double

  /// Exact null standard errors of the two means (set by `judge`).
  public var traceNullStandardError = Double.nan
  public var normNullStandardError = Double.nan
  /// Third central moments of one draw of Ŝ and Ĝ about their expectations, estimated from the draws.
  public var traceThirdMoment: Double
  public var normThirdMoment: Double
  /// The run's verdict on both estimators, the skewness γ of each mean, the tests, and the relative
  /// deviation of tr S² that the Ŝ test detects with probability ½ (set by `judge`).
  public var verdict: Verdict?
  public var traceSkewness = 0.0
  public var normSkewness = 0.0
  public var traceTest: TailTest?
  public var normTest: TailTest?
  public var detectableRelativeTraceDeviation: Double?

  /// The two estimators as tests, for the calibration.
  public var nullTests: [NullTest] {
    guard let traceTest, let normTest else { return [] }
    return [
      NullTest(claim: .noiseTrace, index: 0, test: traceTest,
               estimatedStandardErrorZ: (traceEstimate - traceExpected) / traceStandardError),
      NullTest(claim: .noiseNorm, index: 0, test: normTest,
               estimatedStandardErrorZ: (normEstimate - normExpected) / normStandardError),
    ]
  }

  /// z against the exact null standard error.
  public var traceZ: Double { (traceEstimate - traceExpected) / traceNullStandardError }
  public var normZ: Double { (normEstimate - normExpected) / normNullStandardError }

  struct Sums: Sendable {
    var s = 0.0, s2 = 0.0, s3 = 0.0, g = 0.0, g2 = 0.0, g3 = 0.0
  }

  /// (b_small, b_big) = (max(2, N/32), N/2), or nil when N < 8.
  public static func sizes(count n: Int) -> (small: Int, big: Int)? {
    let (small, big) = (Swift.max(2, n / 32), n / 2)
    return n >= 8 && small < big ? (small, big) : nil
  }

  /// The estimators a sweep runs: b_small = max(2, N/32), b_big = N/2, when N ≥ 8.
  public static func sweepDefault(
    population: GradientPopulation, draws: Int, seed: UInt64, name: String, threads: Int, gram: CentredGram? = nil
  ) -> NoiseScaleEstimate? {
    guard let (small, big) = sizes(count: population.count) else { return nil }
    return NoiseScaleEstimate(
      population: population, small: small, big: big, draws: draws, seed: seed, name: name, threads: threads, gram: gram)
  }

  /// Var ‖ḡ_b‖² without replacement, exactly (see the type's formulas).
  public static func normSquaredVariance(
    batch b: Int, population p: GradientPopulation, moments m: PopulationMoments
  ) -> Double {
    let law = SquaredErrorLaw(sampler: .withoutReplacement, batch: b, population: p, moments: m)!
    let n = Double(p.count)
    let bd = Double(b)
    var pi = [1.0]
    for r in 0..<3 { pi.append(pi[r] * Swift.max(0, bd - Double(r)) / Swift.max(1, n - Double(r))) }
    let finite = p.count > 1 ? (n - bd) / (n - 1) : 0
    let linear = finite / bd * m.meanQuadraticForm
    let cross = (pi[1] - 3 * pi[2] + 2 * pi[3]) * m.projectedThirdMoment / (bd * bd * bd)
    return Swift.max(0, law.variance + 4 * linear + 4 * cross)
  }

  /// The draws the estimators need (`--draws auto`), as `SquaredErrorDraws` chooses them for C3: enough
  /// that a deviation of 10% of tr S² lies about two critical distances out at per-tail level L,
  /// R = min(R_max, ⌈max(20, (2·z_L·sd(Ŝ)/(0.1·tr S²))²)⌉), from the exact Var Ŝ only.
  public static func drawsByPower(
    population p: GradientPopulation, moments m: PopulationMoments, level: Double, maximum: Int
  ) -> Int {
    guard let (small, big) = sizes(count: p.count) else { return maximum }
    let (bs, bb) = (Double(small), Double(big))
    let variance = (normSquaredVariance(batch: small, population: p, moments: m) + normSquaredVariance(batch: big, population: p, moments: m))
      / ((1 / bs - 1 / bb) * (1 / bs - 1 / bb))
    let expected = p.traceSigma * Double(p.count) / Double(p.count - 1)
    let spread = 2 * (-normalQuantile(level)) * variance.squareRoot() / (0.1 * expected)
    return SquaredErrorDraws.rounded(needed: spread * spread, maximum: maximum)
  }

  /// Judges both estimators against their exact null variances at the run's per-tail level L.
  public mutating func judge(moments m: PopulationMoments, population p: GradientPopulation, level: Double) {
    let vs = Self.normSquaredVariance(batch: small, population: p, moments: m)
    let vb = Self.normSquaredVariance(batch: big, population: p, moments: m)
    let (bs, bb) = (Double(small), Double(big))
    let traceVariance = (vs + vb) / ((1 / bs - 1 / bb) * (1 / bs - 1 / bb))
    let normVariance = (bb * bb * vb + bs * bs * vs) / ((bb - bs) * (bb - bs))
    traceNullStandardError = (traceVariance / Double(draws)).squareRoot()
    normNullStandardError = (normVariance / Double(draws)).squareRoot()
    traceSkewness = SkewedCriticalValues.meanSkewness(thirdCentralMoment: traceThirdMoment, variance: traceVariance, draws: draws)
    normSkewness = SkewedCriticalValues.meanSkewness(thirdCentralMoment: normThirdMoment, variance: normVariance, draws: draws)
    func test(_ z: Double, _ gamma: Double, _ deviation: Double, _ scale: Double) -> TailTest {
      guard z.isFinite else {
        return .zeroSpread(deviation: deviation, withinRounding: Swift.abs(deviation) <= 64 * RoundingBoundNumber.unitRoundoff * scale)
      }
      let p = SkewedCriticalValues.tails(z: z, skewness: gamma)
      return TailTest(z: z, lower: p.lower, upper: p.upper, method: .gamma, withinRounding: false)
    }
    let trace = test(traceZ, traceSkewness, traceEstimate - traceExpected, Swift.abs(traceExpected))
    let norm = test(normZ, normSkewness, normEstimate - normExpected, p.meanNormSquared)
    traceTest = trace
    normTest = norm
    let critical = SkewedCriticalValues(z: -normalQuantile(level), skewness: traceSkewness)
    detectableRelativeTraceDeviation = traceExpected > 0
      ? Swift.max(critical.upper, -critical.lower) * traceNullStandardError / traceExpected : nil
    verdict = trace.rejection(level: level) == 0 && norm.rejection(level: level) == 0 ? .pass : .fail
  }

  /// Runs `draws` independent pairs in blocks, as `MiniBatchSweep` does (bit-identical for any thread count).
  /// Where `gram` serves both sizes, each ‖ḡ_b‖² is read from it (`CentredGram.squaredMeanNorm`) instead of
  /// the rows.
  public init(
    population p: GradientPopulation, small: Int, big: Int, draws: Int, seed: UInt64, name: String, threads: Int,
    gram: CentredGram? = nil
  ) {
    precondition(1 <= small && small < big && big <= p.count && draws >= 2, "need 1 ≤ small < big ≤ N and R ≥ 2")
    let n = p.count
    let d = p.dimension
    let samplers = [small, big].map { BatchSampler(kind: .withoutReplacement, count: n, batch: $0) }
    let cell = SweepCell(sampler: .withoutReplacement, batch: small)
    let fromGram = gram.flatMap { k in
      [small, big].allSatisfy { k.serves(SweepCell(sampler: .withoutReplacement, batch: $0)) } ? k : nil
    }
    // Two statistics per draw: s, the trace estimate, and g, the squared-norm estimate. Where the big
    // batches are dense (`DrawGroupSums`), their sums are taken 16 draws at a time after the draws.
    let groupBig = fromGram == nil && DrawGroupSums.serves(
      listed: samplers[1].drawSize, count: n, rowBytes: p.rows.byteCount / n)
    let groupSize = DrawGroupSums.groupSize
    let (bs, bb) = (Double(small), Double(big))
    /// ‖ḡ_b‖² from the listed rows' sum (the batch's, or its complement's).
    @Sendable func squaredMeanNorm(listedSum acc: UnsafePointer<Double>, sampler: BatchSampler, divisor: Double) -> Double {
      var norm = 0.0
      for j in 0..<d {
        let mean = (sampler.drawsComplement ? p.total[j] - acc[j] : acc[j]) / divisor
        norm += mean * mean
      }
      return norm
    }
    let mc = BlockedMonteCarlo(
      draws: draws, statistics: 2, threads: threads,
      stream: { block in MiniBatchSweep.stream(seed: seed, name: "noise-scale/\(name)/big=\(big)", cell: cell, block: block) },
      makeScratch: { BlockScratch(count: n, dimension: d) }
    ) { rng, scratch, count, values in
      var norms = [Double](repeating: 0, count: 2 * count)
      var divisors = [Double](repeating: 0, count: groupSize)
      p.rows.withElements { rows in
        for t in 0..<count {
          for (k, sampler) in samplers.enumerated() {
            if k == 1 && groupBig {
              divisors[t % groupSize] = sampler.draw(into: &scratch.group.lists[t % groupSize], workspace: &scratch.workspace, using: &rng)
              guard t % groupSize == groupSize - 1 || t == count - 1 else { continue }
              let first = t - t % groupSize
              scratch.group.sum(rows: rows, count: n, dimension: d, draws: t - first + 1)
              scratch.group.sums.withUnsafeBufferPointer { sums in
                for q in first...t {
                  norms[2 * q + 1] = squaredMeanNorm(
                    listedSum: sums.baseAddress! + (q - first) * d, sampler: sampler, divisor: divisors[q - first])
                }
              }
              continue
            }
            let divisor = sampler.draw(into: &scratch.indices, workspace: &scratch.workspace, using: &rng)
            if let fromGram {
              norms[2 * t + k] = scratch.indices.withUnsafeBufferPointer {
                fromGram.squaredMeanNorm(
                  list: $0, complement: sampler.drawsComplement, batch: sampler.batch, meanNormSquared: p.meanNormSquared)
              }
              continue
            }
            scratch.accumulator.withUnsafeMutableBufferPointer { acc in
              MiniBatchSweep.gatherSum(rows: rows, dimension: d, indices: scratch.indices, into: acc)
              norms[2 * t + k] = squaredMeanNorm(listedSum: acc.baseAddress!, sampler: sampler, divisor: divisor)
            }
          }
        }
      }
      for t in 0..<count {
        values[2 * t] = (norms[2 * t] - norms[2 * t + 1]) / (1 / bs - 1 / bb)
        values[2 * t + 1] = (bb * norms[2 * t + 1] - bs * norms[2 * t]) / (bb - bs)
      }
    }
    let total = Sums(
      s: mc.sum[0], s2: mc.squareSum[0], s3: mc.cubeSum[0], g: mc.sum[1], g2: mc.squareSum[1], g3: mc.cubeSum[1])
    let r = Double(draws)
    self.small = small
    self.big = big
    self.draws = draws
    traceEstimate = total.s / r
    normEstimate = total.g / r
    traceStandardError = (Swift.max(0, (total.s2 - r * traceEstimate * traceEstimate) / (r - 1)) / r).squareRoot()
    normStandardError = (Swift.max(0, (total.g2 - r * normEstimate * normEstimate) / (r - 1)) / r).squareRoot()
    let traceS2 = p.traceSigma * Double(n) / Double(n - 1)
    traceExpected = traceS2
    normExpected = p.meanNormSquared - traceS2 / Double(n)
    func third(_ s1: Double, _ s2: Double, _ s3: Double, _ mu: Double) -> Double {
      SkewedCriticalValues.thirdCentralMoment(powerSums: [s1, s2, s3], about: mu, draws: draws)
    }
    traceThirdMoment = third(total.s, total.s2, total.s3, traceExpected)
    normThirdMoment = third(total.g, total.g2, total.g3, normExpected)
  }
}

/// The two-batch estimators of the gradient noise scale, from pairs of independent batches drawn without
/// replacement, against their exact expectations for a finite population.
///
/// ```
/// E‖ḡ_b‖² = ‖g‖² + (N − b)/(N b) · tr S²                        (without replacement)
/// Ŝ = (‖ḡ_small‖² − ‖ḡ_big‖²) / (1/b_small − 1/b_big)       E[Ŝ] = tr S²
/// Ĝ = (b_big‖ḡ_big‖² − b_small‖ḡ_small‖²) / (b_big − b_small)   E[Ĝ] = ‖g‖² − tr S²/N   (may be < 0)
/// B_simple ≈ Ŝ/Ĝ, estimating tr Σ/‖g‖²
/// ```
/// S. McCandlish, J. Kaplan, D. Amodei and the OpenAI Dota Team, "An Empirical Model of Large-Batch
/// Training", arXiv:1812.06162 (2018), Appendix A.
public struct NoiseScaleEstimate: Sendable {
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

  public var traceZ: Double { (traceEstimate - traceExpected) / traceStandardError }
  public var normZ: Double { (normEstimate - normExpected) / normStandardError }

  struct Sums: Sendable {
    var s = 0.0, s2 = 0.0, g = 0.0, g2 = 0.0
  }

  /// Runs `draws` independent pairs in blocks, as `MiniBatchSweep` does (bit-identical for any thread count).
  public init(population p: GradientPopulation, small: Int, big: Int, draws: Int, seed: UInt64, name: String, threads: Int) {
    precondition(1 <= small && small < big && big <= p.count && draws >= 2, "need 1 ≤ small < big ≤ N and R ≥ 2")
    let n = p.count
    let d = p.dimension
    let blockSize = MiniBatchSweep.blockSize
    let blocks = (draws + blockSize - 1) / blockSize
    let samplers = [small, big].map { BatchSampler(kind: .withoutReplacement, count: n, batch: $0) }
    let cell = SweepCell(sampler: .withoutReplacement, batch: small)
    let parts = parallelJobs(
      count: blocks, threads: threads,
      makeScratch: { (SamplerWorkspace(count: n), [Int32](), [Double](repeating: 0, count: d)) }
    ) { block, scratch -> Sums in
      var rng = MiniBatchSweep.stream(seed: seed, name: "noise-scale/\(name)/big=\(big)", cell: cell, block: block)
      var sums = Sums()
      let count = Swift.min(blockSize, draws - block * blockSize)
      p.rows.withUnsafeBufferPointer { rows in
        scratch.2.withUnsafeMutableBufferPointer { acc in
          for _ in 0..<count {
            var norms = [0.0, 0.0]
            for (k, sampler) in samplers.enumerated() {
              let divisor = sampler.draw(into: &scratch.1, workspace: &scratch.0, using: &rng)
              MiniBatchSweep.gatherSum(rows: rows, dimension: d, indices: scratch.1, into: acc)
              for j in 0..<d {
                let mean = (sampler.drawsComplement ? p.total[j] - acc[j] : acc[j]) / divisor
                norms[k] += mean * mean
              }
            }
            let bs = Double(small)
            let bb = Double(big)
            let s = (norms[0] - norms[1]) / (1 / bs - 1 / bb)
            let g = (bb * norms[1] - bs * norms[0]) / (bb - bs)
            sums.s += s
            sums.s2 += s * s
            sums.g += g
            sums.g2 += g * g
          }
        }
      }
      return sums
    }
    var total = Sums()
    for part in parts {
      total.s += part.s
      total.s2 += part.s2
      total.g += part.g
      total.g2 += part.g2
    }
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
  }
}

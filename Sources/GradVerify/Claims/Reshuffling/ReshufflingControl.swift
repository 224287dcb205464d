
/// One epoch of random reshuffling, as data loaders do it: a uniform permutation of the N examples cut into
/// batches of b (the last one shorter when b does not divide N). Exactly:
///
/// ```
/// Cov(ḡ_{B_j}, ḡ_{B_k}) = −Σ_N/(N − 1)  (j ≠ k),   so   E[(ḡ_{B_1} − g)·(ḡ_{B_2} − g)] = −tr Σ_N/(N − 1)
/// ```
/// (zero for two independent batches), and the running mean of the first k batches is a simple random
/// sample of m = kb, with E‖ḡ_m − g‖² = (N − m)/(N − 1) · tr Σ_N/m and the exact null variance of
/// `SquaredErrorLaw`; at the end of the epoch it is g itself. Every running sum here is exact, so the epoch's
/// mean equals the exactly rounded g to the bit, whatever the order.
///
/// The batches' covariance (the control) and the independent twin are judged with the Monte Carlo
/// standard error of the draws (their exact variance is a fourth-moment expression not used here); the
/// running mean's error with its exact null variance.
package struct ReshufflingControl: Sendable {
  /// A mean of per-epoch statistics against its prediction.
  public struct MeanTest: Sendable {
    public var mean: Double
    public var standardError: Double
    public var prediction: Double
    public var criticalZ: Double

    public var z: Double { Self.ratio(mean - prediction, standardError) }
    /// |mean|/se: is the covariance non-zero at all?
    public var zeroZ: Double { Self.ratio(mean, standardError) }
    /// |prediction|/se: detectable with power 0.99 when ≥ z* + z₀.₉₉.
    public var detectable: Bool { Self.ratio(prediction, standardError) >= criticalZ + normalQuantile(0.99) }

    static func ratio(_ x: Double, _ se: Double) -> Double { se > 0 ? Swift.abs(x) / se : (x == 0 ? 0 : .infinity) }

    /// The control: batches of one epoch are not independent. FAILS-AS-PREDICTED when the covariance is
    /// non-zero and equals −tr Σ_N/(N − 1) within z*; UNEXPECTED-PASS when it is zero; INCONCLUSIVE when
    /// the predicted covariance is too small for the draws to see.
    public var controlVerdict: Verdict {
      let broke = zeroZ > criticalZ
      if !broke && !detectable && prediction != 0 { return .inconclusive }
      return .control(broke: broke, sizeAsPredicted: Swift.abs(z) <= criticalZ)
    }

    /// A claim that the mean is its prediction: PASS within z*.
    public var claimVerdict: Verdict { Swift.abs(z) <= criticalZ ? .pass : .fail }
  }

  /// The running mean after k batches (m = k·b examples).
  public struct Checkpoint: Sendable {
    public var batches: Int
    public var examples: Int
    public var meanSquaredError: Double
    public var law: SquaredErrorLaw
    public var critical: SkewedCriticalValues

    public var nullStandardError: Double
    public var z: Double { (meanSquaredError - law.mean) / nullStandardError }
    public var accepted: Bool { critical.accepts(z) }
  }

  public var count: Int
  public var batch: Int
  public var epochs: Int
  /// (ḡ_{B_1} − g)·(ḡ_{B_2} − g) within one epoch (the control), and with B_2 drawn independently (the twin).
  public var epochPair: MeanTest
  public var independentPair: MeanTest
  public var checkpoints: [Checkpoint]
  /// Epochs whose final mean differed from g in some coordinate (0: every epoch ended exactly at g).
  public var epochsNotEndingAtG: Int

  /// - Parameters:
  ///   - checkpointBatches: the k at which the running mean is judged (each k·b < N).
  ///   - criticalZ: the Bonferroni critical |z| of one test of the claim's family.
  ///   - skipsExample: a deliberate loader bug for the tests: this example is replaced by the next one in
  ///     every permutation (seen twice, the other never); nil for the real loader.
  public init(
    population p: GradientPopulation, batch b: Int, epochs: Int, checkpointBatches: [Int], seed: UInt64, name: String,
    criticalZ: Double, threads: Int, skipsExample: Int? = nil
  ) {
    let n = p.count
    let d = p.dimension
    precondition(b >= 1 && 2 * b <= n, "two batches must fit in one epoch")
    precondition(checkpointBatches.allSatisfy { $0 >= 1 && $0 * b < n }, "checkpoints must lie inside the epoch")
    let g = (0..<d).map { j in ExactSum((0..<n).map { p.rows[$0 * d + j] }).value / Double(n) }
    let stats = 2 + checkpointBatches.count + 1
    let marks = Dictionary(uniqueKeysWithValues: checkpointBatches.enumerated().map { ($1, $0) })
    let mc = BlockedMonteCarlo(
      draws: epochs, statistics: stats, threads: threads,
      stream: { PhiloxStream(seed: seed, name: "rr/\(name)/b=\(b)/epochs", substream: UInt64($0)) },
      makeScratch: { (Array(0..<n), [Double](repeating: 0, count: d), [Double](repeating: 0, count: d)) }
    ) { rng, scratch, values in
      // Every epoch permutes the identity, so an epoch depends on its own random numbers only.
      for i in 0..<n { scratch.0[i] = i }
      for i in stride(from: n - 1, to: 0, by: -1) { scratch.0.swapAt(i, Int(rng.nextBounded(UInt64(i + 1)))) }
      if let skipped = skipsExample, let at = scratch.0.firstIndex(of: skipped) { scratch.0[at] = (skipped + 1) % n }
      var sums = [ExactSum](repeating: ExactSum(), count: d)
      var batchIndex = 0
      for start in stride(from: 0, to: n, by: b) {
        let end = Swift.min(start + b, n)
        for t in start..<end {
          let row = scratch.0[t] * d
          for j in 0..<d { sums[j].add(p.rows[row + j]) }
        }
        batchIndex += 1
        if batchIndex <= 2 {
          // Batch 1's error, then batch 2's from the running sums: ḡ_{B_2} = (S_2b − S_b)/b.
          for j in 0..<d {
            let mean = sums[j].value / Double(end)
            if batchIndex == 1 {
              scratch.1[j] = mean - g[j]
            } else {
              scratch.2[j] = (2 * mean - (scratch.1[j] + g[j])) - g[j]
            }
          }
        }
        if let k = marks[batchIndex] {
          var e = 0.0
          for j in 0..<d {
            let diff = sums[j].value / Double(end) - g[j]
            e += diff * diff
          }
          values[2 + k] = e
        }
      }
      values[0] = zip(scratch.1, scratch.2).reduce(0) { $0 + $1.0 * $1.1 }
      values[stats - 1] = (0..<d).contains { sums[$0].value / Double(n) != g[$0] } ? 1 : 0
      // The twin: a second batch drawn independently of the first (a fresh uniform b-subset).
      for t in 0..<b { scratch.0.swapAt(t, t + Int(rng.nextBounded(UInt64(n - t)))) }
      var independent = 0.0
      for j in 0..<d {
        var s = ExactSum()
        for t in 0..<b { s.add(p.rows[scratch.0[t] * d + j]) }
        independent += scratch.1[j] * (s.value / Double(b) - g[j])
      }
      values[1] = independent
    }
    count = n
    batch = b
    self.epochs = epochs
    let covariance = -p.traceSigma / Double(n - 1)
    epochPair = MeanTest(mean: mc.mean(0), standardError: mc.standardError(0), prediction: covariance, criticalZ: criticalZ)
    independentPair = MeanTest(mean: mc.mean(1), standardError: mc.standardError(1), prediction: 0, criticalZ: criticalZ)
    let moments = PopulationMoments(p)
    checkpoints = checkpointBatches.enumerated().map { index, k in
      let m = k * b
      let law = SquaredErrorLaw(sampler: .withoutReplacement, batch: m, population: p, moments: moments)!
      let se = (law.variance / Double(epochs)).squareRoot()
      let k3 = SkewedCriticalValues.thirdCentralMoment(
        powerSums: [mc.sum[2 + index], mc.squareSum[2 + index], mc.cubeSum[2 + index]], about: law.mean, draws: epochs)
      let skew = SkewedCriticalValues.meanSkewness(thirdCentralMoment: k3, variance: law.variance, draws: epochs)
      return Checkpoint(
        batches: k, examples: m, meanSquaredError: mc.mean(2 + index), law: law,
        critical: SkewedCriticalValues(z: criticalZ, skewness: skew), nullStandardError: se)
    }
    epochsNotEndingAtG = Int(mc.sum[stats - 1])
  }

  /// The running mean's error at every checkpoint within its (skewness-corrected) critical values.
  public var runningMeanVerdict: Verdict { checkpoints.allSatisfy(\.accepted) ? .pass : .fail }
  /// Every epoch ended exactly at g.
  public var endVerdict: Verdict { epochsNotEndingAtG == 0 ? .pass : .fail }
}

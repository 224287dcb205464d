/// The user's own per-example gradients reduced to their mean as a training pipeline would, in float32 and
/// bfloat16 (emulated exactly: `LowPrecision`), by four orders of addition, each against the exact mean of
/// the same rows, its rounding bound, and the mini-batch noise it competes with.
///
/// ```
/// sequential   ((x₁ + x₂) + x₃) + …                        k = N − 1
/// pairwise     the halves' sums added, recursively          k = ⌈log₂ N⌉
/// ring         R ranks sum their N/R rows in order; chunk c of the coordinates is then added around the
///              ring, rank c first, c + 1, …, c + R − 1 (mod R) (reduce-scatter), and copied (all-gather)
///                                                          k = ⌈N/R⌉ − 1 + R − 1
/// tree         the ranks' sums added pairwise               k = ⌈N/R⌉ − 1 + ⌈log₂ R⌉
/// ĝⱼ = fl(ŝⱼ / N),  |ĝⱼ − ḡⱼ| ≤ γ_{k+2} · (1/N) Σᵢ |Gᵢⱼ|      (inputs rounded to the format, k additions, one division)
/// noise at batch b:  √(tr Σ_N / b)   (the root mean squared error of a with-replacement mini-batch mean)
/// ```
/// The bound is Higham's (Accuracy and Stability of Numerical Algorithms, 2nd ed., 2002, Lemma 3.1 and §4.2):
/// every term carries at most k + 2 factors (1 + δ), |δ| ≤ u. Where (k + 2)·u ≥ 1 it says nothing (infinite).
package struct ReductionReplay: Sendable {
  public enum Method: String, Sendable, CaseIterable, Codable {
    case sequential, pairwise, ring, tree
  }

  public struct Row: Sendable {
    public var precision: LowPrecision
    public var method: Method
    /// The additions along the longest path, k.
    public var depth: Int
    /// maxⱼ |ĝⱼ − ḡⱼ| / boundⱼ (≤ 1 holds; 0 when exact) and ‖ĝ − ḡ‖₂.
    public var worstRatio: Double
    public var errorNorm: Double
    /// ‖bound‖₂ over the coordinates (infinite where k·u ≥ 1).
    public var boundNorm: Double
    /// ‖ĝ − ḡ‖₂ / √(tr Σ_N / b).
    public var noiseRatio: Double
    public var verdict: Verdict
  }

  public var count: Int
  public var ranks: Int
  public var batch: Int
  /// √(tr Σ_N / b).
  public var noise: Double
  public var rows: [Row]

  /// - Parameters:
  ///   - ranks: R, the data-parallel workers of the ring and the tree (1 ≤ R ≤ N).
  ///   - batch: b, the mini-batch whose noise the rounding is set against.
  ///   - boundScale: multiplies every bound; only a test passes another value than 1, to show a wrong bound fails.
  public init(
    population p: GradientPopulation, ranks: Int, batch: Int, boundScale: Double = 1, threads: Int = 1
  ) {
    precondition(ranks >= 1 && ranks <= p.count && batch >= 1, "need 1 ≤ R ≤ N and b ≥ 1")
    let (n, d) = (p.count, p.dimension)
    count = n
    self.ranks = ranks
    self.batch = batch
    let noise = (Swift.max(0, p.traceSigma) / Double(batch)).squareRoot()
    self.noise = noise
    let perRank = (n + ranks - 1) / ranks
    let depths: [Method: Int] = [
      .sequential: n - 1, .pairwise: ceilingLog2(n),
      .ring: perRank - 1 + ranks - 1, .tree: perRank - 1 + ceilingLog2(ranks),
    ]
    let chunkSize = (d + ranks - 1) / ranks
    let cases = LowPrecision.allCases.flatMap { precision in Method.allCases.map { (precision, $0) } }
    // γ_{k+2} of each case, times the bound's scale.
    let constants = cases.map { boundScale * roundingGamma(depths[$0.1]! + 2, unitRoundoff: $0.0.unitRoundoff) }
    // Coordinates in chunks over the cores; each chunk returns, per case, Σ error², Σ bound², max ratio.
    let width = 64
    let parts = parallelJobs(count: (d + width - 1) / width, threads: threads, makeScratch: {}) {
      job, _ -> [(Double, Double, Double)] in
      let first = job * width
      var out = [(Double, Double, Double)](repeating: (0, 0, 0), count: cases.count)
      var column = [Double](repeating: 0, count: n)
      for j in first..<Swift.min(d, first + width) {
        for i in 0..<n { column[i] = p.rows[i * d + j] }
        let exact = ExactSum(column).value / Double(n)
        let absoluteMean = ExactSum(column.lazy.map { Swift.abs($0) }).value / Double(n)
        // The inputs rounded to each format once, for all its methods.
        let rounded = LowPrecision.allCases.map { precision in column.map { precision.round($0) } }
        for (c, (precision, method)) in cases.enumerated() {
          let reduced = rounded[LowPrecision.allCases.firstIndex(of: precision)!].withUnsafeBufferPointer { x in
            Self.reduce(x, method: method, ranks: ranks, chunk: j / chunkSize, precision: precision)
          }
          let mean = precision.round(reduced / Double(n))
          let error = Swift.abs(mean - exact)
          let bound = constants[c] * absoluteMean
          let ratio = error == 0 ? 0 : (bound > 0 ? error / bound : .infinity)
          out[c].0 += error * error
          out[c].1 += bound * bound
          out[c].2 = Swift.max(out[c].2, ratio)
        }
      }
      return out
    }
    rows = cases.enumerated().map { c, pair in
      let errorSquares = parts.reduce(0) { $0 + $1[c].0 }
      let boundSquares = parts.reduce(0) { $0 + $1[c].1 }
      let worst = parts.reduce(0) { Swift.max($0, $1[c].2) }
      let errorNorm = errorSquares.squareRoot()
      return Row(
        precision: pair.0, method: pair.1, depth: depths[pair.1]!, worstRatio: worst, errorNorm: errorNorm,
        boundNorm: boundSquares.squareRoot(),
        noiseRatio: noise > 0 ? errorNorm / noise : (errorNorm == 0 ? 0 : .infinity), verdict: worst <= 1 ? .pass : .fail)
    }
  }

  /// The sum of x in `precision` by `method`; `chunk` is the coordinate's reduce-scatter chunk (the R chunks
  /// are contiguous runs of ⌈P/R⌉ coordinates; chunk c's ring starts at rank c).
  public static func reduce(
    _ x: UnsafeBufferPointer<Double>, method: Method, ranks: Int, chunk: Int, precision: LowPrecision
  ) -> Double {
    switch method {
    case .sequential: return precision.recursiveSum(x)
    case .pairwise: return precision.pairwiseSum(x)
    case .ring, .tree:
      let perRank = (x.count + ranks - 1) / ranks
      let local = (0..<ranks).map { r -> Double in
        let lower = Swift.min(x.count, r * perRank)
        let upper = Swift.min(x.count, lower + perRank)
        return precision.recursiveSum(UnsafeBufferPointer(rebasing: x[lower..<upper]))
      }
      if method == .tree { return local.withUnsafeBufferPointer { precision.pairwiseSum($0) } }
      let start = chunk % ranks
      var s = local[start]
      for step in 1..<Swift.max(1, ranks) { s = precision.round(local[(start + step) % ranks] + s) }
      return s
    }
  }

  /// One verdict row per precision and method.
  public func verdictRows(caseName: String) -> [VerdictRow] {
    rows.map { r in
      let bound = r.boundNorm.isFinite ? shortScientific(r.boundNorm) : "none (k·u ≥ 1)"
      return VerdictRow(
        claim: "replay/\(r.precision.rawValue)/\(r.method.rawValue)", caseName: caseName,
        keyFigure: "‖error‖ \(shortScientific(r.errorNorm)) (bound \(bound), worst |error|/bound \(shortScientific(r.worstRatio))); "
          + "rounding \(String(format: "%.3g", 100 * r.noiseRatio))% of the sampling noise √(tr Σ_N/b) at b = \(batch), R = \(ranks)",
        verdict: r.verdict)
    }
  }
}

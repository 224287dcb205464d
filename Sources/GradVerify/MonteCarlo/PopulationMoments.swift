import Foundation

/// The population sums that fix the exact null laws of the Monte Carlo statistics, computed
/// once per population in one pass over the deviations and, for the third-order terms, the Gram matrix.
///
/// ```
/// dᵢ = gᵢ − g,  aᵢ = ‖dᵢ‖²,  cᵢⱼ = dᵢ·dⱼ,  hᵢ = g·dᵢ
/// A1 = Σ aᵢ = N tr Σ_N,  A2 = Σ aᵢ²,  Q2 = Σ_{i≠j} cᵢⱼ² = N² tr Σ_N² − A2
/// per coordinate j: μ₂ⱼ = (1/N) Σ dᵢⱼ²,  μ₃ⱼ = (1/N) Σ dᵢⱼ³,  Σ gᵢⱼ², Σ gᵢⱼ³
/// Poisson (raw gᵢ): Σ ‖gᵢ‖⁴,  Σ_{i≠j} (gᵢ·gⱼ)² = N² ‖Σ_N + g gᵀ‖_F² − Σ ‖gᵢ‖⁴
/// third order (with replacement): μ₃(a), v = (1/N) Σ aᵢ dᵢ, w = (1/N) Σ (aᵢ − ā) dᵢᵀΣ_N dᵢ,
///   m₃ = (1/N²) Σᵢⱼ cᵢⱼ³,  tr Σ_N³
/// ```
/// Every sum is compensated (Neumaier), so the laws are exact to a few ulps of their largest term.
package struct PopulationMoments: Sendable {
  /// The most multiply-adds spent on the Gram-matrix sums (N²·P/2): beyond it the third-order terms are
  /// left out and the skewness of the squared error is estimated from the draws instead.
  public static let gramBudget = 4.0e9

  public let count: Int
  public let dimension: Int
  public let a1: Double
  public let a2: Double
  /// N² tr Σ_N² − A2 = Σ_{i≠j} cᵢⱼ².
  public let q2: Double
  /// tr Σ_N².
  public let traceSigmaSquared: Double
  /// gᵀ Σ_N g.
  public let meanQuadraticForm: Double
  /// H = Σᵢ hᵢ aᵢ.
  public let projectedThirdMoment: Double
  /// Σ ‖gᵢ‖⁴ and Σ_{i≠j} (gᵢ·gⱼ)² (raw gradients, for Poisson sampling).
  public let rawFourthSum: Double
  public let rawCrossSquareSum: Double
  /// Per coordinate: μ₂ⱼ, μ₃ⱼ (divisor N) and Σᵢ gᵢⱼ², Σᵢ gᵢⱼ³.
  public let coordinateVariance: [Double]
  public let coordinateThirdMoment: [Double]
  public let coordinateRawSquareSum: [Double]
  public let coordinateRawCubeSum: [Double]
  /// Per coordinate: ρⱼ = (1/N) Σᵢ |dᵢⱼ|³ and Σᵢ |gᵢⱼ|³ (Berry–Esseen's third absolute moments).
  public let coordinateAbsoluteThirdMoment: [Double]
  public let coordinateRawAbsoluteCubeSum: [Double]
  /// aᵢ = ‖dᵢ‖², the squared error of a batch of one, per example.
  public let squaredDeviations: [Double]
  /// V = (1/N) Σ (aᵢ − ā)², two-pass: no cancellation when the aᵢ are nearly equal.
  public let squaredDeviationVariance: Double
  /// W = Σ_{i≠j} (cᵢⱼ − c̄)² = Q2 − A1²/(N(N−1)), c̄ = −ā/(N−1) the mean off-diagonal inner product
  /// (Σⱼ cᵢⱼ = 0): the centred second-order sum of the without-replacement law.
  public var centredOffDiagonalSquares: Double {
    let nd = Double(count)
    return count < 2 ? 0 : Swift.max(0, q2 - a1 * (a1 / (nd * (nd - 1))))
  }
  /// The third-order sums of the squared error with replacement (nil past `gramBudget` or when P > 256).
  public let thirdOrder: ThirdOrder?
  /// K = D Dᵀ, kept when asked for and formed anyway (P > 256, N ≤ P) within `CentredGram.memoryLimit`.
  public let gram: CentredGram?

  public struct ThirdOrder: Sendable {
    /// μ₃(a) = (1/N) Σ (aᵢ − ā)³.
    public let squaredDeviationThirdMoment: Double
    /// ‖v‖², v = (1/N) Σ aᵢ dᵢ.
    public let weightedMeanNormSquared: Double
    /// w = (1/N) Σ (aᵢ − ā) dᵢᵀ Σ_N dᵢ.
    public let covarianceWithQuadraticForm: Double
    /// m₃ = (1/N²) Σᵢⱼ cᵢⱼ³ = E(X·Y)³ for independent draws X, Y.
    public let cubedInnerProductMean: Double
    /// tr Σ_N³.
    public let traceSigmaCubed: Double
  }

  /// - Parameter withReplacementSkewness: compute `thirdOrder` (O(N²P), the costliest part), which only
  ///   the with-replacement law's skewness uses; false leaves it nil.
  /// - Parameter keepGram: keep the Gram matrix the sum of squares forms (`gram`), for the sweep's draws.
  public init(_ p: GradientPopulation, withReplacementSkewness: Bool = true, keepGram: Bool = false) {
    let n = p.count
    let d = p.dimension
    let nd = Double(n)
    count = n
    dimension = d
    // The deviations are kept only where the third-order sums read them (Σ_N formed, P ≤ 256); above it
    // the Gram or Σ_N sum centres the rows as it reads them, and no N×P copy is made.
    let keepDeviations = !p.sigma.isEmpty
    var deviations = [Double](repeating: 0, count: keepDeviations ? n * d : 0)
    var a = [Double](repeating: 0, count: n)
    var h = [Double](repeating: 0, count: n)
    var (sa, sa2, sh, sr4) = (NeumaierSum(), NeumaierSum(), NeumaierSum(), NeumaierSum())
    var mu2 = [NeumaierSum](repeating: NeumaierSum(), count: d)
    var mu3 = mu2, raw2 = mu2, raw3 = mu2, abs3 = mu2, rawAbs3 = mu2
    var quadratic = NeumaierSum()
    for i in 0..<n {
      var ai = 0.0, hi = 0.0, ri = 0.0
      for j in 0..<d {
        let x = p.rows[i * d + j]
        let dij = x - p.mean[j]
        if keepDeviations { deviations[i * d + j] = dij }
        ai += dij * dij
        hi += p.mean[j] * dij
        ri += x * x
        mu2[j].add(dij * dij)
        mu3[j].add(dij * dij * dij)
        raw2[j].add(x * x)
        raw3[j].add(x * x * x)
        abs3[j].add(Swift.abs(dij * dij * dij))
        rawAbs3[j].add(Swift.abs(x * x * x))
      }
      a[i] = ai
      h[i] = hi
      sa.add(ai)
      sa2.add(ai * ai)
      sh.add(hi * ai)
      sr4.add(ri * ri)
      quadratic.add(hi * hi)
    }
    a1 = sa.value
    a2 = sa2.value
    projectedThirdMoment = sh.value
    rawFourthSum = sr4.value
    meanQuadraticForm = quadratic.value / nd
    coordinateVariance = mu2.map { $0.value / nd }
    coordinateThirdMoment = mu3.map { $0.value / nd }
    coordinateRawSquareSum = raw2.map(\.value)
    coordinateRawCubeSum = raw3.map(\.value)
    coordinateAbsoluteThirdMoment = abs3.map { $0.value / nd }
    coordinateRawAbsoluteCubeSum = rawAbs3.map(\.value)
    squaredDeviations = a
    let meanA = a1 / nd
    squaredDeviationVariance = a.map { ($0 - meanA) * ($0 - meanA) }.compensatedSum() / nd

    // tr Σ_N² from the d×d matrix when it is there, else from the Gram matrix: Σᵢⱼ cᵢⱼ² / N².
    let gramCost = nd * nd * Double(d) / 2
    var trace2: Double
    var third: ThirdOrder?
    var kept: CentredGram?
    if !p.sigma.isEmpty {
      trace2 = p.traceSigmaSquared
      if withReplacementSkewness && gramCost <= Self.gramBudget {
        third = Self.thirdOrder(p, deviations: deviations, a: a)
      }
    } else {
      // Over the shorter side: the P columns when P < N (and their P×P sum fits), else the N rows
      // (`CrossSquareSum`).
      let threads = ProcessInfo.processInfo.activeProcessorCount
      let crossSquares = p.rows.withElements { elements in
        switch elements {
        case .double(let rows): Self.crossSquares(p, rows: rows, h: h, keepGram: keepGram, threads: threads, kept: &kept)
        case .float(let rows): Self.crossSquares(p, rows: rows, h: h, keepGram: keepGram, threads: threads, kept: &kept)
        }
      }
      trace2 = crossSquares / (nd * nd)
    }
    traceSigmaSquared = trace2
    q2 = Swift.max(0, nd * nd * trace2 - a2)
    // ‖Σ_N + ggᵀ‖_F² = tr Σ_N² + 2 gᵀΣ_N g + ‖g‖⁴.
    let g2 = p.meanNormSquared
    rawCrossSquareSum = Swift.max(0, nd * nd * (trace2 + 2 * meanQuadraticForm + g2 * g2) - rawFourthSum)
    thirdOrder = third
    gram = kept
  }

  /// Σᵢₖ (dᵢ·dₖ)² = N² tr Σ_N² over the shorter side; the Gram matrix kept in `kept` when asked and affordable.
  static func crossSquares<T: StoredScalar>(
    _ p: GradientPopulation, rows: UnsafePointer<T>, h: [Double], keepGram: Bool, threads: Int,
    kept: inout CentredGram?
  ) -> Double {
    let (n, d) = (p.count, p.dimension)
    return p.mean.withUnsafeBufferPointer { mean in
      if CrossSquareSum.columnSumServes(count: n, dimension: d) {
        return CrossSquareSum.columnSum(rows: rows, count: n, length: d, mean: mean.baseAddress!, threads: threads)
      }
      let vectors = CrossSquareSum.Vectors(base: rows, count: n, length: d, elementCentre: mean.baseAddress!)
      guard keepGram && CentredGram.affordable(count: n, dimension: d) else {
        return CrossSquareSum.sum(vectors, threads: threads)
      }
      var entries = [Double](repeating: 0, count: n * n)
      let total = entries.withUnsafeMutableBufferPointer { CrossSquareSum.sum(vectors, threads: threads, gram: $0.baseAddress!) }
      kept = CentredGram(count: n, dimension: d, entries: entries, projections: h)
      return total
    }
  }

  static func thirdOrder(_ p: GradientPopulation, deviations: [Double], a: [Double]) -> ThirdOrder {
    let n = p.count
    let d = p.dimension
    let nd = Double(n)
    let meanA = a.compensatedSum() / nd
    var mu3a = NeumaierSum()
    var v = [NeumaierSum](repeating: NeumaierSum(), count: d)
    var w = NeumaierSum()
    for i in 0..<n {
      let da = a[i] - meanA
      mu3a.add(da * da * da)
      var quadratic = 0.0
      for j in 0..<d {
        v[j].add(a[i] * deviations[i * d + j])
        var row = 0.0
        for k in 0..<d { row += p.sigma[j * d + k] * deviations[i * d + k] }
        quadratic += deviations[i * d + j] * row
      }
      w.add(da * quadratic)
    }
    let m3 = Self.gramCubeSum(deviations: deviations, a: a, count: n, dimension: d)
    // tr Σ³ = Σⱼₖ (Σ²)ⱼₖ Σₖⱼ.
    var t3 = NeumaierSum()
    for j in 0..<d {
      for k in 0..<d {
        var s2 = 0.0
        for l in 0..<d { s2 += p.sigma[j * d + l] * p.sigma[l * d + k] }
        t3.add(s2 * p.sigma[k * d + j])
      }
    }
    let vNorm = v.map { ($0.value / nd) * ($0.value / nd) }.compensatedSum()
    return ThirdOrder(
      squaredDeviationThirdMoment: mu3a.value / nd, weightedMeanNormSquared: vNorm,
      covarianceWithQuadraticForm: w.value / nd, cubedInnerProductMean: m3 / (nd * nd),
      traceSigmaCubed: t3.value)
  }

  /// Σᵢ aᵢ³ + Σ_{k<i} 2·cᵢₖ³ over the Gram matrix cᵢₖ = dᵢ·dₖ (aᵢ = cᵢᵢ): O(N²P), the costliest moment
  /// (the squares are `CrossSquareSum`'s, over the shorter side). Each row's terms are summed in order
  /// (compensated) and the rows' sums added exactly
  /// (`ExactSum`), with rows split over the cores in blocks of about equal work: the same bits for any
  /// split. Eight dot products run side by side, each still summed over j in order.
  static func gramCubeSum(deviations: [Double], a: [Double], count n: Int, dimension d: Int) -> Double {
    let threads = ProcessInfo.processInfo.activeProcessorCount
    let blocks = Swift.min(n, 8 * threads)
    // Row i costs i dot products: block boundaries at n·√(k/B) give each block about the same.
    let bounds = (0...blocks).map { k in Int((Double(n) * (Double(k) / Double(blocks)).squareRoot()).rounded()) }
    @Sendable @inline(__always) func term(_ c: Double) -> Double { 2 * c * c * c }
    let parts = deviations.withUnsafeBufferPointer { dev -> [ExactSum] in
      nonisolated(unsafe) let base = dev.baseAddress!
      return parallelJobs(count: blocks, threads: threads, makeScratch: {}) { block, _ -> ExactSum in
        var sum = ExactSum()
        for i in bounds[block]..<bounds[block + 1] {
          var rowSum = NeumaierSum()
          rowSum.add(a[i] * a[i] * a[i])
          let row = base + i * d
          var k = 0
          while k + 8 <= i {
            let o = base + k * d
            var (c0, c1, c2, c3, c4, c5, c6, c7) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            for j in 0..<d {
              let x = row[j]
              c0 += x * o[j]
              c1 += x * o[d + j]
              c2 += x * o[2 * d + j]
              c3 += x * o[3 * d + j]
              c4 += x * o[4 * d + j]
              c5 += x * o[5 * d + j]
              c6 += x * o[6 * d + j]
              c7 += x * o[7 * d + j]
            }
            rowSum.add(term(c0))
            rowSum.add(term(c1))
            rowSum.add(term(c2))
            rowSum.add(term(c3))
            rowSum.add(term(c4))
            rowSum.add(term(c5))
            rowSum.add(term(c6))
            rowSum.add(term(c7))
            k += 8
          }
          while k < i {
            let other = base + k * d
            var c = 0.0
            for j in 0..<d { c += row[j] * other[j] }
            rowSum.add(term(c))
            k += 1
          }
          sum.add(rowSum.value)
        }
        return sum
      }
    }
    var total = ExactSum()
    for part in parts { total.add(part) }
    return total.value
  }
}

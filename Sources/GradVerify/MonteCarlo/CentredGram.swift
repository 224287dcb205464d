/// The Gram matrix of a population's deviations, K = D Dᵀ with Kᵢₖ = dᵢ·dₖ (dᵢ = gᵢ − g), kept when the
/// moments form it anyway (N ≤ P) and it fits `memoryLimit`. A draw of a fixed-size sampler that lists the
/// examples L (with multiplicity; the batch, or its complement past N/2) has its squared error from |L|²
/// entries of K instead of |L|·P reads of rows:
///
/// ```
/// b·e = ± Σ_{k∈L} dₖ,   b²‖e‖² = Σ_{k,l∈L} Kₖₗ
/// ```
/// Each entry is the dot product `CrossSquareSum` forms for tr Σ_N², in its fixed order, so the matrix, and
/// every squared error read from it, is the same bits for any thread count.
package struct CentredGram: Sendable {
  public let count: Int
  public let dimension: Int
  /// K, N×N row-major, both halves.
  let entries: [Double]
  /// hᵢ = g·dᵢ, for ‖ḡ_b‖² = ‖g‖² + 2 g·e + ‖e‖² (the noise-scale estimators).
  let projections: [Double]
  /// maxᵢ ‖dᵢ‖, for the rounding of a quadratic form.
  let largestNorm: Double

  /// The most memory K may take (8N² bytes).
  public static let memoryLimit = 256 << 20

  /// Whether a population of N examples of P parameters keeps K: N ≤ P (the moments form K, not Σ_N) and
  /// 8N² within `memoryLimit`.
  public static func affordable(count n: Int, dimension d: Int) -> Bool {
    n >= 2 && n <= d && 8 * n * n <= memoryLimit
  }

  init(count: Int, dimension: Int, entries: [Double], projections: [Double]) {
    self.count = count
    self.dimension = dimension
    self.entries = entries
    self.projections = projections
    largestNorm = (0..<count).map { entries[$0 * count + $0] }.max().map { Swift.max(0, $0).squareRoot() } ?? 0
  }

  /// The examples one draw of a fixed-size cell lists: b with replacement, min(b, N − b) without.
  func listed(_ cell: SweepCell) -> Int {
    cell.sampler == .withReplacement ? cell.batch : Swift.min(cell.batch, count - cell.batch)
  }

  /// Whether a cell's draws read K rather than rows: m listed examples cost about m²/2 reads of K against
  /// m·P of rows, so K serves while m < P/4. Poisson draws, whose size is random, always read rows.
  public func serves(_ cell: SweepCell) -> Bool {
    guard cell.sampler == .withReplacement || cell.sampler == .withoutReplacement else { return false }
    return 4 * listed(cell) < dimension
  }

  /// ‖e‖² of one draw that listed `list`: Σ_{k,l∈L} Kₖₗ / b², each row's terms below the diagonal in list
  /// order (four running sums), doubled, plus the diagonal.
  @inline(__always) func squaredError(list: UnsafeBufferPointer<Int32>, batch b: Int) -> Double {
    entries.withUnsafeBufferPointer { k in
      let n = count
      var total = 0.0
      for a in 0..<list.count {
        let row = k.baseAddress! + Int(list[a]) * n
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var c = 0
        while c + 4 <= a {
          s0 += row[Int(list[c])]
          s1 += row[Int(list[c + 1])]
          s2 += row[Int(list[c + 2])]
          s3 += row[Int(list[c + 3])]
          c += 4
        }
        while c < a {
          s0 += row[Int(list[c])]
          c += 1
        }
        total += row[Int(list[a])] + 2 * ((s0 + s1) + (s2 + s3))
      }
      let bd = Double(b)
      return total / (bd * bd)
    }
  }

  /// ‖ḡ_b‖² of one draw that listed `list` (the batch, or its complement): ‖g‖² + 2 g·e + ‖e‖² with
  /// b·g·e = ± Σ_{k∈L} hₖ.
  @inline(__always) func squaredMeanNorm(
    list: UnsafeBufferPointer<Int32>, complement: Bool, batch b: Int, meanNormSquared: Double
  ) -> Double {
    var h = 0.0
    for i in list { h += projections[Int(i)] }
    let projected = (complement ? -h : h) / Double(b)
    return meanNormSquared + 2 * projected + squaredError(list: list, batch: b)
  }

  /// The rounding of one draw's squared error from K: each entry off by at most (P + 2)u·‖dₖ‖‖dₗ‖ (its dot
  /// product and the centring), the m² terms' sum by m²u·Σ|Kₖₗ| ≤ m²u (m·max‖d‖)²; all over b².
  func squaredErrorRounding(_ cell: SweepCell) -> Double {
    let u = RoundingBoundNumber.unitRoundoff
    let b = Double(cell.batch)
    let m = Double(listed(cell))
    let reach = m * largestNorm
    return (Double(dimension + 2) + m * m) * u * reach * reach / (b * b)
  }
}

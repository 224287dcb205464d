/// Linear least squares min ‖A x − b‖₂ for a tall A (m ≥ n, full column rank) by Householder QR in
/// float64: A = QR, x = R⁻¹ (Qᵀb)₁..ₙ, backward stable (G. H. Golub and C. F. Van Loan, *Matrix
/// Computations*, 4th ed., 2013, §5.3.3; N. J. Higham, *Accuracy and Stability of Numerical Algorithms*,
/// 2nd ed., 2002, Thm 20.3). A is given by its columns; the work is O(m·n²).
package enum LeastSquares {
  /// x, or nil when a column is (numerically) in the span of the ones before it: |Rₖₖ| ≤ 64·u·‖A‖_F.
  public static func solve(columns: [[Double]], rightHandSide b: [Double]) -> [Double]? {
    let n = columns.count
    guard n >= 1 else { return [] }
    let m = b.count
    precondition(columns.allSatisfy { $0.count == m } && m >= n, "A must be m × n with m ≥ n")
    var a = columns
    var y = b
    var diagonal = [Double](repeating: 0, count: n)
    let frobenius = columns.reduce(0.0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }.squareRoot()
    for k in 0..<n {
      // The reflector v = x + sign(x₀)‖x‖e₀ on rows k..<m of column k, applied to the columns after it and y.
      var norm = 0.0
      let scale = a[k][k...].reduce(0) { Swift.max($0, Swift.abs($1)) }
      guard scale > 0 else { return nil }
      for i in k..<m { norm += (a[k][i] / scale) * (a[k][i] / scale) }
      norm = scale * norm.squareRoot()
      let alpha = a[k][k] >= 0 ? -norm : norm
      guard Swift.abs(alpha) > 64 * 0x1p-53 * frobenius else { return nil }
      var v = Array(a[k][k...])
      v[0] -= alpha
      let vv = v.reduce(0) { $0 + $1 * $1 }
      func reflect(_ column: inout [Double]) {
        var dot = 0.0
        for i in 0..<v.count { dot += v[i] * column[k + i] }
        let f = 2 * dot / vv
        for i in 0..<v.count { column[k + i] -= f * v[i] }
      }
      for j in (k + 1)..<n { reflect(&a[j]) }
      reflect(&y)
      diagonal[k] = alpha
    }
    var x = [Double](repeating: 0, count: n)
    for k in stride(from: n - 1, through: 0, by: -1) {
      var s = y[k]
      for j in (k + 1)..<n { s -= a[j][k] * x[j] }
      x[k] = s / diagonal[k]
    }
    return x
  }
}

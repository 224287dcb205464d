import Foundation

/// The N per-example gradients at one θ as a population to sample from, with its exact moments.
///
/// ```
/// g = T/N with T = Σᵢ gᵢ (compensated),   dᵢ = gᵢ − g,   Σ_N = (1/N) Σᵢ dᵢdᵢᵀ,   S² = N/(N−1) Σ_N
/// tr Σ_N,   ‖g‖²,   B_simple = tr Σ_N / ‖g‖²   (McCandlish et al. 2018, arXiv:1812.06162)
/// ```
public struct GradientPopulation: Sendable {
  public let count: Int
  public let dimension: Int
  /// N×d, row-major, in the precision it came in (`RowMatrix`): the caller's array, not copied (a large one
  /// should come from `largeArray`, on huge pages, as `NPYMatrix` makes it: the sampler reads rows at
  /// random, and with 4 KB pages nearly every row is a TLB miss).
  package let rows: RowMatrix
  /// T = Σᵢ gᵢ, compensated.
  public let total: [Double]
  /// g = T/N.
  public let mean: [Double]
  /// tr Σ_N (divisor N).
  public let traceSigma: Double
  /// ‖g‖².
  public let meanNormSquared: Double
  /// Var‖dᵢ‖² over the population (divisor N), for the spread of one replicate's squared error.
  public let varianceOfSquaredDeviation: Double
  /// tr(Σ_N²) = ‖Σ_N‖_F² (NaN when d > 256).
  public let traceSigmaSquared: Double
  /// Σ_N as a d×d matrix, row-major (empty when d > 256).
  public let sigma: [Double]

  public init(rows: [Double], count n: Int, dimension d: Int) {
    self.init(matrix: RowMatrix(rows), count: n, dimension: d)
  }

  package init(matrix: RowMatrix, count n: Int, dimension d: Int) {
    precondition(n >= 1 && d >= 1 && matrix.elementCount == n * d, "rows must be N×d")
    self.count = n
    self.dimension = d
    self.rows = matrix
    let m = matrix.withElements { elements in
      switch elements {
      case .double(let rows): Self.moments(rows, count: n, dimension: d)
      case .float(let rows): Self.moments(rows, count: n, dimension: d)
      }
    }
    (total, mean, traceSigma, varianceOfSquaredDeviation) = (m.total, m.mean, m.traceSigma, m.varianceOfSquaredDeviation)
    (sigma, traceSigmaSquared) = (m.sigma, m.traceSigmaSquared)
    meanNormSquared = mean.reduce(0) { $0 + $1 * $1 }
  }

  private struct Moments {
    var total: [Double], mean: [Double], traceSigma: Double, varianceOfSquaredDeviation: Double
    var sigma: [Double], traceSigmaSquared: Double
  }

  private static func moments<T: StoredScalar>(_ rows: UnsafePointer<T>, count n: Int, dimension d: Int) -> Moments {
    var sums = [NeumaierSum](repeating: NeumaierSum(), count: d)
    for i in 0..<n {
      for j in 0..<d { sums[j].add(rows[i * d + j].wide) }
    }
    let total = sums.map(\.value)
    let mean = total.map { $0 / Double(n) }
    var trace = NeumaierSum()
    var squares: [Double] = []
    squares.reserveCapacity(n)
    for i in 0..<n {
      var s = 0.0
      for j in 0..<d {
        let dj = rows[i * d + j].wide - mean[j]
        s += dj * dj
      }
      squares.append(s)
      trace.add(s)
    }
    // Σ_N's lower triangle, row j on its own core: each entry still sums over i in order.
    nonisolated(unsafe) let rows = rows
    let sigmaRows: [[Double]] = d > 256 ? [] : parallelJobs(
      count: d, threads: ProcessInfo.processInfo.activeProcessorCount, makeScratch: {}
    ) { j, _ -> [Double] in
      var entries = [NeumaierSum](repeating: NeumaierSum(), count: j + 1)
      for i in 0..<n {
        let dj = rows[i * d + j].wide - mean[j]
        for k in 0...j { entries[k].add(dj * (rows[i * d + k].wide - mean[k])) }
      }
      return entries.map(\.value)
    }
    let traceSigma = trace.value / Double(n)
    let varianceOfSquaredDeviation = squares.map { ($0 - traceSigma) * ($0 - traceSigma) }.compensatedSum() / Double(n)
    guard d <= 256 else {
      return Moments(
        total: total, mean: mean, traceSigma: traceSigma, varianceOfSquaredDeviation: varianceOfSquaredDeviation,
        sigma: [], traceSigmaSquared: .nan)
    }
    var full = [Double](repeating: 0, count: d * d)
    var f = NeumaierSum()
    for j in 0..<d {
      for k in 0...j {
        let v = sigmaRows[j][k] / Double(n)
        full[j * d + k] = v
        full[k * d + j] = v
        f.add(j == k ? v * v : 2 * v * v)
      }
    }
    return Moments(
      total: total, mean: mean, traceSigma: traceSigma, varianceOfSquaredDeviation: varianceOfSquaredDeviation,
      sigma: full, traceSigmaSquared: f.value)
  }

  /// The population of a model's per-example gradients at θ.
  public init(_ gradients: PerExampleGradients) {
    self.init(rows: gradients.matrix, count: gradients.count, dimension: gradients.parameterCount)
  }

  /// Column j: every example's j-th entry, in example order.
  public func column(_ j: Int) -> [Double] { (0..<count).map { rows[$0 * dimension + j] } }

  /// B_simple = tr Σ_N / ‖g‖².
  public var simpleNoiseScale: Double { traceSigma / meanNormSquared }
}

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
  /// N×d, row-major: the caller's array, not copied (a large one should come from `largeArray`, on huge
  /// pages, as `NPYMatrix` makes it: the sampler reads rows at random, and with 4 KB pages nearly every
  /// row is a TLB miss).
  public let rows: [Double]
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
    precondition(n >= 1 && d >= 1 && rows.count == n * d, "rows must be N×d")
    self.count = n
    self.dimension = d
    self.rows = rows
    var sums = [NeumaierSum](repeating: NeumaierSum(), count: d)
    for i in 0..<n {
      for j in 0..<d { sums[j].add(rows[i * d + j]) }
    }
    total = sums.map(\.value)
    let mean = total.map { $0 / Double(n) }
    self.mean = mean
    var trace = NeumaierSum()
    var squares: [Double] = []
    squares.reserveCapacity(n)
    for i in 0..<n {
      var s = 0.0
      for j in 0..<d {
        let dj = rows[i * d + j] - mean[j]
        s += dj * dj
      }
      squares.append(s)
      trace.add(s)
    }
    // Σ_N's lower triangle, row j on its own core: each entry still sums over i in order.
    let sigmaRows: [[Double]] = d > 256 ? [] : rows.withUnsafeBufferPointer { rows in
      nonisolated(unsafe) let rows = rows
      return parallelJobs(
        count: d, threads: ProcessInfo.processInfo.activeProcessorCount, makeScratch: {}
      ) { j, _ -> [Double] in
        var entries = [NeumaierSum](repeating: NeumaierSum(), count: j + 1)
        for i in 0..<n {
          let dj = rows[i * d + j] - mean[j]
          for k in 0...j { entries[k].add(dj * (rows[i * d + k] - mean[k])) }
        }
        return entries.map(\.value)
      }
    }
    traceSigma = trace.value / Double(n)
    meanNormSquared = mean.reduce(0) { $0 + $1 * $1 }
    let meanSquare = traceSigma
    varianceOfSquaredDeviation = squares.map { ($0 - meanSquare) * ($0 - meanSquare) }.compensatedSum() / Double(n)
    if d <= 256 {
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
      self.sigma = full
      traceSigmaSquared = f.value
    } else {
      self.sigma = []
      traceSigmaSquared = .nan
    }
  }

  /// The population of a model's per-example gradients at θ.
  public init(_ gradients: PerExampleGradients) {
    self.init(rows: gradients.matrix, count: gradients.count, dimension: gradients.parameterCount)
  }

  /// Column j: every example's j-th entry, in example order.
  public func column(_ j: Int) -> [Double] { (0..<count).map { rows[$0 * dimension + j] } }

  /// The first `columns` columns (all by default) as one column-major array (columns × N), made when a sum
  /// over columns needs it and freed after.
  public func columnMajor(columns: Int? = nil) -> [Double] {
    let (n, d) = (count, dimension)
    let k = Swift.min(d, columns ?? d)
    return largeArray(count: n * k) { out in
      rows.withUnsafeBufferPointer { rows in
        for i in 0..<n {
          for j in 0..<k { out[j * n + i] = rows[i * d + j] }
        }
      }
    }
  }

  /// B_simple = tr Σ_N / ‖g‖².
  public var simpleNoiseScale: Double { traceSigma / meanNormSquared }
}

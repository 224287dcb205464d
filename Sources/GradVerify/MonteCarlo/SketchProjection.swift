import Foundation

/// A seeded random projection of every per-example gradient, y_i = S g_i with S = R/√K (K × P), applied
/// while a matrix file is read once, row by row: a population larger than memory becomes an N × K one.
///
/// ```
/// R_kj ~ N(0, 1) (gaussian) or ±1 with probability ½ each (rademacher), independent, from the seed;
/// E SᵀS = I, so E tr(S Σ_N Sᵀ) = tr Σ_N and E ‖S g‖² = ‖g‖².
/// ```
/// The projected rows are a population in their own right: a mini-batch mean of them is S times the
/// mini-batch mean of the gradients, so C2 and C3 are exact tests of the sampling of the projected
/// population, and its B_simple estimates that of the gradients (`ProjectedNoiseScale`).
/// W. B. Johnson and J. Lindenstrauss, Contemp. Math. 26 (1984) 189–206; D. Achlioptas, J. Comput. Syst.
/// Sci. 66 (2003) 671–687, doi:10.1016/S0022-0000(03)00025-4 (the ±1 sketch).
package struct SketchProjection: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    case gaussian
    case rademacher
  }

  /// K, the rows of S.
  public var dimension: Int
  public var kind: Kind

  public init(dimension: Int, kind: Kind = .gaussian) {
    self.dimension = dimension
    self.kind = kind
  }

  /// The K accepted: from 64 (below it the intervals of `ProjectedNoiseScale` undercover: 93% for a 99%
  /// interval at K = 16 on one-hot rows) to 4096 (the projected population is N × K doubles and every
  /// unbiased cell tests each of its K coordinates).
  public static let dimensions = 64...4096

  /// A sketch of `dimension` rows, or the reason it is refused (naming `--project`).
  public static func validated(dimension: Int, kind: Kind = .gaussian) throws(InputError) -> SketchProjection {
    guard dimensions.contains(dimension) else {
      throw InputError(
        flag: "--project", command: "sweep",
        "K = \(dimension) is outside \(dimensions.lowerBound)…\(dimensions.upperBound) (below 64 the sketch's intervals are not calibrated)")
    }
    return SketchProjection(dimension: dimension, kind: kind)
  }

  /// R, K × P row-major, from the stream "project/<kind>/<K>" of `seed`: row k is the k-th draw's P
  /// entries, so the same seed, kind and K give the same R.
  public func matrix(parameters p: Int, seed: UInt64) -> [Double] {
    var rng = PhiloxStream(seed: seed, name: "project/\(kind.rawValue)/\(dimension)")
    switch kind {
    case .gaussian: return (0..<(dimension * p)).map { _ in rng.nextNormal() }
    case .rademacher: return (0..<(dimension * p)).map { _ in rng.next32() & 1 == 0 ? 1 : -1 }
    }
  }

  /// The projected rows y_i = R g_i/√K of a `.npy` file (C order, float32 or float64), read once in
  /// pieces; each y_ik a dot product over j in a fixed order (the same bits for any thread count). R and
  /// the N × K result are checked against `memoryLimit` bytes before they are allocated.
  public func project(
    path: String, seed: UInt64, threads: Int, memoryLimit: Int, pieceBytes: Int = 8 << 20,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
  ) throws(InputError) -> (population: GradientPopulation, parameters: Int, storage: String) {
    let k = dimension
    var (n, p) = (0, 0)
    var r: [Double] = []
    var y: [Double] = []
    var storage = ""
    try NPYMatrix.streamRows(path: path, pieceBytes: pieceBytes, shape: { rows, columns, itemBytes throws(InputError) in
      (n, p) = (rows, columns)
      storage = itemBytes == 4 ? "float32" : "float64"
      guard n >= 2, p >= 1 else {
        throw InputError(file: path, "shape (\(n), \(p)): need at least 2 examples and 1 parameter")
      }
      let bytes = 8 * (Double(k) * Double(p) + Double(n) * Double(k))
      guard bytes <= Double(memoryLimit) else {
        throw InputError(
          flag: "--project", command: "sweep",
          "\(k) × \(p) sketch and \(n) × \(k) projection need \(Int(bytes / 1e6)) MB, above this machine's \(memoryLimit / 1_000_000) MB; choose a smaller K")
      }
      r = matrix(parameters: p, seed: seed)
      y = [Double](repeating: 0, count: n * k)
    }) { rows, first throws(InputError) in
      let projected = project(rows: rows, sketch: r, parameters: p, threads: threads)
      y.replaceSubrange((first * k)..<(first * k + projected.count), with: projected)
      progress?(first + rows.count / p, n)
    }
    return (GradientPopulation(rows: y, count: n, dimension: k), p, storage)
  }

  /// The projection of a population held in memory (tests; small matrices).
  public func project(_ population: GradientPopulation, seed: UInt64, threads: Int) -> GradientPopulation {
    let (n, p) = (population.count, population.dimension)
    let rows = population.rows.doubles
    let y = rows.withUnsafeBufferPointer {
      project(rows: $0, sketch: matrix(parameters: p, seed: seed), parameters: p, threads: threads)
    }
    return GradientPopulation(rows: y, count: n, dimension: dimension)
  }

  /// R g_i/√K for each of the rows given (row-major, P each), row after row, the rows over the cores.
  func project(rows: UnsafeBufferPointer<Double>, sketch r: [Double], parameters p: Int, threads: Int) -> [Double] {
    let k = dimension
    let scale = 1 / Double(k).squareRoot()
    nonisolated(unsafe) let rows = rows
    let projected = r.withUnsafeBufferPointer { r in
      nonisolated(unsafe) let r = r
      return parallelJobs(count: rows.count / p, threads: threads, makeScratch: {}) { i, _ -> [Double] in
        let x = rows.baseAddress! + i * p
        return (0..<k).map { scale * Self.dot(r.baseAddress! + $0 * p, x, p) }
      }
    }
    return projected.flatMap { $0 }
  }

  /// Σⱼ aⱼ bⱼ in eight lanes over j, then the lanes added in order, then the tail.
  @inline(__always) static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ length: Int) -> Double {
    var s = SIMD8<Double>()
    var j = 0
    while j + 8 <= length {
      s += Double.eight(a, j) * Double.eight(b, j)
      j += 8
    }
    var total = 0.0
    for lane in 0..<8 { total += s[lane] }
    while j < length {
      total += a[j] * b[j]
      j += 1
    }
    return total
  }
}

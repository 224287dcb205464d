/// The batch sums of a group of up to 16 draws in one ordered pass over the rows:
///
/// ```
/// s_k = Σᵢ c_ki gᵢ   (k = 1 … M),   c_ki = how often draw k lists row i,   the sum over i in row order
/// ```
///
/// A gather (`MiniBatchSweep.gatherSum`) reads each listed row from a random place in memory, one draw
/// at a time; when the rows of a draw outgrow the cache it waits on memory for most of its time. Where a
/// group of draws lists, on average, every row at least once (M·|L| ≥ N), reading the matrix once per
/// group, in order, costs the same arithmetic and a fraction of the waiting: rows are taken a strip of 256
/// coordinates at a time, so the M partial sums of a strip (M × 2 KB) stay in L1 while each row's strip is
/// read once for all the draws that list it. Each term c·g is exact for float32 rows (c < 2²⁹) and the
/// order is fixed by the row numbers alone, so the sums are the same bits for any thread count.
struct DrawGroupSums {
  /// Draws summed per pass.
  static let groupSize = 16
  /// Coordinates per strip: 16 partial sums of 256 doubles take 32 KB.
  static let stripWidth = 256

  /// Whether draws that list about `listed` of `count` rows of `rowBytes` bytes are summed by groups: when
  /// the gather would read them row by row from memory (`MiniBatchSweep.gatherCacheBytes`) and a group
  /// lists every row once on average.
  static func serves(listed: Int, count n: Int, rowBytes: Int) -> Bool {
    listed * rowBytes > MiniBatchSweep.gatherCacheBytes && listed * groupSize >= n
  }

  /// The group's listed rows: `lists[k]` is draw k's list (the sampler draws straight into it).
  var lists: [[Int32]] = Array(repeating: [], count: groupSize)
  /// c_ki at [i·groupSize + k], all zero between groups.
  private var counts: [Int32] = []
  /// The rows some draw of the group lists, ascending.
  private var touched: [Int32] = []
  /// s_k at [k·d ..< (k + 1)·d].
  private(set) var sums: [Double] = []

  /// Sets `sums` for the first `m` lists, each a list of rows of the N × d matrix `rows`.
  mutating func sum(rows: RowElements, count n: Int, dimension d: Int, draws m: Int) {
    precondition(m >= 1 && m <= Self.groupSize, "a group holds 1 … 16 draws")
    let g = Self.groupSize
    if counts.count != n * g { counts = [Int32](repeating: 0, count: n * g) }
    if sums.count < g * d { sums = [Double](repeating: 0, count: g * d) }
    touched.removeAll(keepingCapacity: true)
    counts.withUnsafeMutableBufferPointer { c in
      for k in 0..<m { for index in lists[k] { c[Int(index) * g + k] += 1 } }
      for i in 0..<n where (0..<m).contains(where: { c[i * g + $0] != 0 }) { touched.append(Int32(i)) }
      sums.withUnsafeMutableBufferPointer { out in
        out.baseAddress!.update(repeating: 0, count: m * d)
        touched.withUnsafeBufferPointer { rowsListed in
          switch rows {
          case .double(let base):
            Self.add(base, dimension: d, draws: m, counts: UnsafePointer(c.baseAddress!), touched: rowsListed, into: out.baseAddress!)
          case .float(let base):
            Self.add(base, dimension: d, draws: m, counts: UnsafePointer(c.baseAddress!), touched: rowsListed, into: out.baseAddress!)
          }
        }
      }
      // Back to all zero for the next group: only the touched rows hold counts.
      for i in touched { (c.baseAddress! + Int(i) * g).update(repeating: 0, count: m) }
    }
  }

  private static func add<T: StoredScalar>(
    _ base: UnsafePointer<T>, dimension d: Int, draws m: Int, counts: UnsafePointer<Int32>,
    touched: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Double>
  ) {
    let g = groupSize
    for first in stride(from: 0, to: d, by: stripWidth) {
      let w = Swift.min(stripWidth, d - first)
      let stripBytes = w * MemoryLayout<T>.stride
      for (position, row) in touched.enumerated() {
        if position + 4 < touched.count { prefetchForRead(base + Int(touched[position + 4]) * d + first, count: stripBytes) }
        let strip = base + Int(row) * d + first
        let rowCounts = counts + Int(row) * g
        for k in 0..<m where rowCounts[k] != 0 {
          let c = Double(rowCounts[k])
          let acc = out + k * d + first
          let accRaw = UnsafeMutableRawPointer(acc)
          var t = 0
          while t + 8 <= w {
            let offset = t * MemoryLayout<Double>.stride
            let sum = accRaw.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self) + c * T.eight(strip, t)
            accRaw.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Double>.self)
            t += 8
          }
          while t < w {
            acc[t] += c * strip[t].wide
            t += 1
          }
        }
      }
    }
  }
}

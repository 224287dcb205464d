import Foundation

/// Σ_{a,b} (v_a·v_b)² over m vectors v_a of length L: the squared Frobenius norm of their m×m Gram matrix,
/// which equals that of the L×L matrix Σ_a v_a v_aᵀ. For the deviations dᵢ = gᵢ − g of a population
/// (N rows of length P) it is N² tr Σ_N² either way:
///
/// ```
/// Σᵢₖ (dᵢ·dₖ)²  =  ‖D Dᵀ‖_F²  =  ‖Dᵀ D‖_F²  =  Σⱼₗ (Σᵢ dᵢⱼ dᵢₗ)²
/// ```
/// so it is taken over whichever side is shorter: the P columns of D when P < N (O(N·P²/2) multiply-adds),
/// else the N rows (O(N²·P/2)).
///
/// Each dot product runs over t in a fixed order (two lanes, then the lanes added); blocks of three rows
/// against four columns share their loads. A block of a's terms is summed compensated in a fixed order and
/// the blocks' sums are added exactly (`ExactSum`), so the result is the same bits for any thread count.
enum CrossSquareSum {
  /// Vectors `v_a[t] = x[a·L + t] − c[t]`, t < L, each place centred by `elementCentre` (the rows of D,
  /// centred by the mean gradient), or already centred (c = 0: a block of D's columns, `columnSum`).
  struct Vectors<T: StoredScalar>: @unchecked Sendable {
    let base: UnsafePointer<T>
    let count: Int
    let length: Int
    let elementCentre: UnsafePointer<Double>?

    /// Vectors already centred: v_a[t] = x[a·L + t].
    init(base: UnsafePointer<T>, count: Int, length: Int) {
      (self.base, self.count, self.length, self.elementCentre) = (base, count, length, nil)
    }

    init(base: UnsafePointer<T>, count: Int, length: Int, elementCentre: UnsafePointer<Double>) {
      (self.base, self.count, self.length, self.elementCentre) = (base, count, length, elementCentre)
    }
  }

  /// Σ_{a,b} (v_a·v_b)², the diagonal once and each pair a ≠ b twice; with `gram`, each v_a·v_b is also
  /// stored at [a·m + b] and [b·m + a] (m×m; each job writes only the pairs of its own rows).
  /// With `adding`, each v_a·v_b (b ≤ a) is added to entry a(a+1)/2 + b of a packed lower triangle instead.
  static func sum<T>(_ v: Vectors<T>, threads: Int, gram: UnsafeMutablePointer<Double>? = nil, adding: Bool = false) -> Double {
    let m = v.count
    nonisolated(unsafe) let gram = gram
    @Sendable @inline(__always) func keep(_ a: Int, _ b: Int, _ x: Double) {
      guard let gram else { return }
      if adding {
        gram[a * (a + 1) / 2 + b] += x  // the packed lower triangle (b ≤ a): half the memory, no write across rows
      } else {
        gram[a * m + b] = x
        gram[b * m + a] = x
      }
    }
    let rowsPerJob = 3
    let jobs = (m + rowsPerJob - 1) / rowsPerJob
    let parts = parallelJobs(count: jobs, threads: threads, makeScratch: {}) { job, _ -> ExactSum in
      var terms = NeumaierSum()
      let first = job * rowsPerJob
      let last = Swift.min(m, first + rowsPerJob)
      if last - first == 3 {
        // Three a's against four b's at a time, every b below the block.
        var b = 0
        while b + 4 <= first {
          let c = block3x4(v, a: first, b: b)
          for t in 0..<12 { terms.add(2 * c[t] * c[t]) }
          if gram != nil { for i in 0..<3 { for k in 0..<4 { keep(first + i, b + k, c[4 * i + k]) } } }
          b += 4
        }
        for a in first..<last {
          for b2 in b...a {
            let x = dot(v, a, b2)
            keep(a, b2, x)
            terms.add(a == b2 ? x * x : 2 * x * x)
          }
        }
      } else {
        for a in first..<last {
          for b in 0...a {
            let x = dot(v, a, b)
            keep(a, b, x)
            terms.add(a == b ? x * x : 2 * x * x)
          }
        }
      }
      var sum = ExactSum()
      sum.add(terms.value)
      return sum
    }
    var total = ExactSum()
    for part in parts { total.add(part) }
    return total.value
  }

  /// The same sum over the P columns of the deviations of N row-major rows (P < N), with no transposed copy
  /// of the rows: M = Σ_blocks D_blockᵀ D_block over blocks of 256 rows (each block centred by `mean` and
  /// transposed into a P × 256 buffer, its P×P products added into M in block order), then Σⱼₗ Mⱼₗ²
  /// exactly. Memory: M's lower triangle and one block; the same bits for any thread count.
  static func columnSum<T: StoredScalar>(
    rows: UnsafePointer<T>, count n: Int, length d: Int, mean: UnsafePointer<Double>, threads: Int
  ) -> Double {
    let block = 256
    var m = [Double](repeating: 0, count: d * (d + 1) / 2)
    var buffer = [Double](repeating: 0, count: d * block)
    for first in stride(from: 0, to: n, by: block) {
      let b = Swift.min(block, n - first)
      for t in 0..<b {
        let row = rows + (first + t) * d
        for j in 0..<d { buffer[j * b + t] = row[j].wide - mean[j] }
      }
      buffer.withUnsafeBufferPointer { columns in
        m.withUnsafeMutableBufferPointer { m in
          _ = sum(.init(base: columns.baseAddress!, count: d, length: b), threads: threads, gram: m.baseAddress!, adding: true)
        }
      }
    }
    var total = ExactSum()
    for j in 0..<d {
      let row = j * (j + 1) / 2
      total.add(m[row + j] * m[row + j])
      for l in 0..<j { total.add(2 * m[row + l] * m[row + l]) }
    }
    return total.value
  }

  /// Each two-lane sum's lanes added (lane 0 + lane 1), in lanes 0–11.
  @inline(__always) static func lanes(
    _ x0: SIMD2<Double>, _ x1: SIMD2<Double>, _ x2: SIMD2<Double>, _ x3: SIMD2<Double>, _ x4: SIMD2<Double>,
    _ x5: SIMD2<Double>, _ x6: SIMD2<Double>, _ x7: SIMD2<Double>, _ x8: SIMD2<Double>, _ x9: SIMD2<Double>,
    _ x10: SIMD2<Double>, _ x11: SIMD2<Double>
  ) -> SIMD16<Double> {
    let low = SIMD16<Double>(
      x0[0], x1[0], x2[0], x3[0], x4[0], x5[0], x6[0], x7[0], x8[0], x9[0], x10[0], x11[0], 0, 0, 0, 0)
    let high = SIMD16<Double>(
      x0[1], x1[1], x2[1], x3[1], x4[1], x5[1], x6[1], x7[1], x8[1], x9[1], x10[1], x11[1], 0, 0, 0, 0)
    return low + high
  }

  /// Whether `columnSum` serves an N × P population: P < N and M's lower triangle within 128 MB.
  static func columnSumServes(count n: Int, dimension d: Int) -> Bool {
    d < n && 4 * Double(d) * Double(d + 1) <= 128e6
  }

  /// v_a·v_b, two lanes over t then the lanes added.
  @inline(__always) static func dot<T>(_ v: Vectors<T>, _ a: Int, _ b: Int) -> Double {
    if let e = v.elementCentre { return dot(v, a, b, reading: CentredPlaces(centre: e)) }
    return dot(v, a, b, reading: StoredPlaces())
  }

  @inline(__always) static func dot<T, R: PlaceReader>(_ v: Vectors<T>, _ a: Int, _ b: Int, reading r: R) -> Double {
    let (pa, pb) = (v.base + a * v.length, v.base + b * v.length)
    var s = SIMD2<Double>()
    var t = 0
    while t + 2 <= v.length {
      let c = r.centre(t)
      s += r.pair(pa, t, c) * r.pair(pb, t, c)
      t += 2
    }
    var total = s[0] + s[1]
    if t < v.length { total += r.single(pa, t) * r.single(pb, t) }
    return total
  }

  /// The twelve dot products of a, a+1, a+2 with b … b+3, each in the order `dot` uses.
  /// (In lanes 0–11 of a SIMD16, lane 4i + k for a + i against b + k: no array is allocated per call.)
  @inline(__always) static func block3x4<T>(_ v: Vectors<T>, a: Int, b: Int) -> SIMD16<Double> {
    if let e = v.elementCentre { return block3x4(v, a: a, b: b, reading: CentredPlaces(centre: e)) }
    return block3x4(v, a: a, b: b, reading: StoredPlaces())
  }

  @inline(__always) static func block3x4<T, R: PlaceReader>(_ v: Vectors<T>, a: Int, b: Int, reading r: R) -> SIMD16<Double> {
    let l = v.length
    let (a0, a1, a2) = (v.base + a * l, v.base + (a + 1) * l, v.base + (a + 2) * l)
    let (b0, b1, b2, b3) = (v.base + b * l, v.base + (b + 1) * l, v.base + (b + 2) * l, v.base + (b + 3) * l)
    var (s00, s01, s02, s03) = (SIMD2<Double>(), SIMD2<Double>(), SIMD2<Double>(), SIMD2<Double>())
    var (s10, s11, s12, s13) = (SIMD2<Double>(), SIMD2<Double>(), SIMD2<Double>(), SIMD2<Double>())
    var (s20, s21, s22, s23) = (SIMD2<Double>(), SIMD2<Double>(), SIMD2<Double>(), SIMD2<Double>())
    var t = 0
    while t + 2 <= l {
      let c = r.centre(t)  // loaded once for all seven vectors
      let x0 = r.pair(a0, t, c), x1 = r.pair(a1, t, c), x2 = r.pair(a2, t, c)
      let y0 = r.pair(b0, t, c)
      s00 += x0 * y0; s10 += x1 * y0; s20 += x2 * y0
      let y1 = r.pair(b1, t, c)
      s01 += x0 * y1; s11 += x1 * y1; s21 += x2 * y1
      let y2 = r.pair(b2, t, c)
      s02 += x0 * y2; s12 += x1 * y2; s22 += x2 * y2
      let y3 = r.pair(b3, t, c)
      s03 += x0 * y3; s13 += x1 * y3; s23 += x2 * y3
      t += 2
    }
    var sums = lanes(s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23)
    if t < l {
      let xs = [r.single(a0, t), r.single(a1, t), r.single(a2, t)]
      let ys = [r.single(b0, t), r.single(b1, t), r.single(b2, t), r.single(b3, t)]
      for i in 0..<3 { for k in 0..<4 { sums[4 * i + k] += xs[i] * ys[k] } }
    }
    return sums
  }
}

/// How the kernels read place t of a vector: as stored, or less the per-place centre. Each kernel is
/// written once over a reader and specialised for both, so the loop over stored vectors has no subtraction.
protocol PlaceReader {
  associatedtype Centre
  /// What places t and t + 1 are centred by, loaded once per step for every vector.
  func centre(_ t: Int) -> Centre
  /// Places t and t + 1 of `p`, in binary64, centred.
  func pair<T: StoredScalar>(_ p: UnsafePointer<T>, _ t: Int, _ c: Centre) -> SIMD2<Double>
  /// Place t of `p` alone, centred.
  func single<T: StoredScalar>(_ p: UnsafePointer<T>, _ t: Int) -> Double
}

/// Vectors already centred (or not to be).
struct StoredPlaces: PlaceReader {
  @inline(__always) func centre(_ t: Int) {}
  @inline(__always) func pair<T: StoredScalar>(_ p: UnsafePointer<T>, _ t: Int, _ c: Void) -> SIMD2<Double> { T.pair(p, t) }
  @inline(__always) func single<T: StoredScalar>(_ p: UnsafePointer<T>, _ t: Int) -> Double { p[t].wide }
}

/// Each place t less `centre[t]`.
struct CentredPlaces: PlaceReader {
  let centre: UnsafePointer<Double>
  @inline(__always) func centre(_ t: Int) -> SIMD2<Double> {
    UnsafeRawPointer(centre + t).loadUnaligned(as: SIMD2<Double>.self)
  }
  @inline(__always) func pair<T: StoredScalar>(_ p: UnsafePointer<T>, _ t: Int, _ c: SIMD2<Double>) -> SIMD2<Double> {
    T.pair(p, t) - c
  }
  @inline(__always) func single<T: StoredScalar>(_ p: UnsafePointer<T>, _ t: Int) -> Double { p[t].wide - centre[t] }
}

/// A sampler's scratch belongs to one worker: the index array that partial Fisher–Yates permutes and then
/// restores, so every draw starts from the identity permutation and depends only on its random numbers.
package struct SamplerWorkspace {
  /// The identity permutation, disturbed during a draw and restored after it.
  @usableFromInline var permutation: [Int32]
  @usableFromInline var swaps: [Int32]

  public init(count n: Int) {
    precondition(n >= 1 && n <= Int(Int32.max), "N must be in 1...2³¹−1")
    permutation = (0..<Int32(n)).map { $0 }
    swaps = [Int32](repeating: 0, count: n)
  }
}

/// Draws mini-batches as lists of example indices, from a Philox stream, in O(min(b, N − b)) per draw.
///
/// Past half the data the sampler draws the complement instead (`drawsComplement`): a uniform b-subset is the
/// complement of a uniform (N − b)-subset, and a Poisson(q) set the complement of a Poisson(1 − q) set. The
/// caller then forms the batch sum as T − Σ_complement with T the compensated total, which also makes the
/// error at b = N exactly zero.
package struct BatchSampler: Sendable {
  public let kind: SamplerKind
  public let count: Int
  public let batch: Int
  /// True when each draw lists the examples left out rather than those taken.
  public let drawsComplement: Bool
  /// How many indices a draw lists (without replacement).
  @usableFromInline let drawSize: Int
  /// log(1 − r) for Poisson skip sampling at inclusion rate r of the listed set.
  @usableFromInline let logSkip: Double
  @usableFromInline let listedRate: Double
  /// A deliberate sampler bug: this example is never drawn (nil for the real sampler). It exists so the
  /// tests can show that the unbiasedness verdict catches a sampler that skips data.
  public let neverPicks: Int?

  public init(kind: SamplerKind, count n: Int, batch b: Int, neverPicks: Int? = nil) {
    precondition(n >= 1 && n <= Int(Int32.max), "N must be in 1...2³¹−1")
    precondition(b >= 1 && b <= kind.maximumBatch(count: n), "batch size out of range for the sampler")
    precondition(neverPicks == nil || (n >= 2 && b < n && neverPicks! >= 0 && neverPicks! < n), "bad neverPicks")
    self.kind = kind
    count = n
    batch = b
    self.neverPicks = neverPicks
    drawsComplement = kind != .withReplacement && 2 * b > n && neverPicks == nil
    drawSize = drawsComplement ? n - b : b
    listedRate = Double(drawsComplement ? n - b : b) / Double(n)
    logSkip = Foundation_log1p(-listedRate)
  }

  /// Fills `indices` with one draw (the batch, or its complement when `drawsComplement`) and returns the
  /// divisor of the batch mean: b, or the realised batch size for `poissonRealized`.
  ///
  /// - with replacement: b independent Lemire-bounded integers;
  /// - without replacement: partial Fisher–Yates, swaps undone afterwards (Knuth, TAOCP vol. 2, §3.4.2);
  /// - Poisson: gaps between listed indices are Geometric(r): next = i + 1 + ⌊log U / log(1 − r)⌋, so a draw
  ///   costs O(listed), not O(N) (L. Devroye, "Non-Uniform Random Variate Generation", 1986, §X.2).
  /// - Complexity: O(min(b, N − b)) expected (O(b) with replacement).
  @inlinable public func draw(
    into indices: inout [Int32], workspace: inout SamplerWorkspace, using rng: inout PhiloxStream
  ) -> Double {
    indices.removeAll(keepingCapacity: true)
    if let skipped = neverPicks { return drawSkipping(skipped, into: &indices, workspace: &workspace, using: &rng) }
    switch kind {
    case .withReplacement:
      let bound = UInt64(count)
      for _ in 0..<batch { indices.append(Int32(truncatingIfNeeded: rng.nextBounded(bound))) }
      return Double(batch)
    case .withoutReplacement:
      let size = drawSize
      let n = count
      workspace.permutation.withUnsafeMutableBufferPointer { p in
        workspace.swaps.withUnsafeMutableBufferPointer { s in
          // The swap positions first (they depend on the stream only), then the swaps, each position
          // prefetched 16 steps ahead: for large N the permutation is far out of cache and every swap
          // would otherwise wait for memory. The same swaps in the same order as one loop would make.
          for t in 0..<size { s[t] = Int32(truncatingIfNeeded: t + Int(rng.nextBounded(UInt64(n - t)))) }
          let base = UnsafeRawPointer(p.baseAddress!)
          let ahead = 16
          for t in 0..<size {
            if t + ahead < size { prefetchForRead(base + Int(s[t + ahead]) * 4, count: 1) }
            p.swapAt(t, Int(s[t]))
            indices.append(p[t])
          }
          for t in stride(from: size - 1, through: 0, by: -1) {
            if t >= ahead { prefetchForRead(base + Int(s[t - ahead]) * 4, count: 1) }
            p.swapAt(t, Int(s[t]))
          }
        }
      }
      return Double(batch)
    case .poisson, .poissonRealized:
      if listedRate >= 1 {
        for i in 0..<count { indices.append(Int32(i)) }
      } else if listedRate > 0 {
        var i = -1
        while true {
          let u = Double((rng.next() >> 11) + 1) * 0x1p-53  // (0, 1]
          let gap = (Foundation_log(u) / logSkip).rounded(.down)
          guard gap < Double(count - 1 - i) else { break }
          i += 1 + Int(gap)
          indices.append(Int32(i))
        }
      }
      guard kind == .poissonRealized else { return Double(batch) }
      return Double(drawsComplement ? count - indices.count : indices.count)
    }
  }

  /// Adds one draw to `counts` (how often each example is listed), taking the same words from the
  /// stream as `draw`: with replacement each pick is counted as it is drawn, with no list in between.
  @inlinable public func count(
    into counts: UnsafeMutableBufferPointer<Int64>, indices: inout [Int32], workspace: inout SamplerWorkspace,
    using rng: inout PhiloxStream
  ) {
    if kind == .withReplacement && neverPicks == nil {
      let bound = UInt64(count)
      for _ in 0..<batch { counts[Int(rng.nextBounded(bound))] += 1 }
      return
    }
    _ = draw(into: &indices, workspace: &workspace, using: &rng)
    for index in indices { counts[Int(index)] += 1 }
  }

  /// The faulty draw: as `draw`, over the N − 1 examples other than `skipped`.
  @usableFromInline func drawSkipping(
    _ skipped: Int, into indices: inout [Int32], workspace: inout SamplerWorkspace, using rng: inout PhiloxStream
  ) -> Double {
    let reduced = BatchSampler(kind: kind, count: count - 1, batch: Swift.min(batch, count - 1))
    let divisor = reduced.draw(into: &indices, workspace: &workspace, using: &rng)
    if reduced.drawsComplement {
      // Turn the listed complement into the batch itself (O(N): this path is a test fault only).
      let left = Set(indices)
      indices = (0..<Int32(count - 1)).filter { !left.contains($0) }
    }
    for t in indices.indices where Int(indices[t]) >= skipped { indices[t] += 1 }
    return divisor
  }
}

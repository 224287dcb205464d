/// Reorderings of a data set's rows, for the correlated-sampling controls.
extension Dataset {
  /// The rows with the given order (`order[k]` is the old index of new row k).
  public func reordered(_ order: [Int]) -> Dataset {
    precondition(order.count == count, "order must list every row once")
    let d = featureCount
    var out = self
    for (k, i) in order.enumerated() {
      out.targets[k] = targets[i]
      for j in 0..<d { out.features[k * d + j] = features[i * d + j] }
    }
    return out
  }

  /// Sorted by target, ties kept in file order: the "unshuffled" data of N1.
  public func sortedByTarget() -> Dataset {
    var out = reordered((0..<count).sorted { targets[$0] < targets[$1] || (targets[$0] == targets[$1] && $0 < $1) })
    out.name += "(sorted)"
    return out
  }

  /// Shuffled once by Fisher–Yates from the project's Philox stream "data/shuffle".
  public func shuffledOnce(seed: UInt64) -> Dataset {
    var rng = PhiloxStream(seed: seed, name: "data/shuffle")
    var order = Array(0..<count)
    for t in stride(from: count - 1, to: 0, by: -1) {
      order.swapAt(t, Int(rng.nextBounded(UInt64(t + 1))))
    }
    var out = reordered(order)
    out.name += "(shuffled)"
    return out
  }
}

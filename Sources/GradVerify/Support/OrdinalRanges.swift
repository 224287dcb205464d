/// A set of non-negative integers kept as sorted, disjoint, non-adjacent half-open ranges: the record of
/// which blocks a ledger holds, a few numbers however many blocks that is.
package struct OrdinalRanges: Sendable, Equatable {
  public private(set) var ranges: [Range<Int>] = []

  public init() {}

  public init(_ ranges: [Range<Int>]) {
    for r in ranges { insert(r) }
  }

  public var count: Int { ranges.reduce(0) { $0 + $1.count } }
  public var isEmpty: Bool { ranges.isEmpty }

  public func contains(_ k: Int) -> Bool {
    // The last range starting at or before k.
    var (lo, hi) = (0, ranges.count)
    while lo < hi {
      let mid = (lo + hi) / 2
      if ranges[mid].lowerBound <= k { lo = mid + 1 } else { hi = mid }
    }
    return lo > 0 && ranges[lo - 1].contains(k)
  }

  public func overlaps(_ other: OrdinalRanges) -> Bool {
    var (i, j) = (0, 0)
    while i < ranges.count && j < other.ranges.count {
      if ranges[i].overlaps(other.ranges[j]) { return true }
      if ranges[i].upperBound <= other.ranges[j].lowerBound { i += 1 } else { j += 1 }
    }
    return false
  }

  /// Adds the members of r, merging it with the ranges it overlaps or touches.
  public mutating func insert(_ r: Range<Int>) {
    guard !r.isEmpty else { return }
    var lower = r.lowerBound
    var upper = r.upperBound
    var kept: [Range<Int>] = []
    kept.reserveCapacity(ranges.count + 1)
    var placed = false
    for existing in ranges {
      if existing.upperBound < lower {
        kept.append(existing)
      } else if existing.lowerBound > upper {
        if !placed {
          kept.append(lower..<upper)
          placed = true
        }
        kept.append(existing)
      } else {
        lower = Swift.min(lower, existing.lowerBound)
        upper = Swift.max(upper, existing.upperBound)
      }
    }
    if !placed { kept.append(lower..<upper) }
    ranges = kept
  }

  public mutating func formUnion(_ other: OrdinalRanges) {
    for r in other.ranges { insert(r) }
  }

  /// "a-b c-d …" (each a half-open range a ..< b); "" for the empty set.
  public var text: String { ranges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: " ") }

  /// Reads `text`'s form: ranges in increasing order, disjoint and not touching, within 0 ..< limit.
  public init?(text: Substring, limit: Int) {
    var previousEnd = -1
    for item in text.split(separator: " ") {
      let ends = item.split(separator: "-", omittingEmptySubsequences: false)
      guard ends.count == 2, let a = Int(ends[0]), let b = Int(ends[1]), a > previousEnd, a < b, b <= limit else {
        return nil
      }
      ranges.append(a..<b)
      previousEnd = b
    }
  }
}

/// A running sum with Neumaier's compensation: the error stays near one rounding of the total,
/// independent of how many terms are added.
///
/// ```
/// t = s + x;  c += (|s| ≥ |x|) ? (s − t) + x : (x − t) + s;  s = t;   result = s + c
/// ```
///
/// A plain left-to-right sum of N terms can be wrong by about N·u·Σ|xᵢ|; a 5-point finite difference
/// divides such errors by h, so the cost of a large data set must be summed this way.
///
/// - Complexity: O(1) per term.
///
/// A. Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen",
/// ZAMM 54 (1974) 39–51. doi:10.1002/zamm.19740540106
public struct NeumaierSum: Sendable {
  @usableFromInline var sum = 0.0
  @usableFromInline var compensation = 0.0

  @inlinable public init() {}

  /// Adds one term.
  @inlinable public mutating func add(_ x: Double) {
    let t = sum + x
    if Swift.abs(sum) >= Swift.abs(x) {
      compensation += (sum - t) + x
    } else {
      compensation += (x - t) + sum
    }
    sum = t
  }

  /// The compensated total.
  @inlinable public var value: Double { sum + compensation }
}

extension Sequence where Element == Double {
  /// The compensated sum of the elements (Neumaier).
  @inlinable public func compensatedSum() -> Double {
    var s = NeumaierSum()
    for x in self { s.add(x) }
    return s.value
  }
}

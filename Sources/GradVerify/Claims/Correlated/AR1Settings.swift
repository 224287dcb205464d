
/// N1's AR(1) sequence: xₜ = φ xₜ₋₁ + εₜ, n values, sampled in circular windows of the given sizes.
package struct AR1Settings: CheckedDecodable, Sendable, Equatable {
  public var phi: Double
  public var count: Int
  public var batchSizes: [Int]

  package enum CodingKeys: String, CodingKey, CaseIterable {
    case phi
    case count = "n"
    case batchSizes = "batch_sizes"
  }

  public init(phi: Double, count: Int, batchSizes: [Int]) {
    (self.phi, self.count, self.batchSizes) = (phi, count, batchSizes)
  }

  package var problem: (field: CodingKeys, message: String)? {
    if !(Swift.abs(phi) < 1) { return (.phi, "must lie in (−1, 1) for a stationary sequence") }
    if !(2...10_000_000).contains(count) { return (.count, "must be between 2 and 10⁷") }
    if batchSizes.isEmpty || !batchSizes.allSatisfy({ (1...count).contains($0) }) {
      return (.batchSizes, "needs sizes from 1 to n")
    }
    return nil
  }
}


/// N1's AR(1) sequence: xₜ = φ xₜ₋₁ + εₜ, n values, sampled in circular windows of the given sizes.
package struct AR1Settings: Decodable, Sendable, Equatable {
  public var phi: Double
  public var count: Int
  public var batchSizes: [Int]

  enum CodingKeys: String, CodingKey, CaseIterable {
    case phi
    case count = "n"
    case batchSizes = "batch_sizes"
  }

  public init(phi: Double, count: Int, batchSizes: [Int]) {
    (self.phi, self.count, self.batchSizes) = (phi, count, batchSizes)
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    phi = try c.decode(Double.self, forKey: .phi)
    count = try c.decode(Int.self, forKey: .count)
    batchSizes = try c.decode([Int].self, forKey: .batchSizes)
    guard Swift.abs(phi) < 1 else { throw invalid(c, .phi, "must lie in (−1, 1) for a stationary sequence") }
    guard count >= 2 && count <= 10_000_000 else { throw invalid(c, .count, "must be between 2 and 10⁷") }
    guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 && $0 <= count }) else {
      throw invalid(c, .batchSizes, "needs sizes from 1 to n")
    }
  }
}

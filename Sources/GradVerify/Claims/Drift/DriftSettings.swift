
/// N3's settings: k examples per SGD pass, the step sizes, which of them are judged to first order, and
/// how many random orders are averaged.
package struct DriftSettings: Decodable, Sendable, Equatable {
  public var examplesPerPass: Int
  public var etas: [Double]
  public var firstOrderLimit: Double
  public var orders: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case examplesPerPass = "k"
    case etas
    case firstOrderLimit = "first_order_limit"
    case orders
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    examplesPerPass = try c.decode(Int.self, forKey: .examplesPerPass)
    etas = try c.decode([Double].self, forKey: .etas)
    firstOrderLimit = try c.decode(Double.self, forKey: .firstOrderLimit)
    orders = try c.decode(Int.self, forKey: .orders)
    guard examplesPerPass >= 2 && examplesPerPass <= 1_000_000 else {
      throw invalid(c, .examplesPerPass, "must be between 2 and 10⁶")
    }
    guard !etas.isEmpty, etas.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
      throw invalid(c, .etas, "needs finite non-negative step sizes")
    }
    guard firstOrderLimit > 0 && firstOrderLimit.isFinite else { throw invalid(c, .firstOrderLimit, "must be positive") }
    guard orders >= 2 && orders <= 100_000_000 else { throw invalid(c, .orders, "must be between 2 and 10⁸") }
  }
}

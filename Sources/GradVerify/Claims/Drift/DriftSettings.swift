
/// N3's settings: k examples per SGD pass, the step sizes, which of them are judged to first order, and
/// how many random orders are averaged.
package struct DriftSettings: CheckedDecodable, Sendable, Equatable {
  public var examplesPerPass: Int
  public var etas: [Double]
  public var firstOrderLimit: Double
  public var orders: Int

  package enum CodingKeys: String, CodingKey, CaseIterable {
    case examplesPerPass = "k"
    case etas
    case firstOrderLimit = "first_order_limit"
    case orders
  }

  package var problem: (field: CodingKeys, message: String)? {
    if !(2...1_000_000).contains(examplesPerPass) { return (.examplesPerPass, "must be between 2 and 10⁶") }
    if etas.isEmpty || !etas.allSatisfy({ $0 >= 0 && $0.isFinite }) {
      return (.etas, "needs finite non-negative step sizes")
    }
    if !(firstOrderLimit > 0 && firstOrderLimit.isFinite) { return (.firstOrderLimit, "must be positive") }
    if !(2...100_000_000).contains(orders) { return (.orders, "must be between 2 and 10⁸") }
    return nil
  }
}

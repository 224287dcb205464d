
/// F's settings: the sizes N, the replicates per size, the precisions, how many gradient coordinates of each
/// case are summed, and whether the synthetic uniform values and the exactly summable grid twin are added.
package struct FinitePrecisionSettings: Decodable, Sendable, Equatable {
  public var sizes: [Int]
  public var replicates: Int
  public var precisions: [LowPrecision]
  public var coordinates: Int
  public var twinSizes: [Int]

  enum CodingKeys: String, CodingKey, CaseIterable {
    case sizes, replicates, precisions, coordinates
    case twinSizes = "twin_sizes"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sizes = try c.decode([Int].self, forKey: .sizes)
    replicates = try c.decode(Int.self, forKey: .replicates)
    precisions = try c.decode([LowPrecision].self, forKey: .precisions)
    coordinates = try c.decode(Int.self, forKey: .coordinates)
    twinSizes = try c.decode([Int].self, forKey: .twinSizes)
    guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 2 && $0 <= 100_000_000 }) else {
      throw invalid(c, .sizes, "needs sizes between 2 and 10⁸")
    }
    guard replicates >= 1 && replicates <= 1000 else { throw invalid(c, .replicates, "must be between 1 and 1000") }
    guard !precisions.isEmpty else { throw invalid(c, .precisions, "needs float32 or bfloat16") }
    // The first min(coordinates, P) columns are summed; beyond 10⁶ a value can only be a mistake.
    guard coordinates >= 1 && coordinates <= 1_000_000 else {
      throw invalid(c, .coordinates, "must be between 1 and 10⁶ (the first min(coordinates, P) are summed)")
    }
    // Every partial sum of N values on the grid k·2⁻⁸ < 1 stays below 2¹⁶ and on the grid: exact in float32.
    guard !twinSizes.isEmpty, twinSizes.allSatisfy({ $0 >= 2 && $0 <= 65_536 }) else {
      throw invalid(c, .twinSizes, "needs sizes between 2 and 2¹⁶ (where float32 sums of the grid are exact)")
    }
  }
}


/// F's settings: the sizes N, the replicates per size, the precisions, how many gradient coordinates of each
/// case are summed, and whether the synthetic uniform values and the exactly summable grid twin are added.
package struct FinitePrecisionSettings: CheckedDecodable, Sendable, Equatable {
  public var sizes: [Int]
  public var replicates: Int
  public var precisions: [LowPrecision]
  public var coordinates: Int
  public var twinSizes: [Int]

  package enum CodingKeys: String, CodingKey, CaseIterable {
    case sizes, replicates, precisions, coordinates
    case twinSizes = "twin_sizes"
  }

  package var problem: (field: CodingKeys, message: String)? {
    if sizes.isEmpty || !sizes.allSatisfy({ (2...100_000_000).contains($0) }) {
      return (.sizes, "needs sizes between 2 and 10⁸")
    }
    if !(1...1000).contains(replicates) { return (.replicates, "must be between 1 and 1000") }
    if precisions.isEmpty { return (.precisions, "needs float32 or bfloat16") }
    // The first min(coordinates, P) columns are summed; beyond 10⁶ a value can only be a mistake.
    if !(1...1_000_000).contains(coordinates) {
      return (.coordinates, "must be between 1 and 10⁶ (the first min(coordinates, P) are summed)")
    }
    // Every partial sum of N values on the grid k·2⁻⁸ < 1 stays below 2¹⁶ and on the grid: exact in float32.
    if twinSizes.isEmpty || !twinSizes.allSatisfy({ (2...65_536).contains($0) }) {
      return (.twinSizes, "needs sizes between 2 and 2¹⁶ (where float32 sums of the grid are exact)")
    }
    return nil
  }
}


/// N4's settings: the mean document length L, the groupings of tokens into documents, the batching schemes
/// (M micro-batches of k documents) and the Monte Carlo batches per scheme.
package struct MeanOfMeansSettings: Decodable, Sendable, Equatable {
  public var meanLength: Int
  public var groupings: [DocumentLayout.Grouping]
  public var schemes: [MeanOfMeansControl.Scheme]
  public var draws: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case meanLength = "mean_length"
    case groupings, schemes, draws
  }

  enum SchemeKeys: String, CodingKey, CaseIterable {
    case name
    case microBatches = "micro_batches"
    case documentsPerMicroBatch = "documents_per_micro_batch"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    meanLength = try c.decode(Int.self, forKey: .meanLength)
    groupings = try c.decode([DocumentLayout.Grouping].self, forKey: .groupings)
    draws = try c.decode(Int.self, forKey: .draws)
    var list = try c.nestedUnkeyedContainer(forKey: .schemes)
    schemes = []
    while !list.isAtEnd {
      let s = try list.superDecoder()
      try s.rejectUnknownKeys(SchemeKeys.self)
      let sc = try s.container(keyedBy: SchemeKeys.self)
      let scheme = MeanOfMeansControl.Scheme(
        name: try sc.decode(String.self, forKey: .name), microBatches: try sc.decode(Int.self, forKey: .microBatches),
        documentsPerMicroBatch: try sc.decode(Int.self, forKey: .documentsPerMicroBatch))
      guard scheme.microBatches >= 2 && scheme.microBatches <= 1024 else {
        throw invalid(sc, .microBatches, "must be between 2 and 1024")
      }
      guard scheme.documentsPerMicroBatch >= 1 && scheme.documentsPerMicroBatch <= 1024 else {
        throw invalid(sc, .documentsPerMicroBatch, "must be between 1 and 1024")
      }
      schemes.append(scheme)
    }
    guard meanLength >= 2 && meanLength <= 10_000 else { throw invalid(c, .meanLength, "must be between 2 and 10⁴") }
    guard !groupings.isEmpty else { throw invalid(c, .groupings, "needs at least one of random, by-loss") }
    guard !schemes.isEmpty, Set(schemes.map(\.name)).count == schemes.count else {
      throw invalid(c, .schemes, "needs at least one scheme, each with its own name")
    }
    guard draws >= 2 && draws <= 100_000_000 else { throw invalid(c, .draws, "must be between 2 and 10⁸") }
  }
}

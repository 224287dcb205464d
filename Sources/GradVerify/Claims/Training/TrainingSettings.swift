
/// T's settings: step size, full-batch steps, SGD batch sizes, checkpoints and noise draws per checkpoint.
package struct TrainingSettings: Decodable, Sendable, Equatable {
  public var eta: Double
  public var steps: Int
  public var batchSizes: [Int]
  public var checkpoints: Int
  public var noiseDraws: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case eta, steps, checkpoints
    case batchSizes = "batch_sizes"
    case noiseDraws = "noise_draws"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    eta = try c.decode(Double.self, forKey: .eta)
    steps = try c.decode(Int.self, forKey: .steps)
    batchSizes = try c.decode([Int].self, forKey: .batchSizes)
    checkpoints = try c.decode(Int.self, forKey: .checkpoints)
    noiseDraws = try c.decode(Int.self, forKey: .noiseDraws)
    guard eta > 0 && eta.isFinite else { throw invalid(c, .eta, "must be positive") }
    guard steps >= 1 && steps <= 1_000_000 else { throw invalid(c, .steps, "must be between 1 and 10⁶") }
    guard batchSizes.allSatisfy({ $0 >= 1 }) else { throw invalid(c, .batchSizes, "needs positive sizes") }
    guard checkpoints >= 1 && checkpoints <= 10_000 else { throw invalid(c, .checkpoints, "must be between 1 and 10⁴") }
    guard noiseDraws >= 2 && noiseDraws <= 100_000_000 else { throw invalid(c, .noiseDraws, "must be between 2 and 10⁸") }
  }
}

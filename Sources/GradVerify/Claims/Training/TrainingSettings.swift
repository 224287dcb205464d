
/// T's settings: step size, full-batch steps, SGD batch sizes, checkpoints and noise draws per checkpoint.
package struct TrainingSettings: CheckedDecodable, Sendable, Equatable {
  public var eta: Double
  public var steps: Int
  public var batchSizes: [Int]
  public var checkpoints: Int
  public var noiseDraws: Int

  package enum CodingKeys: String, CodingKey, CaseIterable {
    case eta, steps, checkpoints
    case batchSizes = "batch_sizes"
    case noiseDraws = "noise_draws"
  }

  package var problem: (field: CodingKeys, message: String)? {
    if !(eta > 0 && eta.isFinite) { return (.eta, "must be positive") }
    if !(1...1_000_000).contains(steps) { return (.steps, "must be between 1 and 10⁶") }
    if !batchSizes.allSatisfy({ $0 >= 1 }) { return (.batchSizes, "needs positive sizes") }
    if !(1...10_000).contains(checkpoints) { return (.checkpoints, "must be between 1 and 10⁴") }
    if !(2...100_000_000).contains(noiseDraws) { return (.noiseDraws, "must be between 2 and 10⁸") }
    return nil
  }
}

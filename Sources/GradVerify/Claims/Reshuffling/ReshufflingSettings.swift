
/// RR's settings: the batch size b of the epoch, the number of epochs drawn, and the running-mean
/// checkpoints (numbers of batches; default every full batch but the last).
package struct ReshufflingSettings: Decodable, Sendable, Equatable {
  public var batch: Int
  public var epochs: Int

  enum CodingKeys: String, CodingKey, CaseIterable { case batch, epochs }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    batch = try c.decode(Int.self, forKey: .batch)
    epochs = try c.decode(Int.self, forKey: .epochs)
    guard batch >= 1 && batch <= 1_000_000 else { throw invalid(c, .batch, "must be between 1 and 10⁶") }
    guard epochs >= 2 && epochs <= 100_000_000 else { throw invalid(c, .epochs, "must be between 2 and 10⁸") }
  }

  /// The checkpoints for N examples: k = 1, 2, … while k·b < N.
  public func checkpoints(count n: Int) -> [Int] { Array(1...Swift.max(1, (n - 1) / batch)) }
}

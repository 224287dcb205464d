
/// RR's settings: the batch size b of the epoch, the number of epochs drawn, and the running-mean
/// checkpoints (numbers of batches; default every full batch but the last).
package struct ReshufflingSettings: CheckedDecodable, Sendable, Equatable {
  public var batch: Int
  public var epochs: Int

  package enum CodingKeys: String, CodingKey, CaseIterable { case batch, epochs }

  package var problem: (field: CodingKeys, message: String)? {
    if !(1...1_000_000).contains(batch) { return (.batch, "must be between 1 and 10⁶") }
    if !(2...100_000_000).contains(epochs) { return (.epochs, "must be between 2 and 10⁸") }
    return nil
  }

  /// The checkpoints for N examples: k = 1, 2, … while k·b < N.
  public func checkpoints(count n: Int) -> [Int] { Array(1...Swift.max(1, (n - 1) / batch)) }
}

import Foundation

/// Which blocks of a sweep one process computes: shard i of n owns the jobs j with j mod n = i, so every
/// shard gets whole blocks of every cell. Indices are 0-based, as Slurm's SLURM_ARRAY_TASK_ID and
/// Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX are.
package struct Shard: Sendable, Equatable {
  public let index: Int
  public let count: Int

  public static let whole = Shard(index: 0, count: 1)

  public init(index: Int, count: Int) {
    precondition(count >= 1 && index >= 0 && index < count, "need 0 ≤ i < n")
    self.index = index
    self.count = count
  }

  /// Parses "i/n" (0 ≤ i < n ≤ 100 000).
  public static func parse(_ text: String, flag: String) throws(InputError) -> Shard {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, i >= 0, i < n else {
      throw InputError("\(flag) \(InputError.quote(text)): expected i/n with 0 ≤ i < n ≤ 100000 (e.g. 0/4)")
    }
    return Shard(index: i, count: n)
  }

  public func owns(_ job: Int) -> Bool { job % count == index }

  public var description: String { "\(index)/\(count)" }
}

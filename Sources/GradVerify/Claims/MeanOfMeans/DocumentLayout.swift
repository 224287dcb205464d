
/// Tokens (the examples of a data set) grouped into documents, as a language model's token-level losses
/// are: the cost is the token mean, and a document of T tokens weighs T in it.
///
/// Lengths are 1 + Geometric(1/L) (mean L), drawn from the project's seeded stream until the tokens are
/// used up (the last document takes what is left). `random` fills the documents from a seeded permutation of
/// the examples; `byLoss` gives the longest documents the highest-loss tokens (a sequence set where long
/// documents are the hard ones, so document length and document gradient are correlated); `equal` cuts the
/// permuted tokens into documents of exactly L tokens and drops the remainder (the twin: no mean-of-means gap).
package struct DocumentLayout: Sendable, Equatable {
  public enum Grouping: String, Sendable, CaseIterable, Codable {
    case random
    case byLoss = "by-loss"
  }

  /// The token (example) indices of each document.
  public let documents: [[Int]]
  public var tokenCount: Int { documents.reduce(0) { $0 + $1.count } }

  public init(documents: [[Int]]) { self.documents = documents }

  /// Geometric lengths of mean `meanLength` over `count` tokens, grouped as `grouping` says.
  public static func unequal(
    count n: Int, meanLength: Int, grouping: Grouping, losses: [Double], seed: UInt64, name: String
  ) -> DocumentLayout {
    precondition(n >= 2 && meanLength >= 1 && losses.count == n, "need N ≥ 2 tokens, L ≥ 1 and one loss per token")
    var rng = PhiloxStream(seed: seed, name: "n4/\(name)/lengths")
    var lengths: [Int] = []
    var left = n
    let stop = 1 / Double(meanLength)
    while left > 0 {
      var length = 1
      while length < left && rng.nextUniform() >= stop { length += 1 }
      lengths.append(length)
      left -= length
    }
    let order: [Int]
    switch grouping {
    case .random:
      order = permutation(count: n, seed: seed, name: name)
    case .byLoss:
      // Highest loss first, ties by index; documents longest first, ties by draw order.
      order = (0..<n).sorted { losses[$0] != losses[$1] ? losses[$0] > losses[$1] : $0 < $1 }
      lengths = lengths.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
        .map(\.element)
    }
    return DocumentLayout(documents: cut(order, lengths: lengths))
  }

  /// Documents of exactly `length` tokens from the seeded permutation; the last N mod L tokens are dropped.
  public static func equal(count n: Int, length: Int, seed: UInt64, name: String) -> DocumentLayout {
    precondition(length >= 1 && n >= 2 * length, "need at least two documents of L tokens")
    let order = permutation(count: n, seed: seed, name: name)
    return DocumentLayout(documents: cut(Array(order.prefix(n / length * length)), lengths: Array(repeating: length, count: n / length)))
  }

  /// A Fisher–Yates permutation of 0..<n from the stream "n4/<name>/tokens".
  static func permutation(count n: Int, seed: UInt64, name: String) -> [Int] {
    var rng = PhiloxStream(seed: seed, name: "n4/\(name)/tokens")
    var order = Array(0..<n)
    for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.nextBounded(UInt64(i + 1)))) }
    return order
  }

  static func cut(_ order: [Int], lengths: [Int]) -> [[Int]] {
    var start = 0
    return lengths.map { length in
      defer { start += length }
      return Array(order[start..<(start + length)])
    }
  }
}

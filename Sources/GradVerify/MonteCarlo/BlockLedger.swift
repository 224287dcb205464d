import Foundation

/// Which blocks of a sweep one process computes: shard i of n owns the jobs j with j mod n = i, so every
/// shard gets whole blocks of every cell. Indices are 0-based, as Slurm's SLURM_ARRAY_TASK_ID and
/// Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX are.
public struct Shard: Sendable, Equatable {
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

/// The block sums of one sweep computed so far, by job (cell · blocks per cell + block), with the signature
/// of the run that made them: what shards write for `merge`, and what an interrupted run resumes from.
///
/// Sums are stored as the bit patterns of the doubles, so a merged or resumed run combines exactly the
/// numbers an uninterrupted one would, in the same block order, and writes the same bytes.
public struct BlockLedger: Sendable {
  /// Everything that determines the blocks (command, options, data hash, versions) except the shard.
  public var signature: [String]
  public var shard: Shard
  public var jobCount: Int
  public var dimension: Int
  var blocks: [Int: BlockSums] = [:]

  public init(signature: [String], shard: Shard, jobCount: Int, dimension: Int) {
    self.signature = signature
    self.shard = shard
    self.jobCount = jobCount
    self.dimension = dimension
  }

  /// The jobs this ledger's shard owns.
  public var ownedJobs: [Int] { Array(stride(from: shard.index, to: jobCount, by: shard.count)) }
  public var completedCount: Int { blocks.count }
  public var isComplete: Bool { blocks.count == ownedJobs.count }

  /// Throws unless this ledger, a checkpoint read from `source`, holds blocks of the sweep with `signature`
  /// and `shard` (and, where given, its job count and dimension), so it can be resumed.
  public func requireSameSweep(
    signature: [String], shard: Shard, jobCount: Int? = nil, dimension: Int? = nil, source: String
  ) throws(InputError) {
    guard self.signature == signature, self.shard == shard, jobCount.map({ $0 == self.jobCount }) ?? true,
      dimension.map({ $0 == self.dimension }) ?? true
    else {
      throw InputError("\(source): its blocks come from a different sweep than this command's (other options, data or shard)")
    }
  }

  static let magic = "gradverify block ledger v2"

  /// The ledger as text: a header, one line per block in job order, and an `end` line with the count.
  public var text: String {
    var out = Self.magic + "\n"
    out += "signature\t" + signature.map(Self.escape).joined(separator: "\t") + "\n"
    out += "shard \(shard.description)\njobs \(jobCount)\ndimension \(dimension)\n"
    for job in blocks.keys.sorted() {
      let sums = blocks[job]!
      let values = [sums.squaredErrorSum, sums.squaredErrorSquareSum, sums.squaredErrorCubeSum] + sums.errorSum + sums.errorSquareSum
      out += "block \(job) \(sums.draws) " + values.map { String($0.bitPattern, radix: 16) }.joined(separator: " ") + "\n"
    }
    out += "end \(blocks.count)\n"
    return out
  }

  /// Reads a ledger written by `text`; any damage is an error naming the file and line.
  public static func parse(_ data: Data, path: String) throws(InputError) -> BlockLedger {
    guard let text = String(data: data, encoding: .utf8) else { throw InputError("\(path): not a block ledger (not UTF-8)") }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    func fail(_ line: Int, _ message: String) -> InputError { InputError("\(path):\(line): \(message)") }
    guard lines.first == magic else { throw fail(1, "not a block ledger (expected '\(magic)')") }
    guard lines.count >= 6, lines[1].hasPrefix("signature\t") || lines[1] == "signature" else {
      throw fail(2, "expected the signature line")
    }
    let signature = lines[1].split(separator: "\t", omittingEmptySubsequences: false).dropFirst().map { unescape(String($0)) }
    func field(_ k: Int, _ name: String) throws(InputError) -> String {
      guard lines[k].hasPrefix(name + " ") else { throw fail(k + 1, "expected '\(name) …'") }
      return String(lines[k].dropFirst(name.count + 1))
    }
    let shard = try Shard.parse(try field(2, "shard"), flag: "\(path):3: shard")
    guard let jobs = Int(try field(3, "jobs")), jobs >= 1, jobs <= 1 << 40 else { throw fail(4, "bad job count") }
    guard let d = Int(try field(4, "dimension")), d >= 1, d <= 1 << 24 else { throw fail(5, "bad dimension") }
    var ledger = BlockLedger(signature: signature, shard: shard, jobCount: jobs, dimension: d)
    var k = 5
    while k < lines.count, lines[k].hasPrefix("block ") {
      let parts = lines[k].split(separator: " ")
      guard parts.count == 3 + 3 + 2 * d, let job = Int(parts[1]), let draws = Int(parts[2]),
        job >= 0, job < jobs, draws >= 1, draws <= MiniBatchSweep.blockSize
      else { throw fail(k + 1, "malformed block line") }
      guard shard.owns(job) else { throw fail(k + 1, "block \(job) does not belong to shard \(shard.description)") }
      var values: [Double] = []
      for part in parts[3...] {
        guard let bits = UInt64(part, radix: 16) else { throw fail(k + 1, "malformed number \(InputError.quote(part))") }
        values.append(Double(bitPattern: bits))
      }
      var sums = BlockSums(dimension: d)
      sums.draws = draws
      sums.squaredErrorSum = values[0]
      sums.squaredErrorSquareSum = values[1]
      sums.squaredErrorCubeSum = values[2]
      sums.errorSum = Array(values[3..<(3 + d)])
      sums.errorSquareSum = Array(values[(3 + d)...])
      guard ledger.blocks.updateValue(sums, forKey: job) == nil else { throw fail(k + 1, "block \(job) listed twice") }
      k += 1
    }
    guard k < lines.count, lines[k] == "end \(ledger.blocks.count)", k + 2 == lines.count, lines[k + 1].isEmpty else {
      throw fail(k + 1, "truncated or damaged (expected 'end \(ledger.blocks.count)' as the last line)")
    }
    return ledger
  }

  /// Combines the ledgers of every shard of one sweep into one whole ledger: they must agree on everything
  /// but the shard index, cover shards 0..<n once each, and hold every block exactly once.
  public static func merge(_ parts: [(path: String, ledger: BlockLedger)]) throws(InputError) -> BlockLedger {
    guard let first = parts.first else { throw InputError("merge: no parts given") }
    let n = first.ledger.shard.count
    var seen: [Int: String] = [:]
    for part in parts {
      let l = part.ledger
      if l.signature != first.ledger.signature {
        let k = zip(l.signature, first.ledger.signature).enumerated().first { $0.element.0 != $0.element.1 }?.offset
          ?? Swift.min(l.signature.count, first.ledger.signature.count)
        let mine = k < l.signature.count ? l.signature[k] : "(nothing)"
        let theirs = k < first.ledger.signature.count ? first.ledger.signature[k] : "(nothing)"
        throw InputError("merge: \(part.path) is from a different run than \(first.path): '\(mine)' against '\(theirs)'")
      }
      guard l.shard.count == n else {
        throw InputError("merge: \(part.path) is shard \(l.shard.description), but \(first.path) has n = \(n)")
      }
      guard l.jobCount == first.ledger.jobCount && l.dimension == first.ledger.dimension else {
        throw InputError("merge: \(part.path) has a different block layout from \(first.path)")
      }
      if let other = seen[l.shard.index] {
        throw InputError("merge: shard \(l.shard.description) given twice (\(other) and \(part.path))")
      }
      seen[l.shard.index] = part.path
      guard l.isComplete else {
        throw InputError("merge: \(part.path) holds \(l.completedCount) of its \(l.ownedJobs.count) blocks (an interrupted shard: rerun it with --resume)")
      }
    }
    if let missing = (0..<n).first(where: { seen[$0] == nil }) {
      throw InputError("merge: shard \(missing)/\(n) is missing (\(parts.count) of \(n) parts given)")
    }
    var whole = BlockLedger(signature: first.ledger.signature, shard: .whole, jobCount: first.ledger.jobCount, dimension: first.ledger.dimension)
    for part in parts { whole.blocks.merge(part.ledger.blocks) { a, _ in a } }
    return whole
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
  }

  static func unescape(_ s: String) -> String {
    var out = ""
    var escaped = false
    for c in s {
      if escaped {
        out.append(c == "t" ? "\t" : c == "n" ? "\n" : c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else {
        out.append(c)
      }
    }
    return out
  }
}

import Foundation

/// What one sweep has computed so far: the exact sums of every cell over the blocks done, and which blocks
/// those are; with the signature of the run that made them. It is what a shard writes for `merge`, what a
/// merge of parts writes for a later merge, and what an interrupted run resumes from.
///
/// The sums are exact (`ExactSum`), so any set of blocks, added in any order or grouping, gives the same
/// numbers: a ledger's size depends on the cells and P, not on the draws, and its record of the blocks done
/// is one range per shard for a run that was never interrupted.
package struct SweepLedger: Sendable {
  /// Everything that determines the blocks (command, options, data hash, versions) except the shard.
  public var signature: [String]
  /// The number of shards n the run was split into; job j belongs to shard j mod n.
  public var shardCount: Int
  /// R, the draws of every cell when all its blocks are done.
  public var drawsPerCell: Int
  public var jobCount: Int
  public var cellCount: Int
  public var dimension: Int
  /// N, the examples a `counts` cell counts.
  public var examples: Int
  /// By shard index: the ordinals k of the jobs done (job = index + k·n).
  public var done: [Int: OrdinalRanges] = [:]
  /// By cell: the exact sums of its blocks done.
  public var cells: [CellSums]

  /// A ledger for a sweep over `cells`, each cell in its layout (`CellLayout.of`).
  public init(
    signature: [String], shardCount: Int, drawsPerCell: Int, cells: [SweepCell], coordinateSpread: Bool = false,
    examples: Int, dimension: Int
  ) {
    self.init(
      signature: signature, shardCount: shardCount, drawsPerCell: drawsPerCell,
      layouts: cells.map { CellLayout.of($0, coordinateSpread: coordinateSpread) }, examples: examples, dimension: dimension)
  }

  init(signature: [String], shardCount: Int, drawsPerCell: Int, layouts: [CellLayout], examples: Int, dimension: Int) {
    precondition(!layouts.isEmpty && drawsPerCell >= 1, "a ledger needs a cell and a draw")
    self.signature = signature
    self.shardCount = shardCount
    self.drawsPerCell = drawsPerCell
    self.jobCount = layouts.count * DrawBlocks.count(draws: drawsPerCell)
    self.cellCount = layouts.count
    self.dimension = dimension
    self.examples = examples
    cells = layouts.map { CellSums(layout: $0, examples: examples, dimension: dimension) }
  }

  public var blocksPerCell: Int { jobCount / cellCount }

  /// The draws block k of a cell holds: 256, the last one fewer.
  func drawsOfBlock(_ k: Int) -> Int { Swift.min(MiniBatchSweep.blockSize, drawsPerCell - k * MiniBatchSweep.blockSize) }

  /// The draws cell c holds given the blocks marked done: what its sums must count.
  func expectedDraws(cell c: Int) -> Int {
    var total = 0
    for k in 0..<blocksPerCell where holds(job: c * blocksPerCell + k) { total += drawsOfBlock(k) }
    return total
  }

  /// The number of jobs shard i owns.
  public func jobCount(ofShard i: Int) -> Int { (jobCount - i + shardCount - 1) / shardCount }

  public var completedCount: Int { done.values.reduce(0) { $0 + $1.count } }
  public var isComplete: Bool { completedCount == jobCount }

  /// The shard indices this ledger holds blocks of.
  public var shards: [Int] { done.keys.filter { !done[$0]!.isEmpty }.sorted() }

  /// True when job j is done.
  public func holds(job j: Int) -> Bool { done[j % shardCount]?.contains(j / shardCount) ?? false }

  /// Up to `limit` jobs of shard i not done yet, the smallest first.
  public func missingJobs(ofShard i: Int, limit: Int) -> [Int] {
    var jobs: [Int] = []
    var k = 0
    let owned = jobCount(ofShard: i)
    for r in (done[i]?.ranges ?? []) + [owned..<owned] {
      while k < r.lowerBound && jobs.count < limit {
        jobs.append(i + k * shardCount)
        k += 1
      }
      if jobs.count == limit { break }
      k = Swift.max(k, r.upperBound)
    }
    return jobs
  }

  /// Adds a finished block's sums and marks its job done.
  mutating func record(job: Int, sums: BlockSums) {
    cells[job / blocksPerCell].add(sums)
    done[job % shardCount, default: OrdinalRanges()].insert((job / shardCount)..<(job / shardCount + 1))
  }

  /// Throws unless this ledger, read from `source`, holds blocks of the sweep with `signature`, where given
  /// of shard `shard` only (a checkpoint to resume), and where given with the job count, cell count and
  /// dimension of the sweep about to use it.
  public func requireSameSweep(
    signature: [String], shard: Shard?, jobCount: Int? = nil, cellCount: Int? = nil, dimension: Int? = nil,
    source: String
  ) throws(InputError) {
    let sameShard = shard.map { s in shardCount == s.count && shards.allSatisfy { $0 == s.index } } ?? true
    guard self.signature == signature, sameShard,
      jobCount.map({ $0 == self.jobCount }) ?? true, cellCount.map({ $0 == self.cellCount }) ?? true,
      dimension.map({ $0 == self.dimension }) ?? true
    else {
      throw InputError("\(source): its blocks come from a different sweep than this command's (other options, data or shard)")
    }
  }

  static let magic = "gradverify sweep ledger v7"

  /// The ledger as text: a header, one `done` line per shard held, one `cell` line per cell (draws R, the
  /// draws R₃ with squared errors; Σ‖e‖²,
  /// Σ‖e‖⁴, Σ‖e‖⁶ in `ExactSum`'s exact text form; then `counts` and the N integer counts, or `sums` and
  /// Σeⱼ, Σeⱼ² for every coordinate as exact sums), and an `end` line with the cell count and the SHA-256 of
  /// every byte before it.
  public var text: String {
    var out = Self.magic + "\n"
    out += "signature\t" + signature.map(Self.escape).joined(separator: "\t") + "\n"
    out += "shards \(shardCount)\ndraws \(drawsPerCell)\ncells \(cellCount)\ndimension \(dimension)\nexamples \(examples)\n"
    for i in shards { out += "done \(i) \(done[i]!.text)\n" }
    for (c, sums) in cells.enumerated() {
      out += "cell \(c) \(sums.draws) \(sums.squaredErrorDraws) " + sums.squaredErrorPowerSums.map(\.text).joined(separator: " ") + " \(sums.layout.rawValue) "
      switch sums.layout {
      case .counts: out += sums.listedCounts.map { String($0) }.joined(separator: " ")
      case .vectors: out += (sums.errorSum + sums.errorSquareSum).map(\.text).joined(separator: " ")
      }
      out += "\n"
    }
    return out + "end \(cellCount) sha256 \(sha256Hex(Array(out.utf8)))\n"
  }

  /// Reads a ledger written by `text`; any damage is an error naming the file and line. Nothing is allocated
  /// before the checksum matches and the header's sizes fit the file; every invariant is then checked: the
  /// `done` ranges within the jobs, each cell's draws equal to those of its blocks done, each sum within what
  /// that many finite draws can reach (power sums and sums of squares not negative).
  public static func parse(_ data: Data, path: String) throws(InputError) -> SweepLedger {
    let bytes = [UInt8](data)
    func fail(_ line: Int, _ message: String) -> InputError { InputError(file: path, line: line, "\(message)") }
    let magicBytes = Array(magic.utf8)
    guard bytes.count > magicBytes.count, Array(bytes[0..<magicBytes.count]) == magicBytes, bytes[magicBytes.count] == 10 else {
      if bytes.starts(with: Array("gradverify sweep ledger v".utf8)) {
        throw fail(1, "written by an older gradverify (another format); compute it again")
      }
      throw fail(1, "not a sweep ledger (expected '\(magic)')")
    }
    // The last line: 'end CELLS sha256 HEX' over every byte before it.
    guard bytes.last == 10 else { throw fail(0, "truncated (no final newline)") }
    let lastStart = (bytes.dropLast().lastIndex(of: 10) ?? -1) + 1
    let lastLineNumber = bytes[..<lastStart].reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
    let last = String(decoding: bytes[lastStart..<(bytes.count - 1)], as: UTF8.self).split(separator: " ")
    guard last.count == 4, last[0] == "end", last[2] == "sha256", last[3].utf8.count == 64 else {
      throw fail(lastLineNumber, "truncated or damaged (expected 'end CELLS sha256 HEX' as the last line)")
    }
    guard sha256Hex(Array(bytes[..<lastStart])) == last[3] else {
      throw fail(lastLineNumber, "damaged: its content does not match its SHA-256 checksum")
    }
    guard let text = String(bytes: bytes[..<lastStart], encoding: .utf8) else { throw fail(0, "not UTF-8") }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    guard lines.count >= 7, lines[1].hasPrefix("signature\t") || lines[1] == "signature" else {
      throw fail(2, "expected the signature line")
    }
    let signature = lines[1].split(separator: "\t", omittingEmptySubsequences: false).dropFirst().map { unescape(String($0)) }
    func field(_ k: Int, _ name: String, in range: ClosedRange<Int>) throws(InputError) -> Int {
      guard lines[k].hasPrefix(name + " "), let v = Int(lines[k].dropFirst(name.count + 1)), range.contains(v) else {
        throw fail(k + 1, "expected '\(name) N' with N in \(range.lowerBound)...\(range.upperBound)")
      }
      return v
    }
    let n = try field(2, "shards", in: 1...100_000)
    let draws = try field(3, "draws", in: SweepSettings.drawsRange)
    let cellCount = try field(4, "cells", in: 1...1_000_000)
    let d = try field(5, "dimension", in: 1...(1 << 24))
    let examples = try field(6, "examples", in: 1...Int(Int32.max))
    guard Int(last[1]) == cellCount else { throw fail(lastLineNumber, "the last line counts \(last[1]) cells, the header \(cellCount)") }
    // Each cell line holds at least min(N, 2d) numbers of at least 2 bytes each ("0 "): the file must be that
    // long before any of it is allocated.
    let needed = cellCount.multipliedReportingOverflow(by: 2 * Swift.min(examples, 2 * d) + 12)
    guard !needed.overflow, needed.partialValue <= bytes.count else {
      throw fail(6, "declares \(cellCount) cells of \(examples) examples and \(d) parameters, at least \(needed.overflow ? "2^63" : String(needed.partialValue)) bytes, but the file has \(bytes.count)")
    }
    var ledger = SweepLedger(
      signature: signature, shardCount: n, drawsPerCell: draws, layouts: [CellLayout](repeating: .counts, count: cellCount),
      examples: 1, dimension: d)
    ledger.examples = examples
    var k = 7
    while k < lines.count, lines[k].hasPrefix("done ") {
      let parts = lines[k].split(separator: " ", maxSplits: 2)
      guard parts.count == 3, let i = Int(parts[1]), i >= 0, i < n, ledger.done[i] == nil,
        let ranges = OrdinalRanges(text: parts[2], limit: ledger.jobCount(ofShard: i)), !ranges.isEmpty,
        ledger.shards.last.map({ $0 < i }) ?? true
      else { throw fail(k + 1, "malformed 'done' line (expected 'done SHARD a-b …', shards in order, once each)") }
      ledger.done[i] = ranges
      k += 1
    }
    // A count reaches at most (the cell's draws)·2²⁴ (b ≤ 2²⁴ listed per draw).
    for c in 0..<cellCount {
      guard k < lines.count, lines[k].hasPrefix("cell ") else {
        throw fail(k + 1, "truncated or damaged (expected 'cell \(c) …')")
      }
      let parts = lines[k].split(separator: " ")
      guard parts.count >= 8, parts[1] == Substring(String(c)), let cellDraws = Int(parts[2]), cellDraws >= 0,
        let squaredDraws = Int(parts[3]), squaredDraws >= 0, squaredDraws <= cellDraws,
        let layout = CellLayout(rawValue: String(parts[7])),
        parts.count == 8 + (layout == .counts ? examples : 2 * d)
      else { throw fail(k + 1, "malformed cell line (expected 'cell \(c) DRAWS SQUARED-DRAWS S1 S2 S3', then 'counts' and \(examples) integers or 'sums' and \(2 * d) sums)") }
      let expected = ledger.expectedDraws(cell: c)
      guard cellDraws == expected else {
        throw fail(k + 1, "cell \(c) counts \(cellDraws) draws, but its blocks marked done hold \(expected)")
      }
      func exact(_ m: Int, nonNegative: Bool) throws(InputError) -> ExactSum {
        guard let s = ExactSum(text: String(parts[4 + m])) else { throw fail(k + 1, "malformed exact sum \(InputError.quote(parts[4 + m]))") }
        // A sum of `draws` finite values is below draws·2^1024; powers and squares are not negative.
        guard s.isReachable(byDraws: m < 3 ? squaredDraws : cellDraws, nonNegative: nonNegative) else {
          throw fail(k + 1, "sum \(m + 1) of cell \(c) is out of the range \(cellDraws) draws can reach")
        }
        return s
      }
      var powers: [ExactSum] = []
      for m in 0..<3 { powers.append(try exact(m, nonNegative: true)) }
      var counts: [Int64] = []
      var errorSum: [ExactSum] = []
      var errorSquareSum: [ExactSum] = []
      switch layout {
      case .counts:
        counts.reserveCapacity(examples)
        for part in parts[8...] {
          guard let x = Int64(part), x >= 0, x <= Int64(cellDraws) * Int64(SweepSettings.maxBatch) else {
            throw fail(k + 1, "count \(InputError.quote(part)) of cell \(c) is out of the range \(cellDraws) draws can reach")
          }
          counts.append(x)
        }
      case .vectors:
        for m in 0..<(2 * d) {
          let s = try exact(4 + m, nonNegative: m >= d)
          if m < d { errorSum.append(s) } else { errorSquareSum.append(s) }
        }
      }
      ledger.cells[c] = CellSums(draws: cellDraws, squaredErrorDraws: squaredDraws, powers: powers, listedCounts: counts, errorSum: errorSum, errorSquareSum: errorSquareSum)
      k += 1
    }
    guard k == lines.count else { throw fail(k + 1, "unexpected line after the cells") }
    return ledger
  }

  /// Combines ledgers of one sweep (shards, or merges of shards) into one: they must agree on everything
  /// but the blocks they hold, and no block may be held twice. The result holds the union; with
  /// `requireComplete`, it must hold every block, or the error names the first shard missing or held in part.
  public static func combine(
    _ parts: [(path: String, ledger: SweepLedger)], requireComplete: Bool
  ) throws(InputError) -> SweepLedger {
    guard let first = parts.first else { throw InputError("merge: no parts given") }
    let n = first.ledger.shardCount
    var whole = SweepLedger(
      signature: first.ledger.signature, shardCount: n, drawsPerCell: first.ledger.drawsPerCell,
      layouts: first.ledger.cells.map(\.layout), examples: first.ledger.examples, dimension: first.ledger.dimension)
    var holder: [Int: String] = [:]
    for part in parts {
      let l = part.ledger
      if l.signature != first.ledger.signature {
        let k = zip(l.signature, first.ledger.signature).enumerated().first { $0.element.0 != $0.element.1 }?.offset
          ?? Swift.min(l.signature.count, first.ledger.signature.count)
        let mine = k < l.signature.count ? l.signature[k] : "(nothing)"
        let theirs = k < first.ledger.signature.count ? first.ledger.signature[k] : "(nothing)"
        let what = SweepIdentity.difference(mine, theirs) ?? "'\(mine)' against '\(theirs)'"
        throw InputError("merge: \(part.path) is from a different run than \(first.path): \(what)")
      }
      guard l.shardCount == n else {
        throw InputError("merge: \(part.path) holds shards of n = \(l.shardCount), but \(first.path) has n = \(n)")
      }
      guard l.drawsPerCell == whole.drawsPerCell && l.cellCount == whole.cellCount && l.dimension == whole.dimension
        && l.examples == whole.examples && l.cells.map(\.layout) == whole.cells.map(\.layout)
      else {
        throw InputError("merge: \(part.path) has a different block layout from \(first.path)")
      }
      for i in l.shards {
        if let other = holder[i], whole.done[i]!.overlaps(l.done[i]!) {
          throw InputError("merge: shard \(i)/\(n) given twice (\(other) and \(part.path))")
        }
        holder[i] = part.path
        whole.done[i, default: OrdinalRanges()].formUnion(l.done[i]!)
      }
      for c in 0..<whole.cellCount { whole.cells[c].add(l.cells[c]) }
    }
    guard requireComplete else { return whole }
    for i in 0..<n {
      let held = whole.done[i]?.count ?? 0
      let owned = whole.jobCount(ofShard: i)
      if held == 0 { throw InputError("merge: shard \(i)/\(n) is missing (\(parts.count) of \(n) parts given)") }
      if held < owned {
        throw InputError(
          "merge: \(holder[i]!) holds \(held) of the \(owned) blocks of shard \(i)/\(n) (an interrupted shard: rerun it with --resume)")
      }
    }
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

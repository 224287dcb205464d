import Foundation
import GradVerify
import Testing

/// Checkpoints and part files are checked before they are believed: a checksum over every byte, the sizes
/// the header declares against the file, and each cell's draws and sums against its blocks done. Damage is an
/// InputError naming the file and line, never a table.
@Suite("Sweep ledgers: checksums and invariants")
struct LedgerIntegrityTests {
  /// Shard 0 of 2 of a small sweep, as written to its part file, split into lines (the last one empty).
  static func part() throws -> [String] {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(ShardResumeTests.smallSweep + ["--shard", "0/2", "--out", "p0"], in: folder)
    #expect(run.status == 0, "\(run.stderr)")
    return try String(contentsOf: folder.appendingPathComponent("p0"), encoding: .utf8).components(separatedBy: "\n")
  }

  /// The lines with the last one's checksum recomputed, as a deliberate edit would leave them.
  static func signed(_ lines: [String]) -> Data {
    let end = lines.lastIndex { $0.hasPrefix("end ") }!
    let body = lines[..<end].joined(separator: "\n") + "\n"
    let count = lines.first { $0.hasPrefix("cells ") }!.dropFirst("cells ".count)
    return Data((body + "end \(count) sha256 \(sha256Hex(Array(body.utf8)))\n").utf8)
  }

  static func refused(_ data: Data) -> String? {
    do {
      _ = try SweepLedger.parse(data, path: "p0")
      return nil
    } catch { return error.message }
  }

  @Test("the part reads back; 1000 seeded single-byte flips are each refused")
  func byteFlipsAreRefused() throws {
    let lines = try Self.part()
    let bytes = [UInt8](Data(lines.joined(separator: "\n").utf8))
    #expect(Self.refused(Data(bytes)) == nil)
    var random = SplitMix64(seed: 24)
    for _ in 0..<1000 {
      var damaged = bytes
      let position = Int(random.next() % UInt64(bytes.count))
      damaged[position] ^= UInt8(1 + random.next() % 255)
      let message = Self.refused(Data(damaged))
      #expect(message?.hasPrefix("p0:") == true, "a flip at byte \(position) was accepted")
    }
  }

  @Test("edits signed again are still refused by the invariants: done ranges, a cell's draws, sizes, sums")
  func signedEditsAreRefused() throws {
    let lines = try Self.part()
    #expect(Self.refused(Self.signed(lines)) == nil)
    let doneIndex = try #require(lines.firstIndex { $0.hasPrefix("done ") })
    let cellIndex = try #require(lines.firstIndex { $0.hasPrefix("cell 0 ") })
    func edited(_ k: Int, _ change: (String) -> String) -> [String] {
      var copy = lines
      copy[k] = change(copy[k])
      return copy
    }
    /// The done line's last range end moved by `delta`.
    func movedEnd(_ delta: Int) -> [String] {
      edited(doneIndex) { line in
        let dash = line.lastIndex(of: "-")!
        return String(line[...dash]) + String(Int(line[line.index(after: dash)...])! + delta)
      }
    }
    var cellFields = lines[cellIndex].split(separator: " ").map(String.init)
    let draws = Int(cellFields[2])!
    cellFields[2] = String(draws - 256)
    cellFields[3] = String(Swift.min(Int(cellFields[3])!, draws - 256))
    let fewerDraws = edited(cellIndex) { _ in cellFields.joined(separator: " ") }
    var hugeFields = lines[cellIndex].split(separator: " ").map(String.init)
    hugeFields[4] = "+" + String(repeating: "f", count: 536) + "@0"
    let hugeSum = edited(cellIndex) { _ in hugeFields.joined(separator: " ") }
    var negativeFields = lines[cellIndex].split(separator: " ").map(String.init)
    negativeFields[4] = "-" + negativeFields[4].dropFirst()
    let negativePower = edited(cellIndex) { _ in negativeFields.joined(separator: " ") }
    let header = lines.firstIndex { $0.hasPrefix("cells ") }!
    var huge = edited(header) { _ in "cells 1000000" }
    huge[header + 1] = "dimension 16777216"
    let cases: [(String, [String], String)] = [
      ("a done range ended 3 blocks early", movedEnd(-3), "draws"),
      ("a done range ended 500 blocks late", movedEnd(500), "done"),
      ("a cell's draws lowered by 256", fewerDraws, "draws"),
      ("a sum of 536 hex digits (2¹⁰⁷⁰ above any reachable)", hugeSum, "out of the range"),
      ("a negative Σ‖e‖²", negativePower, "out of the range"),
      ("a header declaring 10⁶ cells of 2²⁴ parameters", huge, "bytes"),
    ]
    for (what, edit, words) in cases {
      let message = Self.refused(Self.signed(edit))
      #expect(message?.hasPrefix("p0:") == true && message?.contains(words) == true, "\(what): \(message ?? "accepted")")
    }
  }
}

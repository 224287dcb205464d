import Foundation
import GradVerify
import Testing

/// Sweeps split into shards and merged, and sweeps killed and resumed, give the bytes of one uninterrupted run.
@Suite("Command line: shards, merge and resume", .serialized)
struct ShardResumeTests {
  static let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
  static let breastCancer = CommandRun.packageRoot.appendingPathComponent("Experiments/data/breast_cancer.csv").path

  /// A small sweep with two samplers and cells whose block counts are not multiples of the shard counts.
  static let smallSweep = ["sweep", "--model", "softmax", "--data", iris, "--sampler", "with,without", "--draws", "3000"]

  @Test("merged shards write the unsharded table and verdicts byte for byte", arguments: [1, 2, 3, 7])
  func mergedShardsMatch(shards: Int) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let single = try CommandRun(Self.smallSweep + ["--out", "single.csv", "--threads", "2"], in: folder)
    #expect(single.status == 0, "\(single.stderr)")

    var parts: [String] = []
    for i in 0..<shards {
      let part = "part-\(i).ledger"
      // Threads differ between shards on purpose: no result may depend on them.
      let run = try CommandRun(
        Self.smallSweep + ["--shard", "\(i)/\(shards)", "--out", part, "--threads", "\(1 + i % 2)"], in: folder)
      #expect(run.status == 0, "shard \(i): \(run.stderr)")
      #expect(run.stdout.contains("shard \(i)/\(shards)"))
      parts.append(part)
    }
    // Parts may come in any order.
    let merge = try CommandRun(["merge"] + parts.reversed() + ["--out", "merged.csv"], in: folder)
    #expect(merge.status == 0, "\(merge.stderr)")
    #expect(merge.stdout == single.stdout, "the verdicts printed differ")
    let a = try Data(contentsOf: folder.appendingPathComponent("single.csv"))
    let b = try Data(contentsOf: folder.appendingPathComponent("merged.csv"))
    #expect(!a.isEmpty && a == b, "merged table differs from the single run")
  }

  @Test("a shard's part really holds only its blocks: one damaged block changes the merged table")
  func mergeUsesTheParts() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for i in 0..<2 {
      let run = try CommandRun(Self.smallSweep + ["--shard", "\(i)/2", "--out", "p\(i)"], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
    }
    let clean = try CommandRun(["merge", "p0", "p1", "--out", "clean.csv"], in: folder)
    #expect(clean.status == 0, "\(clean.stderr)")
    // Replace the exact Σ‖e‖² (field 4, after the draws R and R₃) of the first cell of shard 1 by three times its value (odd · 3 stays odd).
    let url = folder.appendingPathComponent("p1")
    var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
    let index = try #require(lines.firstIndex { $0.hasPrefix("cell 0 ") })
    var fields = lines[index].split(separator: " ").map(String.init)
    let value = try #require(ExactSum(text: fields[4]))
    var tripled = value
    tripled.add(value)
    tripled.add(value)
    fields[4] = tripled.text
    lines[index] = fields.joined(separator: " ")
    try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    // The edit without its checksum is refused, naming the file and the checksum's line.
    let refused = try CommandRun(["merge", "p0", "p1", "--out", "damaged.csv"], in: folder)
    #expect(refused.status == 64 && refused.stderr.contains("p1:") && refused.stderr.contains("SHA-256"), "\(refused.stderr)")
    // Signed again (as a deliberate edit would be), the part's sums are what the merge uses.
    let end = try #require(lines.lastIndex { $0.hasPrefix("end ") })
    let body = lines[..<end].joined(separator: "\n") + "\n"
    lines[end] = "end \(lines[end].split(separator: " ")[1]) sha256 \(sha256Hex(Array(body.utf8)))"
    try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    let damaged = try CommandRun(["merge", "p0", "p1", "--out", "damaged.csv"], in: folder)
    #expect(damaged.status != 64, "\(damaged.stderr)")
    let a = try Data(contentsOf: folder.appendingPathComponent("clean.csv"))
    let b = try Data(contentsOf: folder.appendingPathComponent("damaged.csv"))
    #expect(a != b, "a changed block did not reach the merged table")
  }

  @Test("merges of merges, in any grouping, give the unsharded table byte for byte")
  func mergeOfMerges() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let single = try CommandRun(Self.smallSweep + ["--out", "single.csv"], in: folder)
    #expect(single.status == 0, "\(single.stderr)")
    for i in 0..<7 {
      let run = try CommandRun(Self.smallSweep + ["--shard", "\(i)/7", "--out", "p\(i)"], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
    }
    // ((p0 p1 p2) (p3 (p4 p5))) p6: three levels, parts of parts given in a shuffled order.
    for (out, inputs) in [("a", ["p2", "p0", "p1"]), ("b", ["p5", "p4"]), ("c", ["b", "p3"])] {
      let run = try CommandRun(["merge"] + inputs + ["--part", "--out", out], in: folder)
      #expect(run.status == 0 && run.stdout.contains("written to \(out)"), "\(run.stderr)")
    }
    let merge = try CommandRun(["merge", "c", "p6", "a", "--out", "merged.csv"], in: folder)
    #expect(merge.status == 0, "\(merge.stderr)")
    #expect(merge.stdout == single.stdout)
    let a = try Data(contentsOf: folder.appendingPathComponent("single.csv"))
    let b = try Data(contentsOf: folder.appendingPathComponent("merged.csv"))
    #expect(!a.isEmpty && a == b, "merge of merges differs from the single run")
    // An incomplete combination is refused by a final merge, naming what is missing.
    let partial = try CommandRun(["merge", "a", "c", "--out", "no.csv"], in: folder)
    #expect(partial.status == 64 && partial.stderr.contains("shard 6/7 is missing"), "\(partial.stderr)")
  }

  @Test("a part's size does not grow with the draws: 10× the draws adds under 2 characters per exact sum")
  func partSizeIndependentOfDraws() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var sizes: [Int] = []
    var sumCounts: [Int] = []
    for draws in ["3000", "30000"] {
      let sweep = ["sweep", "--model", "softmax", "--data", Self.iris, "--sampler", "with,without", "--draws", draws]
      let run = try CommandRun(sweep + ["--shard", "0/2", "--out", "p\(draws)"], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      let text = try String(contentsOf: folder.appendingPathComponent("p\(draws)"), encoding: .utf8)
      sizes.append(text.utf8.count)
      sumCounts.append(text.split(separator: "\n").filter { $0.hasPrefix("cell ") }.map { $0.split(separator: " ").count - 3 }.reduce(0, +))
    }
    // Each exact sum is written from its lowest to its highest nonzero hexadecimal digit: 10× the draws
    // raises the highest by log₂ 10 ≈ 3.3 bits, at most one more digit, and the lowest digit place is set
    // by the terms' smallest units, which more draws of the same population seldom lower. Besides the sums
    // only the header and the `done` ranges may differ, by a few digits (64 bytes allowed). The old format
    // held one record per block and grew tenfold.
    #expect(sumCounts[0] == sumCounts[1] && sumCounts[0] > 0)
    #expect(sizes[1] - sizes[0] < 2 * sumCounts[0] + 64, "part sizes \(sizes) for 3000 and 30000 draws, \(sumCounts[0]) sums")
  }

  @Test("a sweep killed with SIGKILL after a checkpoint resumes to the bytes of an uninterrupted run")
  func resumeAfterKill() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let sweep = [
      "sweep", "--model", "logistic", "--data", Self.breastCancer, "--sampler", "with,without", "--draws", "100000",
    ]
    let whole = try CommandRun(sweep + ["--out", "whole.csv", "--threads", "2"], in: folder)
    #expect(whole.status == 0, "\(whole.stderr)")

    // Start the same sweep, checkpointing every 0.2 s, and kill it as soon as its first checkpoint exists.
    let partial = folder.appendingPathComponent("resumed.csv.partial").path
    let process = Process()
    process.executableURL = CommandRun.binary
    process.arguments = sweep + ["--out", "resumed.csv", "--threads", "2", "--checkpoint-every", "0.2"]
    process.currentDirectoryURL = folder
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    while process.isRunning && !FileManager.default.fileExists(atPath: partial) { usleep(20_000) }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try #require(process.terminationReason == .uncaughtSignal, "the sweep finished before it could be killed")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("resumed.csv").path))

    let resumed = try CommandRun(sweep + ["--out", "resumed.csv", "--threads", "1", "--resume"], in: folder)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    // The note says how much was resumed: some blocks, not none and not all.
    let note = try #require(resumed.stderr.split(separator: "\n").first { $0.hasPrefix("note: resuming from") })
    let counts = note.split(separator: ":").last!.split(separator: " ").compactMap { Int($0) }
    #expect(counts.count == 2 && counts[0] > 0 && counts[0] < counts[1], "\(note)")
    // Notes go to stderr: the results on stdout are those of the uninterrupted run, line for line.
    #expect(resumed.stdout == whole.stdout)
    let a = try Data(contentsOf: folder.appendingPathComponent("whole.csv"))
    let b = try Data(contentsOf: folder.appendingPathComponent("resumed.csv"))
    #expect(!a.isEmpty && a == b, "resumed table differs from the uninterrupted run")
    #expect(!FileManager.default.fileExists(atPath: partial), "the checkpoint file was left behind")
  }

  @Test("--resume without a checkpoint starts afresh, with a note, and gives the same table")
  func resumeWithoutCheckpoint() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let plain = try CommandRun(Self.smallSweep + ["--out", "plain.csv"], in: folder)
    let resumed = try CommandRun(Self.smallSweep + ["--out", "again.csv", "--resume"], in: folder)
    #expect(plain.status == 0 && resumed.status == 0)
    #expect(resumed.stderr.contains("again.csv.partial not found"))
    let a = try Data(contentsOf: folder.appendingPathComponent("plain.csv"))
    let b = try Data(contentsOf: folder.appendingPathComponent("again.csv"))
    #expect(a == b)
  }

  @Test("--resume on a finished part is a no-op: the part's bytes stay, a note says so; another sweep's part is refused")
  func resumeFinishedPart() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let shard = Self.smallSweep + ["--shard", "1/3", "--out", "p1"]
    let first = try CommandRun(shard, in: folder)
    #expect(first.status == 0, "\(first.stderr)")
    let part = folder.appendingPathComponent("p1")
    let before = try Data(contentsOf: part)
    let modified = try FileManager.default.attributesOfItem(atPath: part.path)[.modificationDate] as? Date
    let again = try CommandRun(shard + ["--resume"], in: folder)
    #expect(again.status == 0 && again.stderr.contains("p1 already holds every block of shard 1/3; nothing to do"), "\(again.stderr)")
    #expect(try Data(contentsOf: part) == before)
    #expect(try FileManager.default.attributesOfItem(atPath: part.path)[.modificationDate] as? Date == modified)
    let other = try CommandRun(shard.map { $0 == "3000" ? "4000" : $0 } + ["--resume"], in: folder)
    #expect(other.status == 64 && other.stderr.contains("different sweep"), "\(other.stderr)")
  }
}

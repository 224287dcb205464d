import Foundation
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
    // Replace the squared-error sum of the first block of shard 1 by the bits of another double.
    let url = folder.appendingPathComponent("p1")
    var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
    let index = try #require(lines.firstIndex { $0.hasPrefix("block ") })
    var fields = lines[index].split(separator: " ").map(String.init)
    fields[3] = String((Double(bitPattern: UInt64(fields[3], radix: 16)!) * 1.5).bitPattern, radix: 16)
    lines[index] = fields.joined(separator: " ")
    try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    let damaged = try CommandRun(["merge", "p0", "p1", "--out", "damaged.csv"], in: folder)
    #expect(damaged.status != 64, "\(damaged.stderr)")
    let a = try Data(contentsOf: folder.appendingPathComponent("clean.csv"))
    let b = try Data(contentsOf: folder.appendingPathComponent("damaged.csv"))
    #expect(a != b, "a changed block did not reach the merged table")
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
    let note = try #require(resumed.stdout.split(separator: "\n").first { $0.hasPrefix("note: resuming from") })
    let counts = note.split(separator: ":").last!.split(separator: " ").compactMap { Int($0) }
    #expect(counts.count == 2 && counts[0] > 0 && counts[0] < counts[1], "\(note)")
    #expect(resumed.stdout.split(separator: "\n").dropFirst() == whole.stdout.split(separator: "\n")[...])
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
    #expect(resumed.stdout.contains("again.csv.partial not found"))
    let a = try Data(contentsOf: folder.appendingPathComponent("plain.csv"))
    let b = try Data(contentsOf: folder.appendingPathComponent("again.csv"))
    #expect(a == b)
  }
}

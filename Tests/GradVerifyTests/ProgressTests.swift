import Foundation
import Testing

/// Progress off a terminal: lines on stderr at the stated interval, monotone, none with --quiet.
@Suite("Progress on a pipe", .serialized)
struct ProgressTests {
  /// A sweep of a few seconds with stderr a pipe, progress every 0.2 s.
  static func sweep(_ extra: [String]) throws -> CommandRun {
    let data = CommandRun.packageRoot.appendingPathComponent("Experiments/data/breast_cancer.csv").path
    return try CommandRun(
      ["sweep", "--model", "logistic", "--data", data, "--standardize", "--sampler", "with,without", "--draws", "40000",
       "--threads", "1"] + extra,
      environment: ["GRADVERIFY_PROGRESS_SECONDS": "0.2"])
  }

  @Test("a long sweep writes progress lines to a piped stderr, each % at least the one before; --quiet an empty stderr")
  func linesOnAPipe() throws {
    let run = try Self.sweep([])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stderr.split(separator: "\n").filter { $0.contains("% done") }
    #expect(lines.count >= 3, "\(run.stderr)")
    let percents = lines.compactMap { line in line.split(separator: ": ").last.flatMap { Int($0.prefix { $0.isNumber }) } }
    #expect(percents.count == lines.count && percents == percents.sorted(), "\(percents)")
    #expect(!run.stdout.contains("% done"), "progress belongs on stderr")
    let quiet = try Self.sweep(["--quiet"])
    // --quiet: nothing on stderr at all (no progress, read summary or standardisation note), the table on stdout.
    #expect(quiet.status == 0 && quiet.stderr.isEmpty && quiet.stdout == run.stdout, "\(quiet.stderr)")
    #expect(run.stderr.contains("gradverify: read "), "without --quiet the read summary is on stderr")
  }

  /// A sweep of about 30 s (on one core of the machine this was written on) at the default 10 s interval,
  /// stderr a pipe read as it arrives. Off a terminal a line is due every 10 s, the first 10 s after the
  /// start, and written at the first block that finishes after it is due; so a run of T seconds writes
  /// ⌊T/10⌋ lines, or one fewer when it ends between a due time and the next block, each ≥ 10 s after the
  /// one before (0.1 s allowed for this test's own reading of the pipe).
  @Test("a 30 s sweep at the default interval: a line every 10 s while it runs, on a pipe")
  func defaultIntervalDuringALongSweep() throws {
    let data = CommandRun.packageRoot.appendingPathComponent("Experiments/data/breast_cancer.csv").path
    let process = Process()
    process.executableURL = CommandRun.binary
    process.arguments = ["sweep", "--model", "logistic", "--data", data, "--standardize", "--sampler", "with,without",
                         "--draws", "360000", "--threads", "1"]
    process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "GRADVERIFY_PROGRESS_SECONDS" }
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    let err = Pipe()
    process.standardError = err
    let clock = ContinuousClock()
    let start = clock.now
    try process.run()
    var arrivals: [(Duration, String)] = []
    var pending = ""
    while true {
      let chunk = err.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      let now = clock.now - start
      pending += String(decoding: chunk, as: UTF8.self)
      while let newline = pending.firstIndex(of: "\n") {
        arrivals.append((now, String(pending[..<newline])))
        pending = String(pending[pending.index(after: newline)...])
      }
    }
    process.waitUntilExit()
    let total = clock.now - start
    #expect(process.terminationStatus == 0)
    let progress = arrivals.filter { $0.1.contains("% done") }
    let due = Int(total / .seconds(10))
    #expect(progress.count == due || progress.count == due - 1, "\(progress.count) lines in \(total)")
    #expect(progress.count >= 2 || total < .seconds(20), "a run of \(total) shows \(progress.count) lines")
    var previous = Duration.zero
    for (time, line) in progress {
      #expect(time - previous >= .milliseconds(9900), "\(line) at \(time), the one before at \(previous)")
      #expect(line.contains("s left"), "a line during the run gives the time left: \(line)")
      previous = time
    }
    let percents = progress.compactMap { line in line.1.split(separator: ": ").last.flatMap { Int($0.prefix { $0.isNumber }) } }
    #expect(percents.count == progress.count && percents == percents.sorted() && percents.allSatisfy { $0 < 100 }, "\(percents)")
  }
}

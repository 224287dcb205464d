import Foundation
import GradVerify
import Testing

@Suite("Command line: bad input to sweep", .serialized)
struct SweepBadInputTests {
  struct Row: Sendable, CustomTestStringConvertible {
    var name: String
    var arguments: [String]
    var mentions: [String]
    var testDescription: String { name }
  }

  static let rows: [Row] = [
    Row(
      name: "batch size 0", arguments: ["--sampler", "without", "--batch-sizes", "1,0,4"],
      mentions: ["--batch-sizes", "'0'"]),
    Row(
      name: "batch size above N without replacement",
      arguments: ["--sampler", "with,without", "--batch-sizes", "10,151"],
      mentions: ["--batch-sizes", "151", "N = 150", "'without'"]),
    Row(
      name: "batch size above N for Poisson", arguments: ["--sampler", "poisson", "--batch-sizes", "200"],
      mentions: ["--batch-sizes", "200", "'poisson'"]),
    Row(
      name: "empty batch size", arguments: ["--sampler", "with", "--batch-sizes", "1,,2"],
      mentions: ["--batch-sizes"]),
    Row(
      name: "batch size not a number", arguments: ["--sampler", "with", "--batch-sizes", "ten"],
      mentions: ["--batch-sizes", "'ten'"]),
    Row(name: "unknown sampler", arguments: ["--sampler", "with,bogus"], mentions: ["--sampler", "'bogus'"]),
    Row(name: "empty sampler list", arguments: ["--sampler", ","], mentions: ["--sampler"]),
    Row(name: "empty sampler value", arguments: ["--sampler="], mentions: ["--sampler"]),
    Row(name: "draws 0", arguments: ["--sampler", "with", "--draws", "0"], mentions: ["--draws", "'0'"]),
    Row(name: "draws 1", arguments: ["--sampler", "with", "--draws", "1"], mentions: ["--draws", "'1'"]),
    Row(name: "unknown sampler", arguments: ["--sampler", "with,sideways"], mentions: ["--sampler", "'sideways'"]),
    Row(name: "alpha 1", arguments: ["--sampler", "with", "--alpha", "1"], mentions: ["--alpha"]),
  ]

  @Test("exit 64, one line on stderr naming the flag, no table written", arguments: rows)
  func badInput(_ row: Row) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
    let run = try CommandRun(
      ["sweep", "--model", "softmax", "--data", iris] + row.arguments + ["--out", "sweep.csv", "--threads", "1"],
      in: folder)
    #expect(run.status == 64, "\(row.name): exit \(run.status), stderr \(run.stderr)")
    #expect(run.stderr.split(separator: "\n").count == 1, "\(row.name): stderr should be one line: \(run.stderr)")
    for mention in row.mentions {
      #expect(run.stderr.contains(mention), "\(row.name): '\(mention)' not in: \(run.stderr)")
    }
    #expect(run.stdout.isEmpty, "\(row.name): printed \(run.stdout)")
    let table = folder.appendingPathComponent("sweep.csv").path
    #expect(!FileManager.default.fileExists(atPath: table), "\(row.name): wrote sweep.csv")
  }

  @Test("with replacement accepts b > N (the check is for the samplers that cannot)")
  func withReplacementAboveN() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
    let run = try CommandRun(
      ["sweep", "--model", "softmax", "--data", iris, "--sampler", "with", "--batch-sizes", "1,200", "--draws", "500",
       "--out", "sweep.csv", "--threads", "1"], in: folder)
    #expect(run.status == 0 || run.status == 1, "exit \(run.status), \(run.stderr)")
    let table = try String(contentsOf: folder.appendingPathComponent("sweep.csv"), encoding: .utf8)
    #expect(table.split(separator: "\n").count == 3, "\(table)")
  }
}

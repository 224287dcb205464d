import Foundation
import GradVerify
import Testing

/// The README's commands run as written: every `gradverify` line in its code blocks, from a folder that
/// sees the project's `Experiments/` and `Tests/` (outputs land there, not in the project), at COLUMNS=100,
/// exits 0 with every line of its output within 100 columns. Not run: the block of the sharded sweep for
/// many machines (a command continued over lines), and the two commands that name files the reader brings
/// (G.npy, g.npy, examples.csv from their own framework or pipeline).
@Suite struct ReadmeTests {
  /// The flags whose value is a file the command reads.
  static let inputFlags: Set<String> = ["--data", "--gradients", "--full-gradient", "--pipeline", "--examples", "--params"]
  /// Files the README asks the reader to bring.
  static let readersFiles: Set<String> = ["G.npy", "g.npy", "examples.csv", "big.csv"]

  /// Every `gradverify …` line inside a fenced block, its trailing comment removed.
  static func commands() throws -> [String] {
    let text = try String(contentsOf: CommandRun.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    var found: [String] = []
    // The fenced blocks are the odd pieces between fences; a block holding a command continued over lines
    // (the sharded sweep for many machines) is an example for many machines, not run here.
    let blocks = text.components(separatedBy: "\n```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    for block in blocks where !block.contains("\\\n") {
      for raw in block.split(separator: "\n") {
        let line = raw.trimmingCharacters(in: .whitespaces)
        guard line.hasPrefix("gradverify ") || line.hasPrefix(".build/release/gradverify ") else { continue }
        let command = line.firstRange(of: "  #").map { String(line[..<$0.lowerBound]) } ?? line
        found.append(command.trimmingCharacters(in: .whitespaces))
      }
    }
    return found
  }

  @Test("the README's quick start comes first and every command in it runs as written, within 100 columns")
  func commandsRun() throws {
    let commands = try Self.commands()
    let quickStart = commands.prefix { $0.hasPrefix(".build/release/gradverify ") }
    #expect(quickStart.count >= 3, "\(commands)")
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for name in ["Experiments", "Tests"] {
      try FileManager.default.createSymbolicLink(
        at: folder.appendingPathComponent(name), withDestinationURL: CommandRun.packageRoot.appendingPathComponent(name))
    }
    var ran = 0
    var skipped: [String] = []
    for command in commands {
      let words = command.split(separator: " ").map(String.init)
      #expect(!command.contains("\"") && !command.contains("'"), "no quoting in README commands: \(command)")
      let inputs = zip(words, words.dropFirst()).filter { Self.inputFlags.contains($0.0) }.map(\.1)
      let missing = inputs.filter { !FileManager.default.fileExists(atPath: CommandRun.packageRoot.appendingPathComponent($0).path) }
      if !missing.isEmpty {
        #expect(Set(missing).isSubset(of: Self.readersFiles), "\(command): \(missing) not found")
        skipped.append(command)
        continue
      }
      let run = try CommandRun(Array(words.dropFirst()), in: folder, environment: ["COLUMNS": "100"])
      #expect(run.status == 0, "\(command): exit \(run.status)\n\(run.stderr)")
      let wide = (run.stdout + run.stderr).split(separator: "\n").filter { TextWidth.columns($0) > 100 }
      #expect(wide.isEmpty, "\(command): \(wide.count) lines wider than 100 columns, e.g. \(wide.first ?? "")")
      ran += 1
    }
    #expect(ran >= 8, "ran \(ran), skipped \(skipped)")
    #expect(skipped.count == 2, "\(skipped)")
  }
}

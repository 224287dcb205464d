import Foundation
import GradVerify
import Testing

/// `ReportWriter.render` directly, on two small specs run through the runner: a section per spec with its
/// title, tables, verdict counts and rows, and the family's α taken from the specs themselves.
@Suite struct ReportWriterTests {
  @Test("sections, tables, verdict counts and the family's α come from the runs")
  func rendersRuns() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
    let specs = [
      "A-check.json": #"{"claim": "C1", "title": "linearity on iris", "seed": 1, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "softmax", "data": {"file": "\#(iris)"}}]}"#,
      "B-sweep.json": #"{"claim": "C2C3", "title": "a small sweep", "seed": 1, "draws": 600, "alpha": 0.004, "points": [{"name": "unit", "scale": 1}], "cases": [{"model": "softmax", "data": {"file": "\#(iris)"}}]}"#,
    ]
    for (name, text) in specs { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
    let runs = try ExperimentRunner.runAll(folder: folder.path, threads: 2)
    let report = ReportWriter.render(runs: runs, figures: [])
    #expect(report.contains("## C1: linearity on iris"))
    #expect(report.contains("## C2C3: a small sweep"))
    // The family line counts the one statistical spec and its own α (not a hard-coded 0.01).
    #expect(report.contains("The 1 statistical specs spend shares of α that add up to 0.004 = 0.004"), "\(report.prefix(800))")
    for run in runs {
      for table in run.outcome.tables { #expect(report.contains("[`\(table.name)`](\(table.name))")) }
      let passes = run.outcome.verdicts.filter { $0.verdict == .pass }.count
      #expect(report.contains("\(passes) PASS"))
      for row in run.outcome.verdicts { #expect(report.contains("| \(row.claim) | \(row.caseName) |")) }
    }
    #expect(report.contains("`gradverify run Experiments/B-sweep.json --out DIR`"))
  }
}

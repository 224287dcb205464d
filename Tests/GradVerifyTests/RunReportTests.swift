import Foundation
import GradVerify
import Testing

/// `--report DIR` for the user's own run: tables, figures (well-formed, one marker per measured row) and a
/// REPORT.md listing every verdict row; the same command gives the same bytes.
@Suite("--report: figures and a report for your own run", .serialized)
struct RunReportTests {
  static let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path

  @Test("sweep --report: three tables, the MSE and bias figures, REPORT.md (and REPORT.html) with every verdict; byte-stable")
  func sweepReport() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let arguments = ["sweep", "--model", "softmax", "--data", Self.iris, "--sampler", "with,without", "--draws", "2000", "--report", "r"]
    let run = try CommandRun(arguments, in: folder)
    #expect(run.status == 0, "\(run.stderr)")
    let report = folder.appendingPathComponent("r")
    let names = try FileManager.default.contentsOfDirectory(atPath: report.path).sorted()
    #expect(names == ["REPORT.html", "REPORT.md", "fig-bias-z.svg", "fig-mse-vs-b.svg", "sweep-coordinates.csv", "sweep-population.csv", "sweep.csv"])
    let mse = try String(contentsOf: report.appendingPathComponent("fig-mse-vs-b.svg"), encoding: .utf8)
    #expect(isWellFormedXML(mse))
    let withRows = try CSVTable.load(path: report.appendingPathComponent("sweep.csv").path).records.filter { $0.cells[1] == "with" }.count
    #expect(mse.components(separatedBy: "<circle").count - 1 == withRows + 1, "one marker per with-replacement row, one in the legend")
    let text = try String(contentsOf: report.appendingPathComponent("REPORT.md"), encoding: .utf8)
    let verdictLines = run.stdout.split(separator: "\n").filter { $0.hasSuffix(" PASS") }
    #expect(verdictLines.count == 5 && text.components(separatedBy: "| PASS |").count - 1 == verdictLines.count, "\(text)")
    #expect(text.contains("B_simple") && text.contains("![fig-mse-vs-b.svg](fig-mse-vs-b.svg)"))
    let before = try Data(contentsOf: report.appendingPathComponent("REPORT.md"))
    let again = try CommandRun(arguments, in: folder)
    let after = try Data(contentsOf: report.appendingPathComponent("REPORT.md"))
    #expect(again.status == 0 && after == before)
  }

  @Test("check --report: the finite-difference error figure and REPORT.md; --report with --shard refused")
  func checkReport() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(["check", "--model", "softmax", "--data", Self.iris, "--report", "c"], in: folder)
    #expect(run.status == 0, "\(run.stderr)")
    let figure = try String(contentsOf: folder.appendingPathComponent("c/fig-fd-error-vs-h.svg"), encoding: .utf8)
    #expect(isWellFormedXML(figure))
    let text = try String(contentsOf: folder.appendingPathComponent("c/REPORT.md"), encoding: .utf8)
    #expect(text.components(separatedBy: "| C1 |").count - 1 == 3, "three points, three C1 rows")
    let shard = try CommandRun(
      ["sweep", "--model", "softmax", "--data", Self.iris, "--sampler", "with", "--shard", "0/2", "--out", "p", "--report", "x"], in: folder)
    #expect(shard.status == 64 && shard.stderr.contains("--report"), "\(shard.stderr)")
  }
}

import Foundation
import GradVerify
import Testing

/// What a new user meets first: a hint when the data are unscaled, a FAIL that says what it missed, and each
/// note said once.
@Suite struct FirstContactTests {
  static let breastCancer = "Experiments/data/breast_cancer.csv"

  @Test("raw features far from unit scale get a hint to --standardize; standardised ones do not")
  func unscaledHint() throws {
    let raw = try CommandRun(["check", "--model", "logistic", "--data", Self.breastCancer])
    #expect(raw.stderr.contains("note: breast_cancer: feature 'worst_area' reaches |x| = 4.3e3") && raw.stderr.contains("--standardize"), "\(raw.stderr)")
    let scaled = try CommandRun(["check", "--model", "logistic", "--data", Self.breastCancer, "--standardize"])
    #expect(scaled.status == 0 && !scaled.stderr.contains("reaches |x|"), "\(scaled.stderr)")
    let iris = try CommandRun(["check", "--model", "softmax", "--data", "Experiments/data/iris.csv"])
    #expect(!iris.stderr.contains("reaches |x|"), "iris's features are below 10: \(iris.stderr)")
  }

  @Test("a C1 FAIL says what it missed against which bound")
  func failSaysWhatItMissed() throws {
    let run = try CommandRun(["check", "--model", "logistic", "--data", Self.breastCancer, "--standardize", "--inject-fault", "1e-4"])
    #expect(run.status == 1)
    let rows = run.stdout.split(separator: "\n").filter { $0.hasPrefix("C1 ") }
    #expect(rows.count == 3 && rows.allSatisfy { $0.contains("(must be ≤ 1) at coordinate 30") && $0.contains("outside [3.5, 4.5]") }, "\(run.stdout)")
  }

  @Test("the standardisation is said once: in the read summary, not again as a note")
  func notesSaidOnce() throws {
    let run = try CommandRun(["sweep", "--model", "logistic", "--data", Self.breastCancer, "--standardize", "--draws", "300"])
    #expect(run.stderr.components(separatedBy: "standardized 30 of 30").count - 1 == 1, "\(run.stderr)")
  }

  @Test("check reports each case's coordinates as they finish: % done, then an estimate of the time left")
  func checkProgress() throws {
    let run = try CommandRun(
      ["check", "--model", "logistic", "--data", Self.breastCancer, "--standardize"],
      environment: ["GRADVERIFY_PROGRESS_SECONDS": "0"])
    #expect(run.status == 0)
    let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("gradverify: C1 logistic/breast_cancer+std@near: ") }
    // P = 31 coordinates: at least one line per finished coordinate's further 1%, ending at 100%.
    #expect(lines.count >= 20 && lines.last?.hasSuffix("100% done") == true, "\(run.stderr)")
    // In a log under COLUMNS the progress lines are wrapped like the rest.
    let narrow = try CommandRun(
      ["check", "--model", "logistic", "--data", Self.breastCancer, "--standardize"],
      environment: ["GRADVERIFY_PROGRESS_SECONDS": "0", "COLUMNS": "50"])
    #expect(narrow.stderr.contains("% done") && narrow.stderr.split(separator: "\n").allSatisfy { $0.count <= 50 }, "\(narrow.stderr)")
  }

  @Test("check --report draws every case it checked (its caption says each case) and writes REPORT.html beside REPORT.md")
  func checkReportDrawsEveryCase() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(
      ["check", "--model", "logistic", "--data", Self.breastCancer, "--standardize", "--report", folder.appendingPathComponent("r").path])
    #expect(run.status == 0, "\(run.stderr)")
    let svg = try String(contentsOf: folder.appendingPathComponent("r/fig-fd-error-vs-h.svg"), encoding: .utf8)
    #expect(svg.components(separatedBy: "<clipPath").count - 1 == 3, "one panel per point: near, unit, far")
    let page = try String(contentsOf: folder.appendingPathComponent("r/REPORT.html"), encoding: .utf8)
    #expect(page.contains("<figure id=\"fig-fd-error-vs-h-svg\"><svg ") && !page.contains("<script"))
  }
}

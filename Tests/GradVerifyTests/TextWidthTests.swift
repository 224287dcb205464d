import Foundation
import GradVerify
import Testing

/// Text for people fits the terminal: wrapping keeps every word and every line within the width, and a
/// verdict table too wide for it is stacked row by row.
@Suite struct TextWidthTests {
  static let long = "rel 2.7e-5, cs 2.7e-5, ad 2.7e-5, halving 1.0; worst |D − g|/τ 1.0e3 (must be ≤ 1) at coordinate 30; "
    + "a-word-longer-than-any-line-" + String(repeating: "x", count: 120)

  @Test("wrap: every line within the width, the words in order, continuation lines indented", arguments: [40, 61, 100])
  func wrap(width: Int) {
    let lines = TextWidth.wrap(Self.long, width: width, indent: 4)
    #expect(lines.allSatisfy { TextWidth.columns($0) <= width }, "\(lines)")
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") && !$0.dropFirst(4).hasPrefix(" ") })
    // Rejoined without the breaks, the text is the same.
    let rejoined = lines.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst(4)) }
    #expect(rejoined.joined(separator: " ").replacingOccurrences(of: " ", with: "") == Self.long.replacingOccurrences(of: " ", with: ""))
  }

  @Test("a verdict table wider than the width is stacked, every line within it and every row's text kept")
  func stackedTable() {
    let rows = [
      VerdictRow(claim: "C1", caseName: "logistic(fault=0.0001@30)/breast_cancer+std@near", keyFigure: Self.long, verdict: .fail),
      VerdictRow(claim: "C3-convention", caseName: "mlp(H=16)/synthetic-clusters(n=400,d=5,k=3)@unit", keyFigure: "ok", verdict: .failsAsPredicted),
    ]
    let wide = renderVerdictTable(rows)
    #expect(wide.split(separator: "\n").contains { $0.count > 100 })
    let narrow = renderVerdictTable(rows, width: 100)
    let lines = narrow.split(separator: "\n")
    #expect(lines.allSatisfy { TextWidth.columns($0) <= 100 }, "\(narrow)")
    #expect(lines.first == "C1             logistic(fault=0.0001@30)/breast_cancer+std@near: FAIL")
    #expect(narrow.contains("mlp(H=16)/synthetic-clusters(n=400,d=5,k=3)@unit: FAILS-AS-PREDICTED"))
    #expect(lines.last == "2 cases: 0 PASS, 1 FAIL, 0 INCONCLUSIVE, 1 FAILS-AS-PREDICTED")
    // A table that fits keeps its columns.
    #expect(renderVerdictTable([rows[1]], width: 200).hasPrefix("claim"))
  }

  @Test("check and sweep at COLUMNS=100: every line of stdout and stderr within 100 columns")
  func commandsFit() throws {
    for arguments in [
      ["check", "--model", "logistic", "--data", "Experiments/data/breast_cancer.csv", "--standardize", "--inject-fault", "1e-4"],
      ["sweep", "--gradients", "Tests/Fixtures/pipelines/G.npy", "--full-gradient", "Tests/Fixtures/pipelines/g-token-mean.npy",
       "--draws", "300"],
    ] {
      let run = try CommandRun(arguments, environment: ["COLUMNS": "100"])
      #expect(run.status == 1, "\(run.stderr)")
      let lines = (run.stdout + run.stderr).split(separator: "\n")
      #expect(lines.allSatisfy { TextWidth.columns($0) <= 100 }, "\(lines.filter { $0.count > 100 })")
      // Wider without COLUMNS (a pipe): the same rows, one per line.
      let wide = try CommandRun(arguments)
      #expect(wide.stdout.split(separator: "\n").contains { $0.count > 100 })
    }
  }
}


/// The report of one `check` or `sweep` on the user's own data (`--report DIR`): its tables, the figures
/// the committed results draw for the same claims (finite-difference error against h; MSE against b with
/// its laws; the bias z-scores), and a short REPORT.md with the command, the verdicts and the figures.
package enum RunReport {
  /// The files of a sweep's report, as (file name, text).
  public static func sweep(
    _ experiment: SweepExperiment, _ result: SweepExperiment.Result, verdicts: [VerdictRow], notes: [String],
    command: String
  ) -> [(name: String, text: String)] {
    report(
      experiment, result, tablePrefix: "sweep", title: "gradverify sweep", command: command, verdicts: verdicts,
      notes: notes, summary: SweepEngine(settings: experiment.settings).summaryLines(result))
  }

  /// The files of a check's report. The cost landscape is a picture of a fixed toy problem, not of this run:
  /// only the error against h.
  public static func check(
    _ experiment: LinearityExperiment, _ result: LinearityExperiment.Result, verdicts: [VerdictRow], notes: [String],
    command: String
  ) -> [(name: String, text: String)] {
    report(
      experiment, result, tablePrefix: "check-linearity", title: "gradverify check", command: command,
      verdicts: verdicts, notes: notes, summary: [], figureNames: ["fig-fd-error-vs-h.svg"])
  }

  /// Any claim's report: its tables named by the claim's suffixes, the figures it draws from them (those in
  /// `figureNames`, or all), the verdicts and notes.
  static func report<E: Experiment>(
    _ experiment: E, _ result: E.Result, tablePrefix: String, title: String, command: String,
    verdicts: [VerdictRow], notes: [String], summary: [String], figureNames: Set<String>? = nil
  ) -> [(name: String, text: String)] {
    let made = experiment.tables(result)
    let tables = made.map { ("\(tablePrefix)\($0.suffix).csv", $0.document) }
    let bySuffix = Dictionary(uniqueKeysWithValues: made.map { ($0.suffix, ResultTable($0.document)) })
    let figures = E.figures([bySuffix]).filter { figureNames?.contains($0.name) ?? true }
    // The tables were just made by the claim: a column missing here is a bug in a figure.
    for table in bySuffix.values { precondition(table.missingColumns.isEmpty, "\(title) figures read missing columns \(table.missingColumns)") }
    return files(title: title, command: command, tables: tables, figures: figures, verdicts: verdicts, notes: notes, summary: summary)
  }

  static func files(
    title: String, command: String, tables: [(String, CSVDocument)], figures: [DrawnFigure],
    verdicts: [VerdictRow], notes: [String], summary: [String]
  ) -> [(name: String, text: String)] {
    var md = "# \(title): report\n\n"
    md += "Made by `\(command)` (gradverify \(GradVerifyVersion.current)); the same command gives the same bytes.\n\n"
    for note in notes { md += "- \(note)\n" }
    if !notes.isEmpty { md += "\n" }
    md += "## Verdicts\n\n| claim | case | key figure | verdict |\n|---|---|---|---|\n"
    for row in verdicts {
      md += "| \(row.claim) | \(row.caseName) | \(row.keyFigure.replacingOccurrences(of: "|", with: "\\|")) | \(row.verdict.rawValue) |\n"
    }
    if !summary.isEmpty { md += "\n## Population\n\n" + summary.map { "- \($0)\n" }.joined() }
    md += "\n## Figures\n\n" + figures.enumerated().map { k, figure in
      "![\(figure.name)](\(figure.name))\n\n**Figure \(k + 1).** \(figure.caption)\n\n"
    }.joined()
    md += "## Tables\n\n" + tables.map { "- [`\($0.0)`](\($0.0))\n" }.joined()
    let html = HTMLReport.render(markdown: md, figures: Dictionary(figures.map { ($0.name, $0.svg) }) { a, _ in a })
    return tables.map { ($0.0, $0.1.text) } + figures.map { ($0.name, $0.svg) } + [("REPORT.md", md), ("REPORT.html", html)]
  }
}

import Foundation

/// T's figure: cost against steps and against examples, and the estimator noise along the path against the C3 law.
extension TrainingExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    figure("fig-training.svg", from: runs) { training(training: $0) }
  }

  /// Training: cost against steps and against examples seen, and the estimator noise along the path.
  static func training(training: ResultTable) -> PlotFigure {
    let rows = training.rows
    let runs = training.distinct(Columns.run)
    var costBySteps: [PlotSeries] = [], costByExamples: [PlotSeries] = [], noise: [PlotSeries] = []
    for (k, run) in runs.enumerated() {
      let runRows = rows.filter { $0[Columns.run] == run }
      let label = run == "gd" ? "gradient descent (b = N)" : run.replacingOccurrences(of: "sgd(b=", with: "SGD, b = ").replacingOccurrences(of: ")", with: "")
      costBySteps.append(PlotSeries(label: label, points: runRows.compactMap { row in
        row.number(Columns.step).flatMap { s in s > 0 ? row.number(Columns.cost).map { PlotPoint(x: s, y: $0) } : nil } }, style: .measured(k)))
      costByExamples.append(PlotSeries(label: label, points: runRows.compactMap { row in
        row.number(Columns.examples).flatMap { e in e > 0 ? row.number(Columns.cost).map { PlotPoint(x: e, y: $0) } : nil } }, style: .measured(k)))
      let measured = runRows.compactMap { row in
        row.number(Columns.step).flatMap { s in row.optionalNumber(Columns.noiseMSE).map { PlotPoint.interval95(x: s, y: $0, se: row.optionalNumber(Columns.noiseMSESE)) } }
      }
      if !measured.isEmpty {
        var style = PlotStyle.scatter(k)
        style.dash = nil
        noise.append(PlotSeries(label: label, points: measured, style: style))
        let theory = runRows.compactMap { row in row.number(Columns.step).flatMap { s in row.optionalNumber(Columns.noiseTheory).map { PlotPoint(x: s, y: $0) } } }
        noise.append(PlotSeries(label: "C3 law at the θ visited, \(label)", points: theory, style: PlotStyle(color: PlotStyle.cycled(PlotStyle.palette, k), dash: "8,4", marker: nil)))
      }
    }
    let panels = [
      PlotPanel(title: "cost against steps", x: PlotAxis(label: "step", scale: .logarithmic),
                y: PlotAxis(label: "cost C(θ) (loss units)", scale: .logarithmic), series: costBySteps),
      PlotPanel(title: "cost against examples seen", x: PlotAxis(label: "examples processed", scale: .logarithmic),
                y: PlotAxis(label: "cost C(θ) (loss units)", scale: .logarithmic), series: costByExamples),
      PlotPanel(title: "gradient-estimate noise along the path", x: PlotAxis(label: "step (0 not shown)", scale: .logarithmic),
                y: PlotAxis(label: "E‖ĝ_b − ∇C‖² (squared gradient units)", scale: .logarithmic), series: noise),
    ]
    let name = training.distinct(.caseName).first ?? ""
    return PlotFigure(
      title: "Gradient descent against SGD: \(CaseTitle.words(name))",
      panels: panels, columns: 3, panelWidth: 400,
      caption: [
        "One step size for every run. Per step, larger batches descend like gradient descent; per example processed, small",
        "batches make faster progress. Right: the estimator noise measured at checkpoints (95% intervals) against the C3 law.",
      ])
  }
}

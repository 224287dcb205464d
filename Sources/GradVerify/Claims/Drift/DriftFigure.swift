import Foundation

/// N3's figure: the discrepancy of gradients accumulated along SGD steps against η, with the first-order prediction.
extension DriftExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    figure("fig-n3-drift.svg", from: runs) { drift(drift: $0) }
  }

  /// N3: the discrepancy of gradients accumulated along SGD steps from the gradient at one point, against η.
  static func drift(drift: ResultTable) -> PlotFigure {
    let panels = drift.distinct(.caseName).map { name -> PlotPanel in
      let rows = drift.rows.filter { $0[.caseName] == name }
      let measured = rows.compactMap { row in row.number(.eta).flatMap { eta in row.number(Columns.discrepancyNorm).map { PlotPoint(x: eta, y: $0) } } }
      let predicted = rows.compactMap { row in row.number(.eta).flatMap { eta in row.number(Columns.predictionNorm).map { PlotPoint(x: eta, y: $0) } } }
      var notes: [String] = []
      if let zero = rows.first(where: { $0.number(.eta) == 0 }), let value = zero.number(Columns.discrepancyNorm) {
        notes.append("η = 0: discrepancy \(value == 0 ? "exactly 0" : PlotLabel.short(value))")
      }
      if let k = rows.first?[Columns.k] { notes.append("k = \(k) steps per pass") }
      return PlotPanel(
        title: CaseTitle.words(name), x: PlotAxis(label: "step size η (θ units per gradient unit)", scale: .logarithmic),
        y: PlotAxis(label: "‖mean discrepancy‖ (gradient units)", scale: .logarithmic),
        series: [
          PlotSeries(label: "measured", points: measured, style: .measured(0)),
          PlotSeries(label: "first order: η(k−1)/2 · ‖H g‖", points: predicted, style: .theory(1)),
        ], notes: notes, notesCorner: .topLeft)
    }
    return PlotFigure(
      title: "Gradients taken at the points SGD visits drift from the starting gradient, as first-order theory predicts for small steps",
      panels: panels,
      caption: [
        "Mean over random orders of (1/k) Σ ∇L at the points SGD visits, minus ∇C at the start. The first-order",
        "prediction holds while η·k·‖Hg‖/‖g‖ ≤ 0.01 and breaks down beyond, as it should; at η = 0 the discrepancy is 0.",
      ])
  }
}

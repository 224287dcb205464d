
/// N4's figure: the measured gap between the mean of micro-batch means and the batch gradient against the
/// gap the identity predicts, one point per layout and scheme; the twins sit at the origin.
extension MeanOfMeansExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    figure("fig-n4-mean-of-means.svg", from: runs) { gaps(table: $0) }
  }

  static func gaps(table: ResultTable) -> PlotFigure {
    let schemes = table.distinct(Columns.scheme)
    let panels = table.distinct(.caseName).map { name -> PlotPanel in
      let rows = table.rows.filter { $0[.caseName] == name }
      func points(_ selected: [ResultTable.Row]) -> [PlotPoint] {
        selected.compactMap { row in
          row.number(Columns.relativePrediction).flatMap { x in row.number(Columns.relativeGap).map { PlotPoint(x: 100 * x, y: 100 * $0) } }
        }
      }
      let unequal = rows.filter { $0[Columns.layout] != equalLayout }
      let series = schemes.enumerated().map { index, scheme in
        let one = unequal.filter { $0[Columns.scheme] == scheme }
        return PlotSeries(
          label: "\(scheme) (M = \(one.first?[Columns.microBatches] ?? "?"), k = \(one.first?[Columns.documentsPerMicroBatch] ?? "?"))", points: points(one),
          style: .scatter(index + 1))
      }
      let twin = PlotSeries(
        label: "equal token counts (twin)", points: points(rows.filter { $0[Columns.layout] == equalLayout }),
        style: PlotStyle(color: PlotStyle.palette[3], dash: nil, marker: .openCircle, lineWidth: 1, markerSize: 6))
      let top = 100 * ((rows.compactMap { $0.number(Columns.relativePrediction) } + rows.compactMap { $0.number(Columns.relativeGap) }).max() ?? 0.01)
      // Room for the notes above the points, and for the twins' points at the origin.
      let range = [-0.04 * top, 1.35 * top]
      let held = rows.allSatisfy { $0[Columns.identityViolations] == CSVCell(0).text }
      return PlotPanel(
        title: CaseTitle.words(name), x: PlotAxis(label: "predicted gap ‖Σ (1/M − Tₘ/T_B) ∇C_Bₘ‖ (% of ‖∇C_B‖)", include: range),
        y: PlotAxis(label: "measured ‖ĝ − ∇C_B‖ (% of ‖∇C_B‖)", include: range),
        series: [PlotSeries(label: "measured = predicted", points: [PlotPoint(x: 0, y: 0), PlotPoint(x: top, y: top)], style: .theory(0))]
          + series + [twin],
        notes: [held ? "identity held in every batch" : "identity missed in some batch", "each point: mean over batches",
                "groupings: random, by-loss"])
    }
    return PlotFigure(
      title: "Averaging micro-batch means misses the token-mean gradient by exactly the predicted gap",
      panels: panels,
      caption: [
        "Tokens grouped into documents of unequal length; each batch split into M micro-batches whose means are averaged.",
        "Every point lies on the line: the gap is the identity's, batch by batch. Equal token counts give no gap.",
      ])
  }
}

import Foundation

/// N2's figure: the mini-batch bias of each cost against b, with its prediction, from every N2 spec's bias table.
extension NonAdditiveExperiment {
  /// The non-additive costs' specs first, then those with batch norm, so that the costs' colours follow the
  /// order of the non-additive costs.
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    let tables = runs.compactMap { $0[biasTable.suffix] }
    guard !tables.isEmpty else { return [] }
    let hasBatchNorm = { (table: ResultTable) in table.rows.contains { $0[costColumn] == batchNormCost } }
    return rendered([("fig-n2-bias.svg", nonAdditiveBias(tables: tables.filter { !hasBatchNorm($0) } + tables.filter(hasBatchNorm)))])
  }

  /// N2: the mini-batch bias of a cost that does not add over examples, against b, with its prediction.
  static func nonAdditiveBias(tables: [ResultTable]) -> PlotFigure {
    var panels: [PlotPanel] = []
    var costs: [String] = []
    for table in tables { costs += table.distinct(costColumn).filter { !costs.contains($0) } }
    for table in tables {
      for name in table.distinct(.caseName) {
        let rows = table.rows.filter { $0[.caseName] == name }
        var series: [PlotSeries] = []
        for (k, cost) in costs.enumerated() {
          let costRows = rows.filter { $0[costColumn] == cost }
          guard !costRows.isEmpty else { continue }
          let measured = costRows.compactMap { row in
            row.number(.batch).flatMap { b in row.number(Columns.bias).map { PlotPoint.interval95(x: b, y: $0, se: row.number(Columns.biasSE)) } }
          }
          series.append(PlotSeries(label: "\(cost): measured", points: measured, style: .scatter(k)))
          let predicted = costRows.filter { $0.isTrue(Columns.judged) }.compactMap { row in
            row.number(.batch).flatMap { b in row.number(Columns.prediction).map { PlotPoint(x: b, y: $0) } }
          }
          if !predicted.isEmpty {
            series.append(PlotSeries(label: "\(cost): predicted", points: predicted, style: .theory(k)))
          }
        }
        panels.append(
          PlotPanel(
            title: CaseTitle.words(name), x: PlotAxis(label: "batch size b (examples)", scale: .logarithmic),
            y: PlotAxis(label: "E[cost on batch] − cost on all (cost units)", include: [0]), series: series))
      }
    }
    return PlotFigure(
      title: "Costs that do not add over examples give biased mini-batch estimates; the mean cost does not",
      panels: panels,
      caption: [
        "Markers: Monte Carlo bias of the cost evaluated on a batch without replacement, with 95% intervals; lines: the",
        "prediction (exact Var(L̄_b) for the square of the mean, the delta method for log-mean-exp, 0 for the mean).",
        "Batch norm has no closed-form prediction and is measured only. Every bias vanishes at b = N.",
      ])
  }
}

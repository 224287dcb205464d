import Foundation

/// C1's figures: the finite-difference error against the step, drawn from the halving table, and the cost landscape.
extension LinearityExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    guard let halving = ResultTable.concatenating(runs.compactMap { $0[halvingStepTable.suffix] }) else { return [] }
    return rendered([("fig-fd-error-vs-h.svg", finiteDifferenceError(halving: halving)), ("fig-cost-contours.svg", CostLandscapeFigure.make())])
  }

  /// |D(h) − g| of the 3-point central difference against h for a few cases: slope 2 while truncation
  /// dominates, then rising along the rounding bound (slope −1).
  static func finiteDifferenceError(halving: ResultTable) -> PlotFigure {
    let rows = halving.rows
    // Every case with a truncation regime when there are at most four (a `check` of three points), else
    // those at the unit point.
    let withRegime = halving.distinct(.caseName).filter { name in
      rows.contains { $0[.caseName] == name && $0.isTrue(Columns.truncationRegime) }
    }
    let cases = withRegime.count <= 4 ? withRegime : withRegime.filter { $0.hasSuffix("@unit") }
    let panels = cases.prefix(4).map { name -> PlotPanel in
      let caseRows = rows.filter { $0[.caseName] == name }
      let measured = caseRows.compactMap { row -> PlotPoint? in
        guard let h = row.number(Columns.step), let error = row.number(Columns.error) else { return nil }
        return PlotPoint(x: h, y: error)
      }
      let bound = caseRows.compactMap { row -> PlotPoint? in
        guard let h = row.number(Columns.step), let bound = row.number(Columns.roundingBound) else { return nil }
        return PlotPoint(x: h, y: bound)
      }
      var series = [
        PlotSeries(label: "measured |D(h) − g|", points: measured, style: .measured(0)),
        PlotSeries(label: "rounding bound (slope −1)", points: bound, style: .theory(1)),
      ]
      // The slope-2 reference passes through the first point measured in the truncation regime.
      if let anchor = caseRows.first(where: { $0.isTrue(Columns.truncationRegime) }),
        let h0 = anchor.number(Columns.step), let e0 = anchor.number(Columns.error)
      {
        let steps = measured.map(\.x).filter { $0 >= h0 / 4096 }
        series.append(
          PlotSeries(
            label: "truncation C·h² (slope 2)", points: steps.map { PlotPoint(x: $0, y: e0 * ($0 / h0) * ($0 / h0)) },
            style: .theory(2), affectsRange: false))
      }
      let coordinate = caseRows.first?[.coordinate] ?? "?"
      return PlotPanel(
        title: CaseTitle.words(name), x: PlotAxis(label: "step h (units of θ)", scale: .logarithmic),
        y: PlotAxis(label: "error of ∂C/∂θ\(coordinate) (cost per unit θ)", scale: .logarithmic), series: series)
    }
    return PlotFigure(
      title: "The finite-difference error shrinks as h² until rounding takes over, as truncation error must",
      panels: Array(panels),
      caption: [
        "Central difference D(h) = (C(θ+h·e) − C(θ−h·e))/2h of the average cost against the averaged analytic gradient g,",
        "for the worst coordinate of each case drawn (every case with a truncation regime when there are at most four, else",
        "the first four at the unit point). Truncation falls as h² (slope 2); below the crossover rounding takes over,",
        "bounded by the running rounding estimate, which grows as 1/h (slope −1). Zero errors are not drawn on log axes.",
      ])
  }
}

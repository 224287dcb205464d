/// The figures written beside the tables in results/: each drawn from the tables of one run, so that
/// `make results` regenerates them byte for byte with the tables.
public enum ResultFigures {
  /// Every figure whose tables are among `tables`, as (file name, SVG text), in a fixed order.
  public static func render(tables: [(name: String, document: CSVDocument)]) -> [(name: String, svg: String)] {
    var byName: [String: ResultTable] = [:]
    for table in tables { byName[table.name] = ResultTable(table.document) }
    var figures: [(name: String, svg: String)] = []
    func add(_ name: String, needs: [String], _ make: ([ResultTable]) -> PlotFigure) {
      let found = needs.compactMap { byName[$0] }
      guard found.count == needs.count else { return }
      figures.append((name, make(found).render()))
    }
    add("fig-fd-error-vs-h.svg", needs: ["C1-linearity-halving.csv"]) { ClaimFigures.finiteDifferenceError(halving: $0[0]) }
    add("fig-cost-contours.svg", needs: ["C1-linearity.csv"]) { _ in CostLandscapeFigure.make() }
    add("fig-mse-vs-b.svg", needs: ["C2C3-sweep.csv", "C2C3-sweep-population.csv"]) {
      ClaimFigures.meanSquaredError(sweep: $0[0], population: $0[1])
    }
    add("fig-bias-z.svg", needs: ["C2C3-sweep-coordinates.csv", "C2C3-sweep-population.csv"]) {
      ClaimFigures.biasZScores(coordinates: $0[0], population: $0[1])
    }
    add("fig-n1-design-effect.svg", needs: ["N1-correlated.csv"]) { ControlFigures.designEffect(correlated: $0[0]) }
    let biasTables = ["N2-non-additive-bias.csv", "N2-batchnorm-bias.csv"].filter { byName[$0] != nil }
    if !biasTables.isEmpty {
      add("fig-n2-bias.svg", needs: biasTables) { ControlFigures.nonAdditiveBias(tables: $0) }
    }
    add("fig-n3-drift.svg", needs: ["N3-drift.csv"]) { ControlFigures.drift(drift: $0[0]) }
    add("fig-training.svg", needs: ["T-training.csv"]) { ControlFigures.training(training: $0[0]) }
    add("fig-calibration.svg", needs: ["CAL-calibration.csv"]) { CalibrationFigure.make(calibration: $0[0]) }
    return figures
  }
}

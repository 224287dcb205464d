import Foundation

/// CAL: the harness's own tests on null configurations (rejection rate against α, with the line rate = α)
/// and against seeded biases (rejection rate against λ, with the normal-theory power curves).
enum CalibrationFigure {
  /// Rows of one test kind, each at x = its value of `column` spread by up to ±`spread` so that the
  /// intervals of configurations at the same x stay apart.
  static func points(_ rows: [ResultTable.Row], x column: String, spread: Double) -> [PlotPoint] {
    let groups = Dictionary(grouping: rows.indices) { rows[$0][column] }
    var points: [PlotPoint] = []
    for (index, row) in rows.enumerated() {
      guard let x = row.number(column), let rate = row.number("rate") else { continue }
      let group = groups[row[column]] ?? [index]
      let position = group.firstIndex(of: index) ?? 0
      let offset = group.count > 1 ? spread * (2 * Double(position) / Double(group.count - 1) - 1) : 0
      points.append(PlotPoint(x: x + offset, y: rate, low: row.number("ci_low"), high: row.number("ci_high")))
    }
    return points
  }

  static func make(calibration: ResultTable) -> PlotFigure {
    let rows = calibration.rows
    let null = rows.filter { $0.number("shift_se") == 0 }
    let levels = calibration.distinct("alpha").compactMap(Double.init).sorted()
    let top = (levels.last ?? 0.05) * 1.2
    // Bias tests just left of each α, variance tests just right of it.
    let width = top / 15
    func spreadAround(_ test: String, side: Double) -> [PlotPoint] {
      points(null.filter { $0["test"] == test }, x: "alpha", spread: width * 0.4).map {
        PlotPoint(x: $0.x + side * width * 0.55, y: $0.y, low: $0.low, high: $0.high)
      }
    }
    let nullPanel = PlotPanel(
      title: "null configurations: rejection rate against α",
      x: PlotAxis(label: "nominal level α of one two-sided test (1)", fixed: 0...top),
      y: PlotAxis(label: "rejection rate k/S (1)", include: [0, top]),
      series: [
        PlotSeries(label: "rate = α (calibrated)", points: [PlotPoint(x: 0, y: 0), PlotPoint(x: top, y: top)], style: .theory(0)),
        PlotSeries(label: "bias test (C2)", points: spreadAround("bias", side: -1), style: .scatter(1)),
        PlotSeries(label: "variance test (C3)", points: spreadAround("variance", side: 1), style: .scatter(2)),
      ])
    let biasRows = rows.filter { $0["test"] == "bias" }
    let largest = biasRows.compactMap { $0.number("shift_se") }.max() ?? 4
    var powerSeries: [PlotSeries] = []
    for (k, alpha) in levels.enumerated() {
      let critical = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: 1)
      let curve = (0...80).map { i -> PlotPoint in
        let lambda = largest * Double(i) / 80
        return PlotPoint(x: lambda, y: twoSidedPower(shift: lambda, criticalZ: critical))
      }
      let label = "α = \(alpha)"
      powerSeries.append(PlotSeries(label: "\(label): Φ(λ − z*) + Φ(−λ − z*)", points: curve, style: .theory(3 + k)))
      let measured = biasRows.filter { $0.number("alpha") == alpha }
      powerSeries.append(PlotSeries(label: "\(label): measured", points: points(measured, x: "shift_se", spread: 0.2), style: .scatter(3 + k)))
    }
    let powerPanel = PlotPanel(
      title: "seeded bias: how often the bias test catches it",
      x: PlotAxis(label: "seeded bias λ (standard errors of the mean)", fixed: -0.5...(largest + 0.5)),
      y: PlotAxis(label: "rejection rate k/S (1)", fixed: 0...1),
      series: powerSeries)
    let seeds = rows.first?["seeds"] ?? "?"
    let confidence = rows.first?.number("ci_level") ?? .nan
    let familyWise = String(format: "%.2g", 100 * (1 - confidence) * Double(rows.count))
    let perRow = String(format: "%.5f", confidence)
    return PlotFigure(
      title: "CAL: the harness's tests reject at their nominal rate, and catch a seeded bias as predicted",
      panels: [nullPanel, powerPanel],
      caption: [
        "Each marker is one configuration (case, sampler, batch size) over \(seeds) independently seeded sweeps, with its",
        "Clopper–Pearson interval at confidence \(perRow) (family-wise \(familyWise)% over the table's rows); markers at one x",
        "are spread apart. A calibrated test's intervals cover the line rate = α (left) and the power curves (right).",
      ])
  }
}

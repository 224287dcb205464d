import Foundation

/// CAL: the printed sweep verdict over seeded null runs. Left, the family-wise false-FAIL rate against α,
/// for the exact-law statistic and the old estimated-SE one on the same draws; middle, each tail's rejection
/// rate at the stated level over that level (1 = calibrated); right, the power against a seeded bias.
enum CalibrationFigure {
  typealias Columns = CalibrationExperiment.Columns
  typealias Kind = CalibrationExperiment.Kind
  typealias Statistic = CalibrationExperiment.Statistic

  /// The tail categories of the middle panel, in order.
  static let tails: [(test: String, tail: String, label: String)] = [
    ("C3", "lower", "C3↓"), ("C3", "upper", "C3↑"), ("C2", "lower", "C2↓"), ("C2", "upper", "C2↑"),
    ("C3-noise-S", "lower", "S↓"), ("C3-noise-S", "upper", "S↑"), ("C3-noise-G", "lower", "G↓"),
    ("C3-noise-G", "upper", "G↑"),
  ]

  static func make(calibration: ResultTable) -> PlotFigure {
    let rows = calibration.rows
    let family = rows.filter { $0[Columns.kind] == Kind.family.rawValue }
    let draws = calibration.distinct(Columns.draws)
    let alpha = family.first?.number(Columns.expected) ?? 0.01
    func familyPoints(_ statistic: Statistic) -> [PlotPoint] {
      family.filter { $0[Columns.statistic] == statistic.rawValue }.compactMap { row in
        guard let rate = row.number(Columns.rate), let k = draws.firstIndex(of: row[Columns.draws]) else { return nil }
        let offset = statistic == .exact ? -0.1 : 0.1
        return PlotPoint(x: Double(k) + offset, y: rate, low: row.number(Columns.ciLow), high: row.number(Columns.ciHigh))
      }
    }
    let familyPanel = PlotPanel(
      title: "any false FAIL in a whole sweep",
      x: PlotAxis(label: "replicates R per sweep", categories: draws.map { "R = \($0)" }),
      y: PlotAxis(label: "fraction of null sweeps with a FAIL", include: [0, 2 * alpha]),
      series: [
        PlotSeries(label: "printed verdict (exact null law)", points: familyPoints(.exact), style: .scatter(0)),
        PlotSeries(label: "old statistic (estimated se)", points: familyPoints(.estimated), style: .scatter(1)),
      ],
      rules: [(alpha, "α = \(alpha)")])

    // Tails at the largest stated level other than the Bonferroni one (the most trials per rejection).
    let levels = rows.filter { $0[Columns.kind] == Kind.tail.rawValue }.compactMap { $0.number(Columns.level) }
    let level = levels.max() ?? 1e-3
    func tailPoints(_ statistic: Statistic, side: Double) -> [PlotPoint] {
      var points: [PlotPoint] = []
      for (k, t) in tails.enumerated() {
        let members = rows.filter {
          $0[Columns.kind] == Kind.tail.rawValue && $0[Columns.statistic] == statistic.rawValue && $0[Columns.test] == t.test && $0[Columns.tail] == t.tail
            && $0.number(Columns.level) == level
        }
        for (i, row) in members.enumerated() {
          guard let rate = row.number(Columns.rate) else { continue }
          let spread = members.count > 1 ? 0.25 * (Double(i) / Double(members.count - 1) - 0.5) : 0
          points.append(PlotPoint(
            x: Double(k) + side * 0.15 + spread, y: rate / level, low: row.number(Columns.ciLow).map { $0 / level },
            high: row.number(Columns.ciHigh).map { $0 / level }))
        }
      }
      return points
    }
    let tailPanel = PlotPanel(
      title: "each tail at the level \(shortScientific(level))",
      x: PlotAxis(label: "test and tail", categories: tails.map(\.label)),
      y: PlotAxis(label: "rejection rate / level", include: [0, 2]),
      series: [
        PlotSeries(label: "exact law, one tail", points: tailPoints(.exact, side: -1), style: .scatter(2)),
        PlotSeries(label: "estimated se, one tail", points: tailPoints(.estimated, side: 1), style: .scatter(3)),
      ],
      rules: [(1, "calibrated")])

    let power = rows.filter { $0[Columns.kind] == Kind.power.rawValue }.sorted { ($0.number(Columns.shiftSE) ?? 0) < ($1.number(Columns.shiftSE) ?? 0) }
    let measured = power.compactMap { row -> PlotPoint? in
      guard let x = row.number(Columns.shiftSE), let y = row.number(Columns.rate) else { return nil }
      return PlotPoint(x: x, y: y, low: row.number(Columns.ciLow), high: row.number(Columns.ciHigh))
    }
    let expected = power.compactMap { row -> PlotPoint? in
      guard let x = row.number(Columns.shiftSE), let y = row.number(Columns.expected) else { return nil }
      return PlotPoint(x: x, y: y)
    }
    let powerPanel = PlotPanel(
      title: "a seeded bias of λ standard errors",
      x: PlotAxis(label: "seeded bias λ (null standard errors)", include: measured.map(\.x)),
      y: PlotAxis(label: "fraction caught", fixed: 0...1),
      series: [
        PlotSeries(label: "predicted power", points: expected, style: .theory(5)),
        PlotSeries(label: "measured", points: measured, style: .scatter(5)),
      ])
    let seeds = family.first?[Columns.trials] ?? "?"
    return PlotFigure(
      title: "The printed sweep verdict over \(seeds) seeded null runs: its false-failure rate and its power",
      panels: [familyPanel, tailPanel, powerPanel], columns: 3, panelWidth: 380,
      caption: [
        "Each null run is a whole sweep of the case (every sampler and batch size; C2, C3 and the noise scale) judged as",
        "gradverify sweep judges it. Bars: Clopper–Pearson intervals at the table's confidence. Left: the share of runs",
        "with any FAIL must not exceed α. Middle: one marker per pooled tail (C2: one per coordinate); ↓ the lower tail,",
        "↑ the upper; S and G the noise scale's two estimates, of tr Σ and of ‖∇C‖². Right: power against a seeded bias.",
      ])
  }
}

extension CalibrationExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    figure("fig-calibration.svg", from: runs) { CalibrationFigure.make(calibration: $0) }
  }
}

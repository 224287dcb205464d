
/// F's figure: the error of a sum of N entries in float32 and bfloat16, relative to Σ|xᵢ|, against N for
/// each summation method, with Higham's bound for each (where it is finite).
extension FinitePrecisionExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    figure("fig-f-finite-precision.svg", from: runs) { errors(table: $0) }
  }

  static func errors(table: ResultTable) -> PlotFigure {
    let methods = SummationMethod.allCases.map(\.rawValue)
    var panels: [PlotPanel] = []
    for name in table.distinct(.caseName) where name != gridCase {
      for precision in table.distinct(Columns.precision) {
        let rows = table.rows.filter { $0[.caseName] == name && $0[Columns.precision] == precision }
        var series: [PlotSeries] = []
        for (i, method) in methods.enumerated() {
          let own = rows.filter { $0[Columns.method] == method }
          series.append(PlotSeries(
            label: "\(method): largest error",
            points: own.compactMap { r in r.number(.count).flatMap { n in r.number(Columns.maxRelativeError).map { PlotPoint(x: n, y: $0) } } },
            style: .measured(i + 1)))
          series.append(PlotSeries(
            label: "\(method): Higham bound",
            points: own.compactMap { r in r.number(.count).flatMap { n in r.optionalNumber(Columns.relativeBound).map { PlotPoint(x: n, y: $0) } } },
            style: .theory(i + 1), bounds: "\(method): largest error"))
        }
        panels.append(PlotPanel(
          title: "\(CaseTitle.words(name)), \(precision)", x: PlotAxis(label: "N, entries summed", scale: .logarithmic),
          y: PlotAxis(label: "|error| / Σ|xᵢ|", scale: .logarithmic), series: series,
          notes: ["zero errors not drawn", "a bound missing: k·u ≥ 1"], notesCorner: .topLeft))
      }
    }
    return PlotFigure(
      title: "Float32 and bfloat16 sums miss the exact sum, each within its Higham bound where that is finite",
      panels: panels,
      caption: [
        "Each entry rounded to the format, then summed there (rounding emulated exactly); error against the exact sum.",
        "Worst-case bounds grow like N·u; the measured recursive error like √N·u until bfloat16 stalls.",
      ])
  }
}

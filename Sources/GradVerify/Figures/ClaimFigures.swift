import Foundation

/// The figures of the claims C1 (finite-difference error against the step) and C2/C3 (mini-batch MSE and bias
/// z-scores against the batch size), drawn from the rows of their tables.
enum ClaimFigures {
  /// |D(h) − g| of the 3-point central difference against h for a few cases: slope 2 while truncation
  /// dominates, then rising along the rounding bound (slope −1).
  static func finiteDifferenceError(halving: ResultTable) -> PlotFigure {
    let rows = halving.rows
    let cases = halving.distinct("case").filter { name in
      name.hasSuffix("@unit") && rows.contains { $0["case"] == name && $0["truncation_regime"] == "true" }
    }
    let panels = cases.prefix(4).map { name -> PlotPanel in
      let caseRows = rows.filter { $0["case"] == name }
      let measured = caseRows.compactMap { row -> PlotPoint? in
        guard let h = row.number("step"), let error = row.number("error") else { return nil }
        return PlotPoint(x: h, y: error)
      }
      let bound = caseRows.compactMap { row -> PlotPoint? in
        guard let h = row.number("step"), let bound = row.number("rounding_bound") else { return nil }
        return PlotPoint(x: h, y: bound)
      }
      var series = [
        PlotSeries(label: "measured |D(h) − g|", points: measured, style: .measured(0)),
        PlotSeries(label: "rounding bound (slope −1)", points: bound, style: .theory(1)),
      ]
      // The slope-2 reference passes through the first point measured in the truncation regime.
      if let anchor = caseRows.first(where: { $0["truncation_regime"] == "true" }),
        let h0 = anchor.number("step"), let e0 = anchor.number("error")
      {
        let steps = measured.map(\.x).filter { $0 >= h0 / 4096 }
        series.append(
          PlotSeries(
            label: "truncation C·h² (slope 2)", points: steps.map { PlotPoint(x: $0, y: e0 * ($0 / h0) * ($0 / h0)) },
            style: .theory(2), affectsRange: false))
      }
      let coordinate = caseRows.first?["coordinate"] ?? "?"
      return PlotPanel(
        title: name, x: PlotAxis(label: "step h (units of θ)", scale: .logarithmic),
        y: PlotAxis(label: "error of ∂C/∂θ\(coordinate) (cost per unit θ)", scale: .logarithmic), series: series)
    }
    return PlotFigure(
      title: "C1: finite-difference error against the step",
      panels: Array(panels),
      caption: [
        "Central difference D(h) = (C(θ+h·e) − C(θ−h·e))/2h of the average cost against the averaged analytic gradient g,",
        "for the worst coordinate of each case. Truncation falls as h² (slope 2); below the crossover rounding takes over,",
        "bounded by the running rounding estimate, which grows as 1/h (slope −1). Zero errors are not drawn on log axes.",
      ])
  }

  /// Mean squared error of the mini-batch gradient against b, measured with 95% intervals, beside the law:
  /// tr Σ_N / b with replacement, (1 − b/N) tr S² / b without (zero at b = N), and Poisson sampling's.
  static func meanSquaredError(sweep: ResultTable, population: ResultTable) -> PlotFigure {
    let z95 = -normalQuantile(0.025)
    let samplers = ["with", "without", "poisson"]
    let panels = sweep.distinct("case").map { name -> PlotPanel in
      let rows = sweep.rows.filter { $0["case"] == name }
      var series: [PlotSeries] = []
      var notes: [String] = []
      for (k, sampler) in samplers.enumerated() {
        let points = rows.filter { $0["sampler"] == sampler }.compactMap { row -> PlotPoint? in
          guard let b = row.number("b"), let mse = row.number("mse"), let se = row.number("mse_se") else { return nil }
          return PlotPoint(x: b, y: mse, low: mse - z95 * se, high: mse + z95 * se)
        }
        series.append(PlotSeries(label: "measured, \(sampler) replacement".replacingOccurrences(of: "poisson replacement", with: "Poisson"),
                                 points: points, style: .scatter(k)))
      }
      if let pop = population.rows.first(where: { $0["case"] == name }),
        let n = pop.number("N"), let traceSigma = pop.number("trace_sigma_N"), let traceS2 = pop.number("trace_S2")
      {
        let grid = Self.batchGrid(upTo: n)
        series.append(
          PlotSeries(
            label: "law with: tr Σ_N / b", points: grid.map { PlotPoint(x: $0, y: traceSigma / $0) },
            style: .theory(0), affectsRange: false))
        series.append(
          PlotSeries(
            label: "law without: (1 − b/N) tr S² / b", points: grid.map { PlotPoint(x: $0, y: (1 - $0 / n) * traceS2 / $0) },
            style: .theory(1), affectsRange: false))
        if let full = rows.first(where: { $0["sampler"] == "without" && $0.number("b") == n }), let mse = full.number("mse") {
          notes.append("without, b = N = \(Int(n)): MSE \(mse == 0 ? "exactly 0" : Self.short(mse))")
        }
      }
      let poissonTheory = rows.filter { $0["sampler"] == "poisson" }.compactMap { row -> PlotPoint? in
        guard let b = row.number("b"), let theory = row.number("theory") else { return nil }
        return PlotPoint(x: b, y: theory)
      }
      series.append(PlotSeries(label: "law Poisson (at the measured b)", points: poissonTheory, style: .theory(2), affectsRange: false))
      return PlotPanel(
        title: name, x: PlotAxis(label: "batch size b (examples)", scale: .logarithmic),
        y: PlotAxis(label: "E‖ĝ_b − ∇C‖² (squared gradient units)", scale: .logarithmic), series: series, notes: notes)
    }
    return PlotFigure(
      title: "C3: mean squared error of the mini-batch gradient against the batch size",
      panels: panels,
      caption: [
        "Markers: Monte Carlo MSE over the draws with 95% intervals (±1.96 standard errors). Lines: the exact law from the",
        "population's own covariance (Σ_N with divisor N, S² with divisor N − 1). Without replacement the law falls to zero",
        "at b = N, off the bottom of a log axis; the measured value there is in the note. Poisson-realized is in the table.",
      ])
  }

  /// Per-coordinate bias z-scores of the mini-batch gradient against b, with the Bonferroni critical values.
  static func biasZScores(coordinates: ResultTable, population: ResultTable) -> PlotFigure {
    let samplers = ["with", "without", "poisson"]
    let panels = coordinates.distinct("case").map { name -> PlotPanel in
      let rows = coordinates.rows.filter { $0["case"] == name }
      var series: [PlotSeries] = []
      for (k, sampler) in samplers.enumerated() {
        // A small horizontal offset per sampler keeps the three clouds apart at the same b.
        let shift = pow(10, 0.035 * (Double(k) - 1))
        let points = rows.filter { $0["sampler"] == sampler }.compactMap { row -> PlotPoint? in
          guard let b = row.number("b"), let z = row.number("z") else { return nil }
          return PlotPoint(x: b * shift, y: z)
        }
        var style = PlotStyle.scatter(k)
        style.markerSize = 2.2
        series.append(PlotSeries(label: "\(sampler == "poisson" ? "Poisson" : "\(sampler) replacement")", points: points, style: style))
      }
      let critical = population.rows.first(where: { $0["case"] == name })?.number("bias_critical_z") ?? .nan
      return PlotPanel(
        title: name, x: PlotAxis(label: "batch size b (examples)", scale: .logarithmic),
        y: PlotAxis(label: "bias z-score per coordinate (1)", include: [-critical - 0.5, critical + 0.5]),
        series: series, rules: [(critical, "+\(Self.short(critical)) (Bonferroni, α = 0.01)"), (-critical, "−\(Self.short(critical))")])
    }
    return PlotFigure(
      title: "C2: the mini-batch gradient is unbiased at every batch size",
      panels: panels,
      caption: [
        "z = (mean of ĝ_b − ∇C) / standard error, one point per coordinate, sampler and b. Under the claim the points are",
        "standard normal; the dashed lines are the family-wise critical values at α = 0.01. Samplers are offset slightly in b.",
      ])
  }

  /// About 200 batch sizes from 1 to N, spaced evenly in log b and denser towards N − 1 where (1 − b/N) falls to 0.
  static func batchGrid(upTo n: Double) -> [Double] {
    var grid = (0...160).map { pow(n, Double($0) / 160) }.filter { $0 < n - 1 }
    grid += (0...40).map { n - pow(n / 2, 1 - Double($0) / 40) }.filter { $0 > (grid.last ?? 1) && $0 <= n - 1 }
    return grid
  }

  /// A number to three significant digits, for notes and labels.
  static func short(_ value: Double) -> String {
    let text = String(format: "%.3g", value)
    return text.hasPrefix("-") ? "−" + text.dropFirst() : text
  }
}

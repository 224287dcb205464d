import Foundation

/// The figures of the negative controls (N1 design effect, N2 bias, N3 drift) and of the training runs,
/// drawn from the rows of their tables.
enum ControlFigures {
  static let z95 = -normalQuantile(0.025)

  /// A measured value with its 95% interval (±1.96 standard errors).
  static func interval(x: Double, y: Double, se: Double?) -> PlotPoint {
    guard let se, se.isFinite else { return PlotPoint(x: x, y: y) }
    return PlotPoint(x: x, y: y, low: y - z95 * se, high: y + z95 * se)
  }

  /// N1: the design effect (MSE over the simple-random-sampling MSE at the same b) of contiguous batches of
  /// ordered or correlated data, exact and by Monte Carlo, beside the shuffled twin.
  static func designEffect(correlated: ResultTable) -> PlotFigure {
    let rows = correlated.rows
    let ordered = correlated.distinct("case").filter { !$0.contains("(shuffled)") }
    let panels = ordered.map { name -> PlotPanel in
      let twin = name.replacingOccurrences(of: "(sorted)", with: "(shuffled)")
      var series: [PlotSeries] = []
      let samplers = correlated.distinct("sampler")
      var sources = [(name, "")]
      if twin != name && rows.contains(where: { $0["case"] == twin }) { sources.append((twin, " after one shuffle")) }
      for (caseName, suffix) in sources {
        let caseRows = rows.filter { $0["case"] == caseName }
        for (index, sampler) in samplers.enumerated() where sampler != "fixed" {
          let samplerRows = caseRows.filter { $0["sampler"] == sampler }
          guard !samplerRows.isEmpty else { continue }
          // One style per sampler and order across all panels, so each legend entry means one thing.
          let k = index + (suffix.isEmpty ? -1 : samplers.count - 1)
          let exact = samplerRows.compactMap { row in row.number("b").flatMap { b in row.number("design_effect_exact").map { PlotPoint(x: b, y: $0) } } }
          let monteCarlo = samplerRows.compactMap { row in
            row.number("b").flatMap { b in row.number("design_effect_mc").map { interval(x: b, y: $0, se: row.number("design_effect_mc_se")) } }
          }
          series.append(PlotSeries(label: "\(sampler) blocks\(suffix), exact", points: exact, style: .theory(k)))
          series.append(PlotSeries(label: "\(sampler) blocks\(suffix), Monte Carlo", points: monteCarlo, style: .scatter(k)))
          let process = samplerRows.compactMap { row in row.number("b").flatMap { b in row.number("design_effect_process").map { PlotPoint(x: b, y: $0) } } }
          if !process.isEmpty {
            series.append(PlotSeries(label: "AR(1) process value", points: process, style: .theory(2 * samplers.count)))
          }
        }
      }
      return PlotPanel(
        title: name, x: PlotAxis(label: "batch size b (examples)", scale: .logarithmic),
        y: PlotAxis(label: "design effect MSE / MSE_SRS (1)", scale: .logarithmic, include: [0.5, 2]),
        series: series, rules: [(1, "simple random sampling")])
    }
    return PlotFigure(
      title: "N1: contiguous batches of ordered or correlated data are over-dispersed",
      panels: panels,
      caption: [
        "Design effect = MSE of the contiguous-batch gradient over the simple-random-sampling MSE at the same b; 1 means",
        "the law of C3 holds. Exact values enumerate every start; markers are Monte Carlo with 95% intervals. The fixed",
        "first-b block has zero variance and a bias instead (in the table). Shuffling once restores a design effect near 1.",
      ])
  }

  /// N2: the mini-batch bias of a cost that does not add over examples, against b, with its prediction.
  static func nonAdditiveBias(tables: [ResultTable]) -> PlotFigure {
    var panels: [PlotPanel] = []
    var costs: [String] = []
    for table in tables { costs += table.distinct("cost").filter { !costs.contains($0) } }
    for table in tables {
      for name in table.distinct("case") {
        let rows = table.rows.filter { $0["case"] == name }
        var series: [PlotSeries] = []
        for (k, cost) in costs.enumerated() {
          let costRows = rows.filter { $0["cost"] == cost }
          guard !costRows.isEmpty else { continue }
          let measured = costRows.compactMap { row in
            row.number("b").flatMap { b in row.number("bias").map { interval(x: b, y: $0, se: row.number("bias_se")) } }
          }
          series.append(PlotSeries(label: "\(cost): measured", points: measured, style: .scatter(k)))
          let predicted = costRows.filter { $0["judged"] == "true" }.compactMap { row in
            row.number("b").flatMap { b in row.number("prediction").map { PlotPoint(x: b, y: $0) } }
          }
          if !predicted.isEmpty {
            series.append(PlotSeries(label: "\(cost): predicted", points: predicted, style: .theory(k)))
          }
        }
        panels.append(
          PlotPanel(
            title: name, x: PlotAxis(label: "batch size b (examples)", scale: .logarithmic),
            y: PlotAxis(label: "E[cost on batch] − cost on all (cost units)", include: [0]), series: series))
      }
    }
    return PlotFigure(
      title: "N2: mini-batch estimates of a non-additive cost are biased",
      panels: panels,
      caption: [
        "Markers: Monte Carlo bias of the cost evaluated on a batch without replacement, with 95% intervals; lines: the",
        "prediction (exact Var(L̄_b) for the square of the mean, the delta method for log-mean-exp, 0 for the mean).",
        "Batch norm has no closed-form prediction and is measured only. Every bias vanishes at b = N.",
      ])
  }

  /// N3: the discrepancy of gradients accumulated along SGD steps from the gradient at one point, against η.
  static func drift(drift: ResultTable) -> PlotFigure {
    let panels = drift.distinct("case").map { name -> PlotPanel in
      let rows = drift.rows.filter { $0["case"] == name }
      let measured = rows.compactMap { row in row.number("eta").flatMap { eta in row.number("discrepancy_norm").map { PlotPoint(x: eta, y: $0) } } }
      let predicted = rows.compactMap { row in row.number("eta").flatMap { eta in row.number("prediction_norm").map { PlotPoint(x: eta, y: $0) } } }
      var notes: [String] = []
      if let zero = rows.first(where: { $0.number("eta") == 0 }), let value = zero.number("discrepancy_norm") {
        notes.append("η = 0: discrepancy \(value == 0 ? "exactly 0" : ClaimFigures.short(value))")
      }
      if let k = rows.first?["k"] { notes.append("k = \(k) steps per pass") }
      return PlotPanel(
        title: name, x: PlotAxis(label: "step size η (θ units per gradient unit)", scale: .logarithmic),
        y: PlotAxis(label: "‖mean discrepancy‖ (gradient units)", scale: .logarithmic),
        series: [
          PlotSeries(label: "measured", points: measured, style: .measured(0)),
          PlotSeries(label: "first order: η(k−1)/2 · ‖H g‖", points: predicted, style: .theory(1)),
        ], notes: notes)
    }
    return PlotFigure(
      title: "N3: gradients taken at different parameter points drift from ∇C",
      panels: panels,
      caption: [
        "Mean over random orders of (1/k) Σ ∇L at the points SGD visits, minus ∇C at the start. The first-order",
        "prediction holds while η·k·‖Hg‖/‖g‖ ≤ 0.01 and breaks down beyond, as it should; at η = 0 the discrepancy is 0.",
      ])
  }

  /// Training: cost against steps and against examples seen, and the estimator noise along the path.
  static func training(training: ResultTable) -> PlotFigure {
    let rows = training.rows
    let runs = training.distinct("run")
    var costBySteps: [PlotSeries] = [], costByExamples: [PlotSeries] = [], noise: [PlotSeries] = []
    for (k, run) in runs.enumerated() {
      let runRows = rows.filter { $0["run"] == run }
      let label = run == "gd" ? "gradient descent (b = N)" : run.replacingOccurrences(of: "sgd(b=", with: "SGD, b = ").replacingOccurrences(of: ")", with: "")
      costBySteps.append(PlotSeries(label: label, points: runRows.compactMap { row in
        row.number("step").flatMap { s in s > 0 ? row.number("cost").map { PlotPoint(x: s, y: $0) } : nil } }, style: .measured(k)))
      costByExamples.append(PlotSeries(label: label, points: runRows.compactMap { row in
        row.number("examples").flatMap { e in e > 0 ? row.number("cost").map { PlotPoint(x: e, y: $0) } : nil } }, style: .measured(k)))
      let measured = runRows.compactMap { row in
        row.number("step").flatMap { s in row.number("noise_mse").map { interval(x: s, y: $0, se: row.number("noise_mse_se")) } }
      }
      if !measured.isEmpty {
        var style = PlotStyle.scatter(k)
        style.dash = nil
        noise.append(PlotSeries(label: label, points: measured, style: style))
        let theory = runRows.compactMap { row in row.number("step").flatMap { s in row.number("noise_theory").map { PlotPoint(x: s, y: $0) } } }
        noise.append(PlotSeries(label: "C3 law at the θ visited, \(label)", points: theory, style: PlotStyle(color: PlotStyle.palette[k], dash: "8,4", marker: nil)))
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
    let name = training.distinct("case").first ?? ""
    return PlotFigure(
      title: "Training \(name): gradient descent against SGD",
      panels: panels, columns: 3, panelWidth: 400,
      caption: [
        "One step size for every run. Per step, larger batches descend like gradient descent; per example processed, small",
        "batches make faster progress. Right: the estimator noise measured at checkpoints (95% intervals) against the C3 law.",
      ])
  }
}

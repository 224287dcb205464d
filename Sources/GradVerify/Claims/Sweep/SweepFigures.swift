import Foundation

/// C2/C3's figures: the mini-batch MSE against b with its laws, and the bias z-scores, drawn from the sweep's tables.
extension SweepExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    guard let sweep = ResultTable.concatenating(runs.compactMap { $0[cellColumns.suffix] }),
      let population = ResultTable.concatenating(runs.compactMap { $0[populationSuffix] }),
      let coordinates = ResultTable.concatenating(runs.compactMap { $0[coordinateColumns.suffix] })
    else { return [] }
    return rendered([
      ("fig-mse-vs-b.svg", meanSquaredError(sweep: sweep, population: population)),
      ("fig-bias-z.svg", biasZScores(coordinates: coordinates, population: population)),
    ])
  }

  /// Mean squared error of the mini-batch gradient against b, measured with 95% intervals, beside the law:
  /// tr Σ_N / b with replacement, (1 − b/N) tr S² / b without (zero at b = N), and Poisson sampling's.
  static func meanSquaredError(sweep: ResultTable, population: ResultTable) -> PlotFigure {
    let z95 = -normalQuantile(0.025)
    let samplers = [SamplerKind.withReplacement, .withoutReplacement, .poisson].map(\.rawValue)
    // A sampler the run did not use gets neither markers nor a law (nor a legend entry).
    let used = Set(sweep.rows.map { $0[.sampler] })
    let panels = sweep.distinct(.caseName).map { name -> PlotPanel in
      let rows = sweep.rows.filter { $0[.caseName] == name }
      var series: [PlotSeries] = []
      var notes: [String] = []
      for (k, sampler) in samplers.enumerated() where used.contains(sampler) {
        let points = rows.filter { $0[.sampler] == sampler }.compactMap { row -> PlotPoint? in
          guard let b = row.number(.batch), let mse = row.number(.meanSquaredError), let se = row.number(Columns.mseSE) else { return nil }
          return PlotPoint(x: b, y: mse, low: mse - z95 * se, high: mse + z95 * se)
        }
        series.append(PlotSeries(label: "measured, \(sampler) replacement".replacingOccurrences(of: "poisson replacement", with: "Poisson"),
                                 points: points, style: .scatter(k)))
      }
      if let pop = population.rows.first(where: { $0[.caseName] == name }),
        let n = pop.number(.count), let traceSigma = pop.number(Columns.traceSigmaN), let traceS2 = pop.number(Columns.traceS2)
      {
        let grid = batchGrid(upTo: n)
        if used.contains(SamplerKind.withReplacement.rawValue) {
          series.append(
            PlotSeries(
              label: "law with: tr Σ_N / b", points: grid.map { PlotPoint(x: $0, y: traceSigma / $0) },
              style: .theory(0), affectsRange: false))
        }
        if used.contains(SamplerKind.withoutReplacement.rawValue) {
          series.append(
            PlotSeries(
              label: "law without: (1 − b/N) tr S² / b", points: grid.map { PlotPoint(x: $0, y: (1 - $0 / n) * traceS2 / $0) },
              style: .theory(1), affectsRange: false))
        }
        if let full = rows.first(where: { $0[.sampler] == SamplerKind.withoutReplacement.rawValue && $0.number(.batch) == n }), let mse = full.number(.meanSquaredError) {
          notes.append("without, b = N = \(Int(n)): MSE \(mse == 0 ? "exactly 0" : PlotLabel.short(mse))")
        }
      }
      let poissonTheory = rows.filter { $0[.sampler] == SamplerKind.poisson.rawValue }.compactMap { row -> PlotPoint? in
        guard let b = row.number(.batch), let theory = row.optionalNumber(.theory) else { return nil }
        return PlotPoint(x: b, y: theory)
      }
      if used.contains(SamplerKind.poisson.rawValue) {
        series.append(PlotSeries(label: "law Poisson (at the measured b)", points: poissonTheory, style: .theory(2), affectsRange: false))
      }
      return PlotPanel(
        title: CaseTitle.words(name), x: PlotAxis(label: "batch size b (examples)", scale: .logarithmic),
        y: PlotAxis(label: "E‖ĝ_b − ∇C‖² (squared gradient units)", scale: .logarithmic), series: series, notes: notes)
    }
    return PlotFigure(
      title: "The mini-batch gradient's mean squared error falls with the batch size by each sampler's exact law",
      panels: panels,
      caption: [
        "Markers: Monte Carlo MSE over the draws with 95% intervals (±1.96 standard errors). Lines: the exact law from the",
        "population's own covariance (Σ_N with divisor N, S² with divisor N − 1). Without replacement the law falls to zero",
        "at b = N, off the bottom of a log axis; the measured value there is in the note. Poisson-realized is in the table.",
      ])
  }

  /// Per-coordinate bias z-scores of the mini-batch gradient against b, with the Bonferroni critical values.
  static func biasZScores(coordinates: ResultTable, population: ResultTable) -> PlotFigure {
    let samplers = [SamplerKind.withReplacement, .withoutReplacement, .poisson].map(\.rawValue)
    // A sampler the run did not use gets neither markers nor a law (nor a legend entry).
    let used = Set(coordinates.rows.map { $0[.sampler] })
    let panels = coordinates.distinct(.caseName).map { name -> PlotPanel in
      let rows = coordinates.rows.filter { $0[.caseName] == name }
      var series: [PlotSeries] = []
      for (k, sampler) in samplers.enumerated() where used.contains(sampler) {
        // A small horizontal offset per sampler keeps the three clouds apart at the same b.
        let shift = pow(10, 0.035 * (Double(k) - 1))
        let points = rows.filter { $0[.sampler] == sampler }.compactMap { row -> PlotPoint? in
          guard let b = row.number(.batch), let z = row.optionalNumber(Columns.biasZ) else { return nil }
          return PlotPoint(x: b * shift, y: z)
        }
        var style = PlotStyle.scatter(k)
        style.markerSize = 2.2
        series.append(PlotSeries(label: "\(sampler == SamplerKind.poisson.rawValue ? "Poisson" : "\(sampler) replacement")", points: points, style: style))
      }
      let caseRow = population.rows.first(where: { $0[.caseName] == name })
      let critical = caseRow?.number(.criticalZ) ?? .nan
      let alpha = caseRow?.number(Columns.alpha) ?? .nan
      return PlotPanel(
        title: CaseTitle.words(name), x: PlotAxis(label: "batch size b (examples)", scale: .logarithmic),
        y: PlotAxis(label: "bias z-score per coordinate", include: [-critical - 0.5, critical + 0.5]),
        series: series,
        rules: [(critical, "+\(PlotLabel.short(critical)) (Bonferroni, α = \(PlotLabel.short(alpha)))"), (-critical, "−\(PlotLabel.short(critical))")])
    }
    let alphas = population.distinct(Columns.alpha)
    return PlotFigure(
      title: "The mini-batch gradient is unbiased at every batch size",
      panels: panels,
      caption: [
        "z = (mean of ĝ_b − ∇C) / exact null standard error, one point per coordinate, sampler and b; samplers are offset",
        "slightly in b. Dashed: ±z*, the normal critical value of one tail at the run's Bonferroni level α/(2m), α = \(alphas.joined(separator: ", ")).",
        "The verdict itself uses each coordinate's exact tail probability (enumerated, saddlepoint or a bound): see the coordinates table.",
      ])
  }

  /// About 200 batch sizes from 1 to N, spaced evenly in log b and denser towards N − 1 where (1 − b/N) falls to 0.
  static func batchGrid(upTo n: Double) -> [Double] {
    var grid = (0...160).map { pow(n, Double($0) / 160) }.filter { $0 < n - 1 }
    grid += (0...40).map { n - pow(n / 2, 1 - Double($0) / 40) }.filter { $0 > (grid.last ?? 1) && $0 <= n - 1 }
    return grid
  }
}


/// RR's figure: the running mean's squared error over one epoch against the examples seen, with the
/// without-replacement law (reaching 0 at N) and, for contrast, the law of independent draws.
extension ReshufflingExperiment {
  public static func figures(_ runs: [[String: ResultTable]]) -> [DrawnFigure] {
    guard let running = ResultTable.concatenating(runs.compactMap { $0[runningTable.suffix] }),
      let pairs = ResultTable.concatenating(runs.compactMap { $0[pairTable.suffix] })
    else { return [] }
    return rendered([("fig-rr-reshuffling.svg", epoch(running: running, pairs: pairs))])
  }

  static func epoch(running: ResultTable, pairs: ResultTable) -> PlotFigure {
    let panels = running.distinct(.caseName).map { name -> PlotPanel in
      let rows = running.rows.filter { $0[.caseName] == name }
      let own = pairs.rows.filter { $0[.caseName] == name }
      let n = rows.first?.number(.count) ?? 0
      let ended = own.first?[Columns.epochsNotEndingAtG] == CSVCell(0).text
      // tr Σ_N from the law at any checkpoint: theory · m (N − 1)/(N − m).
      let trace = rows.first.flatMap { r in r.number(.theory).flatMap { t in r.number(Columns.examplesSeen).map { t * $0 * (n - 1) / (n - $0) } } } ?? 0
      let grid = (1...64).map { n * Double($0) / 64 }
      let measured = rows.compactMap { r in r.number(Columns.examplesSeen).flatMap { m in r.number(.meanSquaredError).map { PlotPoint(x: m, y: $0) } } }
        + (ended ? [PlotPoint(x: n, y: 0)] : [])
      var notes: [String] = []
      if let same = own.first(where: { $0[Columns.pair] == Pair.sameEpoch.rawValue }), let c = same.number(Columns.covariance), let p = same.number(Columns.prediction) {
        notes.append("cov(batch 1, batch 2): \(PlotLabel.short(c)), law −tr Σ/(N−1) = \(PlotLabel.short(p))")
      }
      notes.append(ended ? "every epoch ends exactly at ∇C" : "some epoch missed ∇C")
      return PlotPanel(
        title: CaseTitle.words(name), x: PlotAxis(label: "examples seen in the epoch, m = k·b", include: [0, n]),
        y: PlotAxis(label: "E‖running mean − ∇C‖² (gradient²)", include: [0]),
        series: [
          PlotSeries(label: "one epoch (reshuffled), measured", points: measured, style: .measured(0)),
          PlotSeries(label: "law without replacement: (N − m)/(N − 1) · tr Σ/m",
                     points: grid.map { PlotPoint(x: $0, y: (n - $0) / (n - 1) * trace / $0) }, style: .theory(1), affectsRange: false),
          PlotSeries(label: "independent draws (with replacement): tr Σ/m",
                     points: grid.map { PlotPoint(x: $0, y: trace / $0) }, style: .theory(2), affectsRange: false),
        ], notes: notes)
    }
    return PlotFigure(
      title: "One epoch of reshuffling samples without replacement and ends exactly at the full gradient",
      panels: panels,
      caption: [
        "The running mean of the first k batches of a random permutation, squared error averaged over epochs.",
        "It follows the without-replacement law and is exactly ∇C at the end; independent draws would not be.",
      ])
  }
}

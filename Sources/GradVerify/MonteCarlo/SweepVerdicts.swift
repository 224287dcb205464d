/// The claims a sweep's verdict rows name.
package enum SweepVerdictClaims: String, VerdictClaim {
  case bias = "C2", variance = "C3", noiseScale = "C3-noise"
}

/// The sweep's verdict rows and their key figures.
extension SweepEngine {
  /// Two rows per case × judged sampler (C2: the smallest tail probability over every coordinate and size;
  /// C3: the MSE/theory range and the smallest tail probability), then the noise-scale row.
  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    for r in result.records {
      let e = r.evaluation
      let level = e.tailLevel
      let identical = r.population.traceSigma == 0
      for sampler in settings.samplers where sampler != .poissonRealized {
        let cells = e.rows.filter { $0.measurement.cell.sampler == sampler }
        // One row per claim: its verdict over the cells, the best power among the cells that passed.
        func claimRow(
          _ claim: SweepVerdictClaims, _ verdictOf: KeyPath<SweepEvaluation.Row, Verdict?>, _ powerOf: KeyPath<SweepEvaluation.Row, Double?>,
          _ figure: ([SweepEvaluation.Row], Verdict, Double, Bool, Double?) -> String
        ) {
          guard let verdict = e.verdict(sampler: sampler, claim: verdictOf) else { return }
          let detectable = cells.filter { $0[keyPath: verdictOf] == .pass }.compactMap { $0[keyPath: powerOf] }.min()
            ?? cells.compactMap { $0[keyPath: powerOf] }.min()
          rows.append(VerdictRow(
            claim: claim, caseName: "\(r.caseName) \(sampler.rawValue)",
            keyFigure: figure(cells, verdict, level, identical, detectable), verdict: verdict, detectable: detectable))
        }
        claimRow(.bias, \.biasVerdict, \.detectableRelativeBias, Self.biasFigure)
        claimRow(.variance, \.varianceVerdict, \.detectableRelativeDeviation, Self.varianceFigure)
      }
      if let ns = r.noiseScale, let verdict = ns.verdict, let trace = ns.traceTest, let norm = ns.normTest {
        rows.append(VerdictRow(
          claim: SweepVerdictClaims.noiseScale, caseName: "\(r.caseName) b=\(ns.small),\(ns.big)",
          keyFigure: "S est/exact \(rounded3(ns.traceEstimate / ns.traceExpected)), |G|^2 z \(rounded2(ns.normZ)), min p \(shortScientific(Swift.min(trace.pValue, norm.pValue))) (gamma; level \(shortScientific(level)))"
            + (ns.detectableRelativeTraceDeviation.map { ", detects \(shortScientific($0))·tr S²" } ?? ""),
          verdict: verdict, detectable: ns.detectableRelativeTraceDeviation))
      }
    }
    return rows
  }

  /// "b=8 coordinate 17: z −3.91, p 3.1e-4 (exact) ≤ level 7.7e-6" for a FAIL; the worst test, the level
  /// and the power otherwise; plain words for a population with no spread.
  static func biasFigure(
    _ cells: [SweepEvaluation.Row], verdict: Verdict, level: Double, identical: Bool, detectable: Double?
  ) -> String {
    let candidates = cells.compactMap { row in row.worstBias.map { (row, $0.coordinate, $0.test) } }
    let rejected = candidates.filter { $0.2.rejection(level: level) != 0 }
    let worst = (rejected.isEmpty ? candidates : rejected).min { $0.2.pValue < $1.2.pValue }
    if identical {
      return "every per-example gradient is the same (Σ_N = 0): judged exactly, "
        + (verdict == .fail ? "a mean error beyond rounding" : "every mean error 0 up to rounding")
    }
    guard let (row, j, test) = worst else { return "no coordinate tested" }
    let z = cells.map(\.maxAbsoluteBiasZ).max() ?? 0
    let powerless = cells.filter { $0.biasVerdict == .inconclusive }.count
    switch verdict {
    case .fail:
      return "b=\(row.measurement.cell.batch) coordinate \(j): z \(rounded2(test.z)), p \(shortScientific(test.pValue)) (\(test.method.rawValue)) <= level \(shortScientific(level))"
    case .inconclusive:
      return "no size detects \(SweepEvaluation.meaningfulRelativeBias)·‖g‖∞ (best \(shortScientific(detectable ?? .infinity))·‖g‖∞): more draws needed"
    default:
      return "max|z| \(rounded2(z)), min p \(shortScientific(test.pValue)) (level \(shortScientific(level))) over \(cells.count) size\(cells.count == 1 ? "" : "s")"
        + (detectable.map { ", detects \(shortScientific($0))·‖g‖∞" } ?? "")
        + (powerless > 0 ? ", \(powerless) without power" : "")
    }
  }

  /// The C3 row's key figure: the MSE/theory range, the worst test and its level, the power.
  static func varianceFigure(
    _ cells: [SweepEvaluation.Row], verdict: Verdict, level: Double, identical: Bool, detectable: Double?
  ) -> String {
    let ratios = cells.compactMap(\.ratio)
    let tested = cells.compactMap { row in row.varianceTest.map { (row, $0) } }
    let failed = tested.filter { $0.1.rejection(level: level) != 0 }
    let worst = (failed.isEmpty ? tested : failed).min { $0.1.pValue < $1.1.pValue }
    let exact = cells.first { $0.theory == 0 }.map { $0.measurement.everyErrorZero ? ", 0 at b=N" : ", NOT 0 at b=N" } ?? ""
    let range = ratios.isEmpty ? "MSE 0 (Σ_N = 0)" : "MSE/theory \(rounded3(ratios.min()!))..\(rounded3(ratios.max()!))"
    let powerless = cells.filter { $0.varianceVerdict == .inconclusive }.count
    switch verdict {
    case .fail:
      guard let (row, test) = worst else { return range + exact }
      return "b=\(row.measurement.cell.batch): MSE/theory \(rounded3(row.ratio ?? .nan)), z \(rounded2(test.z)), p \(shortScientific(test.pValue)) (\(test.method.rawValue)) <= level \(shortScientific(level))" + exact
    case .inconclusive:
      return range + ", no size detects \(Int(SweepEvaluation.meaningfulRelativeDeviation * 100))% of the law (best \(shortScientific(detectable ?? .infinity))): more draws needed"
    default:
      let p = worst.map { ", min p \(shortScientific($0.1.pValue)) (level \(shortScientific(level)))" } ?? ""
      return (identical ? "every per-example gradient is the same (Σ_N = 0): judged exactly, " : "") + range + p
        + (detectable.map { ", detects \(shortScientific($0))" } ?? "") + exact
        + (powerless > 0 ? ", \(powerless) size\(powerless == 1 ? "" : "s") without power" : "")
    }
  }
}

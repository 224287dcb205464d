/// The sweep's population figures in words, for the command line: the noise scale B_simple = tr Σ_N/‖g‖²
/// with its parts, the fitted slope of log MSE against log b beside the law's own slope over the same b, and
/// the two-batch estimators against their exact values.
extension SweepExperiment {
  public func summaryLines(_ result: Result) -> [String] {
    var lines: [String] = []
    for r in result.records {
      let p = r.population
      let n = Double(p.count)
      lines.append(
        "\(r.caseName): N = \(p.count), P = \(p.dimension); tr Σ_N = \(shortScientific(p.traceSigma)), ‖g‖² = \(shortScientific(p.meanNormSquared)), "
          + "B_simple = tr Σ_N/‖g‖² = \(shortScientific(p.simpleNoiseScale)) (tr S² = \(shortScientific(p.count > 1 ? p.traceSigma * n / (n - 1) : .nan)))")
      let slopes = settings.samplers.compactMap { s -> String? in
        guard let fit = r.evaluation.slope(sampler: s, count: p.count) else { return nil }
        return "\(s.rawValue) \(rounded3(fit.slope)) ± \(rounded3(fit.halfWidth)) (law \(rounded3(fit.law)))"
      }
      if !slopes.isEmpty {
        lines.append("\(r.caseName): slope of log MSE against log b over b ≤ N/8, 95%: " + slopes.joined(separator: ", "))
      }
      if let ns = r.noiseScale {
        lines.append(
          "\(r.caseName): two-batch estimators at b = \(ns.small), \(ns.big): tr S² \(shortScientific(ns.traceEstimate)) (exact \(shortScientific(ns.traceExpected))), "
            + "‖g‖² \(shortScientific(ns.normEstimate)) (expected \(shortScientific(ns.normExpected)))")
      }
    }
    return lines
  }
}

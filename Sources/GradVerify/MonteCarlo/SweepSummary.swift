/// The sweep's population figures in words, for the command line: the noise scale B_simple = tr Σ_N/‖g‖²
/// with its parts, the fitted slope of log MSE against log b beside the law's own slope over the same b, and
/// the two-batch estimators against their exact values (to four significant digits), and the jackknife
/// interval of the noise scale of the population the rows were drawn from (`SampledNoiseScale`).
extension SweepEngine {
  public func summaryLines(_ result: Result) -> [String] {
    var lines: [String] = []
    for r in result.records {
      let p = r.population
      let n = Double(p.count)
      func four(_ x: Double) -> String { String(format: "%.4g", x) }
      lines.append(
        "\(r.caseName): N = \(p.count), P = \(p.dimension); tr Σ_N = \(four(p.traceSigma)), ‖g‖² = \(four(p.meanNormSquared)), "
          + "B_simple = tr Σ_N/‖g‖² = \(four(p.simpleNoiseScale)) (tr S² = \(four(p.count > 1 ? p.traceSigma * n / (n - 1) : .nan)))")
      if p.count >= 3 {
        lines.append("\(r.caseName): noise scale of \(SampledNoiseScale(population: p).summary)")
      }
      let slopes = settings.samplers.compactMap { s -> String? in
        guard let fit = r.evaluation.slope(sampler: s, count: p.count) else { return nil }
        return "\(s.rawValue) \(rounded3(fit.slope)) ± \(fit.halfWidth > 0 && fit.halfWidth < 5e-4 ? shortScientific(fit.halfWidth) : rounded3(fit.halfWidth)) (law \(rounded3(fit.law)))"
      }
      if !slopes.isEmpty {
        lines.append("\(r.caseName): slope of log MSE against log b over b ≤ N/8, 95%: " + slopes.joined(separator: ", "))
      }
      if let ns = r.noiseScale {
        lines.append(
          "\(r.caseName): two-batch estimators at b = \(ns.small), \(ns.big): tr S² \(four(ns.traceEstimate)) (exact \(four(ns.traceExpected)), z \(String(format: "%.2f", ns.traceZ))), "
            + "‖g‖² \(four(ns.normEstimate)) (expected \(four(ns.normExpected)), z \(String(format: "%.2f", ns.normZ)))")
      }
    }
    return lines
  }

  /// The figures of `summaryLines` as numbers, for `--json`: named plainly for one case, prefixed by the case
  /// name ("case/name") for several; the rows' noise scale with the jackknife interval of the population
  /// they were drawn from (`SampledNoiseScale`).
  public func figures(_ result: Result) -> [String: Double?] {
    var figures: [String: Double?] = [:]
    for r in result.records {
      let prefix = result.records.count == 1 ? "" : r.caseName + "/"
      func put(_ name: String, _ value: Double?) { figures[prefix + name] = value }
      let p = r.population
      put("count", Double(p.count))
      put("dimension", Double(p.dimension))
      put("trace_s2", p.count > 1 ? p.traceSigma * Double(p.count) / Double(p.count - 1) : nil)
      if p.count >= 3 {
        for (name, value) in SampledNoiseScale(population: p).figures { put(name, value) }
      } else {
        put("trace_sigma", p.traceSigma)
        put("mean_norm_squared", p.meanNormSquared)
        put("b_simple", p.simpleNoiseScale)
      }
      for s in settings.samplers {
        guard let fit = r.evaluation.slope(sampler: s, count: p.count) else { continue }
        put("slope_\(s.rawValue)", fit.slope)
        put("slope_\(s.rawValue)_half_width", fit.halfWidth)
        put("slope_\(s.rawValue)_law", fit.law)
      }
      if let ns = r.noiseScale {
        put("two_batch_small", Double(ns.small))
        put("two_batch_big", Double(ns.big))
        put("two_batch_trace", ns.traceEstimate)
        put("two_batch_trace_expected", ns.traceExpected)
        put("two_batch_trace_z", ns.traceZ)
        put("two_batch_norm", ns.normEstimate)
        put("two_batch_norm_expected", ns.normExpected)
        put("two_batch_norm_z", ns.normZ)
      }
    }
    return figures
  }
}

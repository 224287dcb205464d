/// Which constant the variance law uses. Only `.exact` is right; the others are the two classic
/// classic convention bugs (S² for Σ_N with replacement, (1 − b/N)Σ_N without), kept so the tests can show that the verdict catches each.
///
/// ```
/// exact:                         the table of `SamplerKind`
/// sampleCovarianceWithReplacement: tr S²/b = N/(N−1) · tr Σ_N/b      (with replacement)
/// finitePopulationOnSigmaN:        (1 − b/N) · tr Σ_N/b = (N−1)/N × exact   (without replacement)
/// ```
package enum VarianceConvention: String, Sendable {
  case exact
  case sampleCovarianceWithReplacement
  case finitePopulationOnSigmaN

  /// E‖ḡ_b − g‖² under this convention, or nil where the sampler has no closed form.
  public func theoreticalMSE(sampler: SamplerKind, batch b: Int, population p: GradientPopulation) -> Double? {
    guard
      let exact = sampler.theoreticalMSE(
        batch: b, count: p.count, traceSigma: p.traceSigma, gradientNormSquared: p.meanNormSquared)
    else { return nil }
    let n = Double(p.count)
    switch (self, sampler) {
    case (.sampleCovarianceWithReplacement, .withReplacement): return exact * n / (n - 1)
    case (.finitePopulationOnSigmaN, .withoutReplacement): return (1 - Double(b) / n) * p.traceSigma / Double(b)
    default: return exact
    }
  }
}

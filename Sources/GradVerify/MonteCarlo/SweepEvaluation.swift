/// The verdicts of one sweep: unbiasedness (C2) and the variance law (C3) per cell, at a stated family-wise
/// level α with Bonferroni's correction over the run's tests.
///
/// ```
/// C2: zⱼ = ēⱼ / se(ēⱼ) for every coordinate;  PASS if maxⱼ |zⱼ| ≤ z*_bias = Φ⁻¹(1 − α/(2·m_bias))
/// C3: z = (MSE − theory) / se(MSE);            PASS if |z| ≤ z*_var  = Φ⁻¹(1 − α/(2·m_var))
/// where theory = 0 (full batch without replacement), the verdict demands every error exactly zero; for a
/// population with no spread at all (every gᵢ equal), errors within the rounding of the batch mean pass.
/// ```
/// se are Monte Carlo standard errors from the R replicates; R ≥ 10⁴ makes the batch-mean z close to normal
/// even where one replicate's error is far from Gaussian.
public struct SweepEvaluation: Sendable {
  public struct Row: Sendable {
    public var measurement: CellMeasurement
    public var theory: Double?
    public var varianceZ: Double?
    public var biasVerdict: Verdict?
    public var varianceVerdict: Verdict?

    /// MSE / theory.
    public var ratio: Double? {
      guard let theory, theory > 0 else { return nil }
      return measurement.meanSquaredError / theory
    }
  }

  public var rows: [Row]
  public var alpha: Double
  public var biasCriticalZ: Double
  public var varianceCriticalZ: Double

  /// - Parameters:
  ///   - convention: the variance constants; anything but `.exact` is a deliberate bug for the tests.
  ///   - runTests: how many bias and variance tests the whole run makes (Bonferroni's m); nil: this sweep's own.
  public init(
    measurements: [CellMeasurement], population: GradientPopulation, alpha: Double,
    convention: VarianceConvention = .exact, runTests: (bias: Int, variance: Int)? = nil
  ) {
    self.alpha = alpha
    let theories = measurements.map {
      convention.theoreticalMSE(sampler: $0.cell.sampler, batch: $0.cell.batch, population: population)
    }
    let own = Self.testCounts(measurements.map(\.cell), dimension: population.dimension)
    let biasTests = runTests?.bias ?? own.bias
    let varianceTests = runTests?.variance ?? own.variance
    biasCriticalZ = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: Swift.max(1, biasTests))
    varianceCriticalZ = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: Swift.max(1, varianceTests))
    // A population whose gradients are all equal has no spread: every batch mean equals g up to the rounding
    // of b equal terms summed and divided, a few u·max|gᵢⱼ| per coordinate.
    let u = RoundingBoundNumber.unitRoundoff
    let roundingScale = 8 * u * (population.rows.map { Swift.abs($0) }.max() ?? 0)
    let degenerate = population.traceSigma == 0
    var rows: [Row] = []
    for (m, theory) in zip(measurements, theories) {
      var row = Row(measurement: m, theory: theory)
      if m.cell.sampler.isUnbiased {
        let withinRounding = degenerate && m.meanError.allSatisfy { Swift.abs($0) <= roundingScale }
        row.biasVerdict = withinRounding || m.maxAbsoluteBiasZ <= biasCriticalZ ? .pass : .fail
      }
      if let theory {
        let fullBatch = m.cell.batch >= population.count && m.cell.sampler != .withReplacement
        if theory == 0 && !fullBatch && degenerate {
          let bound = Double(population.dimension) * roundingScale * roundingScale
          row.varianceVerdict = m.meanSquaredError <= bound ? .pass : .fail
        } else if theory == 0 {
          row.varianceVerdict = m.everyErrorZero ? .pass : .fail
        } else {
          let z = (m.meanSquaredError - theory) / m.meanSquaredErrorStandardError
          row.varianceZ = z
          row.varianceVerdict = Swift.abs(z) <= varianceCriticalZ ? .pass : .fail
        }
      }
      rows.append(row)
    }
    self.rows = rows
  }

  /// (bias tests, variance tests) that a sweep over `cells` makes: one per coordinate per unbiased cell,
  /// one per cell with a closed-form variance.
  public static func testCounts(_ cells: [SweepCell], dimension d: Int) -> (bias: Int, variance: Int) {
    (cells.filter { $0.sampler.isUnbiased }.count * d, cells.filter { $0.sampler != .poissonRealized }.count)
  }

  /// The worst verdict of the cells of one sampler, for one claim.
  public func verdict(sampler: SamplerKind, claim: KeyPath<Row, Verdict?>) -> Verdict? {
    let verdicts = rows.filter { $0.measurement.cell.sampler == sampler }.compactMap { $0[keyPath: claim] }
    return verdicts.max()
  }

  /// The log-log slope of MSE against b, weighted least squares with var(log MSE) ≈ (se/MSE)², over the
  /// cells of one sampler with b ≤ N/8; with its 95% interval. Expected −1 with replacement; without
  /// replacement and for Poisson the factor (N − b)/(N − 1) bends the line slightly below −1 even there.
  public func slope(sampler: SamplerKind, count n: Int) -> (slope: Double, halfWidth: Double)? {
    let points = rows.filter {
      $0.measurement.cell.sampler == sampler && 8 * $0.measurement.cell.batch <= n && $0.measurement.meanSquaredError > 0
        && $0.measurement.meanSquaredErrorStandardError > 0
    }
    guard points.count >= 3 else { return nil }
    var sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
    for p in points {
      let m = p.measurement
      let w = (m.meanSquaredError / m.meanSquaredErrorStandardError) * (m.meanSquaredError / m.meanSquaredErrorStandardError)
      let x = Double.log(Double(m.cell.batch))
      let y = Double.log(m.meanSquaredError)
      sw += w
      sx += w * x
      sy += w * y
      sxx += w * x * x
      sxy += w * x * y
    }
    let denominator = sw * sxx - sx * sx
    guard denominator > 0 else { return nil }
    let slope = (sw * sxy - sx * sy) / denominator
    let se = (sw / denominator).squareRoot()
    return (slope, 1.959963984540054 * se)
  }
}

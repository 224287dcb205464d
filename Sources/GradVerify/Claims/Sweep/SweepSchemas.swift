
/// The sweep's three tables, each column declared with the cell that fills it: one row per cell, per case
/// (the population's moments, the fitted slopes and the noise-scale estimators), and per cell × coordinate.
extension SweepExperiment {
  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case mseSE = "mse_se", biasZ = "z", traceSigmaN = "trace_sigma_N", traceS2 = "trace_S2", alpha
  }

  /// One row per case × sampler × b.
  static let cellColumns = RecordTable<(record: SweepEngine.Record, row: SweepEvaluation.Row)>([
    .column(.caseName) { CSVCell($0.record.caseName) },
    .column(.sampler) { CSVCell($0.row.measurement.cell.sampler.rawValue) },
    .column(.batch) { CSVCell($0.row.measurement.cell.batch) },
    .column(.count) { CSVCell($0.record.population.count) },
    .column(.parameterCount) { CSVCell($0.record.population.dimension) },
    .column(.draws) { CSVCell($0.row.measurement.draws) },
    .column("mse_draws", "R₃, the draws whose squared errors mse averages: every draw at a fixed --draws R, the first R₃ (those C3's power needs, at least 20) with sweep's --draws auto; mse_se and mse_null_se are over R₃", unit: "1") {
      CSVCell($0.row.measurement.squaredErrorDraws)
    },
    .column(.meanSquaredError) { CSVCell($0.row.measurement.meanSquaredError) },
    .column(Columns.mseSE, "estimated standard error of mse, sd(‖e_r‖²)/√R₃ (reported; not used by the verdict)", unit: "gradient²") {
      CSVCell($0.row.measurement.meanSquaredErrorStandardError)
    },
    .column(.meanSquaredErrorNullSE) { CSVCell($0.row.nullStandardError) },
    .column(.theory) { CSVCell($0.row.theory) },
    .column("ratio", "measured MSE over its theoretical value", unit: "1") { CSVCell($0.row.ratio) },
    .column(.varianceZ) { CSVCell($0.row.varianceZ) },
    .column(.lowerCriticalZ.described("lower critical z of the cell: the deviation, in null standard errors, whose lower tail probability is the per-tail level")) {
      CSVCell($0.row.varianceCritical?.lower)
    },
    .column(.upperCriticalZ.described("upper critical z of the cell, likewise")) { CSVCell($0.row.varianceCritical?.upper) },
    .column("variance_p", "probability, under the cell's exact null law, of an MSE at least as far from the law on the side it fell (exact, saddlepoint or gamma: variance_method)", unit: "1") {
      CSVCell($0.row.varianceTest?.pValue)
    },
    .column("variance_method", "how variance_p was obtained: exact (every count vector), saddlepoint (Lugannani–Rice on the exact cumulant generating function), gamma (Pearson type III: exact variance, skewness of the mean exact or from the draws), screened (Berry–Esseen: certainly above the level; a lower bound), zero-spread (no spread: equal to the law up to rounding)", unit: "1") {
      CSVCell($0.row.varianceTest?.method.rawValue ?? "")
    },
    .column("detectable_rel_dev", "smallest relative deviation of the MSE from its law detected with probability ½: max(z_upper, −z_lower)·mse_null_se/theory", unit: "1") {
      CSVCell($0.row.detectableRelativeDeviation)
    },
    .column("variance_verdict", "C3 verdict of the cell", unit: "1") { CSVCell($0.row.varianceVerdict?.rawValue ?? "") },
    .column("max_abs_bias_z", "maxⱼ |ēⱼ|/se(ēⱼ), se the exact null standard error", unit: "1") {
      CSVCell($0.row.biasVerdict == nil ? nil : $0.row.maxAbsoluteBiasZ)
    },
    .column("bias_norm", "‖ē‖, norm of the Monte Carlo mean error", unit: "gradient") { CSVCell($0.row.measurement.biasNorm) },
    .column("bias_min_p", "the smallest tail probability over the cell's coordinates (see the coordinates table)", unit: "1") {
      CSVCell($0.row.worstBias?.test.pValue)
    },
    .column("bias_worst_coordinate", "the coordinate with that smallest tail probability", unit: "1") { CSVCell($0.row.worstBias?.coordinate) },
    .column("detectable_rel_bias", "smallest bias of one coordinate, relative to ‖g‖∞, that the cell's C2 test detects with probability ½: max(z_upper, −z_lower)·se/‖g‖∞ for the coordinate with the largest null standard error se", unit: "1") {
      CSVCell($0.row.detectableRelativeBias)
    },
    .column("bias_verdict", "C2 verdict of the cell", unit: "1") { CSVCell($0.row.biasVerdict?.rawValue ?? "") },
  ])

  /// One row per case × sampler × b × coordinate: the mean error ēⱼ, its exact null standard error, z, both
  /// tail probabilities, how they were obtained, the level and the coordinate's verdict.
  static let coordinateColumns = RecordTable<CoordinateRow>(suffix: "-coordinates", [
    .column(.caseName) { CSVCell($0.record.caseName) },
    .column(.sampler) { CSVCell($0.row.measurement.cell.sampler.rawValue) },
    .column(.batch) { CSVCell($0.row.measurement.cell.batch) },
    .column(.coordinate) { CSVCell($0.coordinate) },
    .column("mean_error", "ēⱼ, Monte Carlo mean of (ḡ_b − g)ⱼ", unit: "gradient") { CSVCell($0.row.measurement.meanError[$0.coordinate]) },
    .column("mean_error_se", "exact null standard error of ēⱼ, √(Var ḡ_b,ⱼ/R)", unit: "gradient") { CSVCell($0.nullStandardError) },
    .column(Columns.biasZ, "mean error over its exact null standard error", unit: "1") { CSVCell($0.test?.z) },
    .column("p_lower", "P(ēⱼ ≤ its value) under the exact null law, or an upper bound on it (method)", unit: "1") { CSVCell($0.test?.lower) },
    .column("p_upper", "P(ēⱼ ≥ its value) likewise", unit: "1") { CSVCell($0.test?.upper) },
    .column("method", "exact (every count vector), saddlepoint (Lugannani–Rice, exact cumulant generating function), chernoff (with-replacement Chernoff bound, valid without replacement by Hoeffding's theorem 4), screened (Berry–Esseen lower bound already above the level), zero-spread", unit: "1") {
      CSVCell($0.test?.method.rawValue ?? "")
    },
    .column("level", "per-tail level α/(2m) of the run", unit: "1") { CSVCell($0.test == nil ? nil : $0.record.evaluation.tailLevel) },
    .column("verdict", "C2 verdict of the coordinate: FAIL when a tail probability is at or below the level and the error exceeds its rounding", unit: "1") {
      CSVCell($0.verdict?.rawValue ?? "")
    },
  ])

  /// One coordinate of one cell of the sweep.
  struct CoordinateRow {
    var record: SweepEngine.Record
    var row: SweepEvaluation.Row
    var coordinate: Int

    /// C2's test of the coordinate; nil where the cell's bias is not judged.
    var test: TailTest? { row.biasTests.isEmpty ? nil : row.biasTests[coordinate] }

    /// √(Var ḡ_b,ⱼ/R), the exact null standard error of ēⱼ.
    var nullStandardError: Double? {
      row.law.map { ($0.coordinateVariance[coordinate] / Double(row.measurement.draws)).squareRoot() }
    }

    /// FAIL when a tail probability is at or below the level.
    var verdict: Verdict? { test.map { $0.rejection(level: record.evaluation.tailLevel) == 0 ? .pass : .fail } }
  }

  /// One row per case: the population's moments, the critical values, the fitted slopes (three columns per
  /// sampler of the spec) and the noise-scale estimators.
  static let populationSuffix = "-population"

  /// One case of the population table, with its slope fits (one per sampler that has one), each fitted once
  /// for its three columns.
  struct PopulationRow {
    var record: SweepEngine.Record
    var slopes: [SamplerKind: (slope: Double, halfWidth: Double, law: Double)]
  }

  var populationColumns: RecordTable<PopulationRow> {
    var fields: [RecordTable<PopulationRow>.Field] = [
      .column(.caseName) { CSVCell($0.record.caseName) },
      .column(.count) { CSVCell($0.record.population.count) },
      .column(.parameterCount) { CSVCell($0.record.population.dimension) },
      .column(Columns.traceSigmaN, "tr Σ_N (divisor N)", unit: "gradient²") { CSVCell($0.record.population.traceSigma) },
      .column(Columns.traceS2, "tr S² = N/(N−1) tr Σ_N", unit: "gradient²") {
        CSVCell($0.record.population.count > 1 ? $0.record.population.traceSigma * Double($0.record.population.count) / Double($0.record.population.count - 1) : .nan)
      },
      .column("grad_norm_sq", "‖g‖²", unit: "gradient²") { CSVCell($0.record.population.meanNormSquared) },
      .column("B_simple", "tr Σ_N/‖g‖², the simple gradient noise scale", unit: "1") { CSVCell($0.record.population.simpleNoiseScale) },
      .column(Columns.alpha, "family-wise level of the run's tests: P(any false FAIL) ≤ alpha", unit: "1") { CSVCell($0.record.evaluation.alpha) },
      .column("tests", "tests sharing α in the run (Bonferroni's m)", unit: "1") { CSVCell($0.record.evaluation.tests) },
      .column(.criticalZ) { CSVCell($0.record.evaluation.criticalZ) },
    ]
    for s in settings.samplers {
      let name = "slope_\(s.rawValue)"
      fields += [
        .column(name, "log-log slope of MSE against b, \(Self.samplerPhrase(s)), b ≤ N/8", unit: "1") {
          CSVCell($0.slopes[s]?.slope)
        },
        .column(
          "\(name)_ci95", "95% half-width of \(name) (exact null weights, widened by the Birge ratio for lack of fit)",
          unit: "1"
        ) { CSVCell($0.slopes[s]?.halfWidth) },
        .column("\(name)_law", "slope of the exact law over the same b, same weights (the reference for \(name))", unit: "1") {
          CSVCell($0.slopes[s]?.law)
        },
      ]
    }
    return RecordTable(suffix: Self.populationSuffix, fields + [
      .column("noise_b_small", "small batch of the two-batch noise-scale estimators", unit: "1") { CSVCell($0.record.noiseScale?.small) },
      .column("noise_b_big", "big batch of the two-batch noise-scale estimators", unit: "1") { CSVCell($0.record.noiseScale?.big) },
      .column("trace_S2_estimate", "mean of the two-batch estimator of tr S²", unit: "gradient²") { CSVCell($0.record.noiseScale?.traceEstimate) },
      .column("trace_S2_estimate_se", "its estimated standard error (reported)", unit: "gradient²") { CSVCell($0.record.noiseScale?.traceStandardError) },
      .column("trace_S2_z", "(estimate − tr S²)/exact null standard error", unit: "1") { CSVCell($0.record.noiseScale?.traceZ) },
      .column("grad_norm_sq_expected", "‖g‖² − tr S²/N, the estimator's exact expectation", unit: "gradient²") {
        CSVCell($0.record.noiseScale?.normExpected)
      },
      .column("grad_norm_sq_estimate", "mean of the two-batch estimator of ‖g‖²", unit: "gradient²") { CSVCell($0.record.noiseScale?.normEstimate) },
      .column("grad_norm_sq_estimate_se", "its estimated standard error (reported)", unit: "gradient²") { CSVCell($0.record.noiseScale?.normStandardError) },
      .column("grad_norm_sq_z", "(estimate − expected)/exact null standard error", unit: "1") { CSVCell($0.record.noiseScale?.normZ) },
      .column("noise_critical_z", "normal critical |z| of one tail for the noise-scale estimators (the run's one Bonferroni family)", unit: "1") {
        CSVCell($0.record.evaluation.criticalZ)
      },
    ])
  }

  /// "with replacement", "Poisson ÷ b", …: how the sampler draws, for the slope columns' descriptions.
  static func samplerPhrase(_ sampler: SamplerKind) -> String {
    switch sampler {
    case .withReplacement: "with replacement"
    case .withoutReplacement: "without replacement"
    case .poisson: "Poisson ÷ b"
    case .poissonRealized: "Poisson ÷ |B|"
    }
  }
}


/// The columns of the sweep's three tables: one row per cell, per case (the population's moments, the
/// fitted slopes and the noise-scale estimators), and per cell × coordinate.
extension SweepExperiment {
  static let sweepSchema = TableSchema([
    .caseName,
    .sampler,
    .batch,
    .count,
    .parameterCount,
    .draws,
    Column("mse_draws", "R₃, the draws whose squared errors mse averages: every draw at a fixed --draws R, the first R₃ (those C3's power needs, at least 20) with sweep's --draws auto; mse_se and mse_null_se are over R₃", unit: "1"),
    .meanSquaredError,
    Column("mse_se", "estimated standard error of mse, sd(‖e_r‖²)/√R₃ (reported; not used by the verdict)", unit: "gradient²"),
    .meanSquaredErrorNullSE,
    .theory,
    Column("ratio", "measured MSE over its theoretical value", unit: "1"),
    .varianceZ,
    Column("z_lower", "lower critical z of the cell: the deviation, in null standard errors, whose lower tail probability is the per-tail level", unit: "1"),
    Column("z_upper", "upper critical z of the cell, likewise", unit: "1"),
    Column("variance_p", "probability, under the cell's exact null law, of an MSE at least as far from the law on the side it fell (exact, saddlepoint or gamma: variance_method)", unit: "1"),
    Column("variance_method", "how variance_p was obtained: exact (every count vector), saddlepoint (Lugannani–Rice on the exact cumulant generating function), gamma (Pearson type III: exact variance, skewness of the mean exact or from the draws), screened (Berry–Esseen: certainly above the level; a lower bound), zero-spread (no spread: equal to the law up to rounding)", unit: "1"),
    Column("detectable_rel_dev", "smallest relative deviation of the MSE from its law detected with probability ½: max(z_upper, −z_lower)·mse_null_se/theory", unit: "1"),
    Column("variance_verdict", "C3 verdict of the cell", unit: "1"),
    Column("max_abs_bias_z", "maxⱼ |ēⱼ|/se(ēⱼ), se the exact null standard error", unit: "1"),
    Column("bias_norm", "‖ē‖, norm of the Monte Carlo mean error", unit: "gradient"),
    Column("bias_min_p", "the smallest tail probability over the cell's coordinates (see the coordinates table)", unit: "1"),
    Column("bias_worst_coordinate", "the coordinate with that smallest tail probability", unit: "1"),
    Column("detectable_rel_bias", "smallest bias of one coordinate, relative to ‖g‖∞, that the cell's C2 test detects with probability ½: max(z_upper, −z_lower)·se/‖g‖∞ for the coordinate with the largest null standard error se", unit: "1"),
    Column("bias_verdict", "C2 verdict of the cell", unit: "1"),
  ])

  static let coordinateSchema = TableSchema([
    .caseName,
    .sampler,
    .batch,
    .coordinate,
    Column("mean_error", "ēⱼ, Monte Carlo mean of (ḡ_b − g)ⱼ", unit: "gradient"),
    Column("mean_error_se", "exact null standard error of ēⱼ, √(Var ḡ_b,ⱼ/R)", unit: "gradient"),
    Column("z", "mean error over its exact null standard error", unit: "1"),
    Column("p_lower", "P(ēⱼ ≤ its value) under the exact null law, or an upper bound on it (method)", unit: "1"),
    Column("p_upper", "P(ēⱼ ≥ its value) likewise", unit: "1"),
    Column("method", "exact (every count vector), saddlepoint (Lugannani–Rice, exact cumulant generating function), chernoff (with-replacement Chernoff bound, valid without replacement by Hoeffding's theorem 4), screened (Berry–Esseen lower bound already above the level), zero-spread", unit: "1"),
    Column("level", "per-tail level α/(2m) of the run", unit: "1"),
    Column("verdict", "C2 verdict of the coordinate: FAIL when a tail probability is at or below the level and the error exceeds its rounding", unit: "1"),
  ])

  /// The population table's columns: the slopes' three columns come once per sampler of the spec.
  var populationSchema: TableSchema {
    var columns: [Column] = [
      .caseName,
      .count,
      .parameterCount,
      Column("trace_sigma_N", "tr Σ_N (divisor N)", unit: "gradient²"),
      Column("trace_S2", "tr S² = N/(N−1) tr Σ_N", unit: "gradient²"),
      Column("grad_norm_sq", "‖g‖²", unit: "gradient²"),
      Column("B_simple", "tr Σ_N/‖g‖², the simple gradient noise scale", unit: "1"),
      Column("alpha", "family-wise level of the run's tests: P(any false FAIL) ≤ alpha", unit: "1"),
      Column("tests", "tests sharing α in the run (Bonferroni's m)", unit: "1"),
      .criticalZ,
    ]
    for s in settings.samplers {
      let name = "slope_\(s.rawValue)"
      columns += [
        Column(name, "log-log slope of MSE against b, \(Self.samplerPhrase(s)), b ≤ N/8", unit: "1"),
        Column(
          "\(name)_ci95", "95% half-width of \(name) (exact null weights, widened by the Birge ratio for lack of fit)",
          unit: "1"),
        Column("\(name)_law", "slope of the exact law over the same b, same weights (the reference for \(name))", unit: "1"),
      ]
    }
    return TableSchema(columns + [
      Column("noise_b_small", "small batch of the two-batch noise-scale estimators", unit: "1"),
      Column("noise_b_big", "big batch of the two-batch noise-scale estimators", unit: "1"),
      Column("trace_S2_estimate", "mean of the two-batch estimator of tr S²", unit: "gradient²"),
      Column("trace_S2_estimate_se", "its estimated standard error (reported)", unit: "gradient²"),
      Column("trace_S2_z", "(estimate − tr S²)/exact null standard error", unit: "1"),
      Column("grad_norm_sq_expected", "‖g‖² − tr S²/N, the estimator's exact expectation", unit: "gradient²"),
      Column("grad_norm_sq_estimate", "mean of the two-batch estimator of ‖g‖²", unit: "gradient²"),
      Column("grad_norm_sq_estimate_se", "its estimated standard error (reported)", unit: "gradient²"),
      Column("grad_norm_sq_z", "(estimate − expected)/exact null standard error", unit: "1"),
      Column("noise_critical_z", "normal critical |z| of one tail for the noise-scale estimators (the run's one Bonferroni family)", unit: "1"),
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

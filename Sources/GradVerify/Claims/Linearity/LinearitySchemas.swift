
/// The columns of C1's two tables: one row per case, and the halving sequence of every case.
extension LinearityExperiment {
  static let schema = TableSchema([
    .caseName,
    Column("model", "model and its settings (hidden width H, L2 strength)", unit: "1"),
    Column("dataset", "data set name", unit: "1"),
    Column("standardized", "features standardised (mean 0, population sd 1)", unit: "1"),
    Column("point", "name of the seeded parameter point", unit: "1"),
    Column("scale", "s in θⱼ = s·N(0,1)", unit: "parameter"),
    .count,
    .parameterCount,
    Column("cost", "C(θ), the average loss at the point", unit: "loss"),
    Column("max_abs_error", "maxⱼ |Dⱼ − gⱼ|: 5-point difference of the cost against the averaged analytic gradient", unit: "gradient"),
    Column("max_rel_error", "maxⱼ |Dⱼ − gⱼ| / ‖g‖∞", unit: "1"),
    Column("max_error_estimate", "largest per-coordinate error estimate Ê (truncation + rounding + step)", unit: "gradient"),
    Column("refined_steps", "coordinates whose step was refined to balance truncation against rounding", unit: "1"),
    Column("worst_coordinate", "coordinate with the largest |Dⱼ − gⱼ|/τⱼ (0-based, θ layout)", unit: "1"),
    Column("halving_ratio_1", "third-last error ratio e(h)/e(h/2) in the truncation regime (empty: none)", unit: "1"),
    Column("halving_ratio_2", "second-last error ratio e(h)/e(h/2) in the truncation regime", unit: "1"),
    Column("halving_ratio_3", "last error ratio e(h)/e(h/2) in the truncation regime (4 for a correct gradient)", unit: "1"),
    Column("halving_verdict", "PASS if the last regime ratio is in [3.5, 4.5] or there is no truncation regime", unit: "1"),
    Column("complex_step_rel_error", "maxⱼ |CSⱼ − gⱼ| / ‖g‖∞, complex step h = 1e-20", unit: "1"),
    Column("per_example_max_rel_error", "max over examples of ‖Dᵢ − Gᵢ‖∞/‖Gᵢ‖∞ (5-point, per example)", unit: "1"),
    Column("per_example_complex_step_max_rel_error", "max over examples of ‖CSᵢ − Gᵢ‖∞/‖Gᵢ‖∞", unit: "1"),
    Column("ad_rel_error", "maxⱼ |aⱼ − gⱼ| / ‖g‖∞, a the average of Swift's reverse-mode automatic gradients (empty: toolchain without _Differentiation)", unit: "1"),
    Column("per_example_ad_max_rel_error", "max over examples of ‖Aᵢ − Gᵢ‖∞/‖Gᵢ‖∞, automatic differentiation", unit: "1"),
    Column("per_example_failures", "per-example gradient entries that fail", unit: "1"),
    Column("complex_step_failures", "entries outside the complex-step rounding bound", unit: "1"),
    Column("ad_failures", "entries outside the rounding bound against automatic differentiation", unit: "1"),
    Column("inconclusive_resolved", "entries the 5-point tolerance could not resolve, decided by complex step", unit: "1"),
    Column("inconclusive_unresolved", "entries left unresolved", unit: "1"),
    Column("five_point_overruled", "entries whose 5-point difference missed its error estimate while the complex step, resolving 1e-6, agreed", unit: "1"),
    Column("verdict", "PASS, FAIL or INCONCLUSIVE", unit: "1"),
  ])

  static let halvingSchema = TableSchema([
    .caseName,
    .coordinate,
    Column("step", "finite-difference step h", unit: "parameter"),
    Column("error", "|D₃(h) − gⱼ|: error of the 3-point central difference at step h", unit: "gradient"),
    Column("rounding_bound", "bound on the rounding error of the difference at this step", unit: "gradient"),
    Column("truncation_regime", "error ≥ 100 × rounding bound", unit: "1"),
  ])
}

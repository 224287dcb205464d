
/// C1's two tables, each column declared with the cell that fills it: one row per case, and the halving
/// sequence of every case.
extension LinearityExperiment {
  static let caseTable = RecordTable<Record>([
    .column(.caseName) { CSVCell($0.caseName) },
    .column("model", "model and its settings (hidden width H, L2 strength)", unit: "1") { CSVCell($0.model.name) },
    .column("dataset", "data set name", unit: "1") { CSVCell($0.dataset) },
    .column("standardized", "features standardised (mean 0, population sd 1)", unit: "1") { CSVCell($0.standardization != nil) },
    .column("point", "name of the seeded parameter point", unit: "1") { CSVCell($0.point.name) },
    .column("scale", "s in θⱼ = s·N(0,1)", unit: "parameter") { CSVCell($0.point.scale) },
    .column(.count) { CSVCell($0.check.count) },
    .column(.parameterCount) { CSVCell($0.check.parameterCount) },
    .column("cost", "C(θ), the average loss at the point", unit: "loss") { CSVCell($0.check.cost) },
    .column("max_abs_error", "maxⱼ |Dⱼ − gⱼ|: 5-point difference of the cost against the averaged analytic gradient", unit: "gradient") {
      CSVCell($0.check.maxAbsoluteError)
    },
    .column("max_rel_error", "maxⱼ |Dⱼ − gⱼ| / ‖g‖∞", unit: "1") { CSVCell($0.check.maxRelativeError) },
    .column("max_error_estimate", "largest per-coordinate error estimate Ê (truncation + rounding + step)", unit: "gradient") {
      CSVCell($0.check.maxErrorEstimate)
    },
    .column("refined_steps", "coordinates whose step was refined to balance truncation against rounding", unit: "1") {
      CSVCell($0.check.refinedSteps)
    },
    .column("worst_coordinate", "coordinate with the largest |Dⱼ − gⱼ|/τⱼ (0-based, θ layout)", unit: "1") { CSVCell($0.check.worstCoordinate) },
    .column("halving_ratio_1", "third-last error ratio e(h)/e(h/2) in the truncation regime (empty: none)", unit: "1") {
      CSVCell(Self.reportedRatio(0, of: $0.check))
    },
    .column("halving_ratio_2", "second-last error ratio e(h)/e(h/2) in the truncation regime", unit: "1") {
      CSVCell(Self.reportedRatio(1, of: $0.check))
    },
    .column("halving_ratio_3", "last error ratio e(h)/e(h/2) in the truncation regime (4 for a correct gradient)", unit: "1") {
      CSVCell(Self.reportedRatio(2, of: $0.check))
    },
    .column("halving_verdict", "PASS if the last regime ratio is in [3.5, 4.5] or there is no truncation regime", unit: "1") {
      CSVCell($0.check.halvingOverruled ? "not asymptotic" : $0.check.halving.verdict.rawValue)
    },
    .column("complex_step_rel_error", "maxⱼ |CSⱼ − gⱼ| / ‖g‖∞, complex step h = 1e-20", unit: "1") { CSVCell($0.check.complexStepRelativeError) },
    .column("per_example_max_rel_error", "max over examples of ‖Dᵢ − Gᵢ‖∞/‖Gᵢ‖∞ (5-point, per example)", unit: "1") {
      CSVCell($0.check.perExampleMaxRelativeError)
    },
    .column("per_example_complex_step_max_rel_error", "max over examples of ‖CSᵢ − Gᵢ‖∞/‖Gᵢ‖∞", unit: "1") {
      CSVCell($0.check.perExampleComplexStepMaxRelativeError)
    },
    .column("ad_rel_error", "maxⱼ |aⱼ − gⱼ| / ‖g‖∞, a the average of Swift's reverse-mode automatic gradients (empty: toolchain without _Differentiation)", unit: "1") {
      CSVCell($0.check.automatic?.relativeError)
    },
    .column("per_example_ad_max_rel_error", "max over examples of ‖Aᵢ − Gᵢ‖∞/‖Gᵢ‖∞, automatic differentiation", unit: "1") {
      CSVCell($0.check.automatic?.perExampleMaxRelativeError)
    },
    .column("per_example_failures", "per-example gradient entries that fail", unit: "1") { CSVCell($0.check.perExampleFailures) },
    .column("complex_step_failures", "entries outside the complex-step rounding bound", unit: "1") { CSVCell($0.check.complexStepFailures) },
    .column("ad_failures", "entries outside the rounding bound against automatic differentiation", unit: "1") {
      CSVCell($0.check.automatic?.failures)
    },
    .column("inconclusive_resolved", "entries the 5-point tolerance could not resolve, decided by complex step", unit: "1") {
      CSVCell($0.check.inconclusiveResolved)
    },
    .column("inconclusive_unresolved", "entries left unresolved", unit: "1") { CSVCell($0.check.inconclusiveUnresolved) },
    .column("five_point_overruled", "entries whose 5-point difference missed its error estimate while the complex step, resolving 1e-6, agreed", unit: "1") {
      CSVCell($0.check.fivePointOverruled)
    },
    .column("verdict", "PASS, FAIL or INCONCLUSIVE", unit: "1") { CSVCell($0.check.verdict.rawValue) },
  ])

  /// The halving table's columns its figure reads, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case step, error, roundingBound = "rounding_bound", truncationRegime = "truncation_regime"
  }

  static let halvingStepTable = RecordTable<(caseName: String, coordinate: Int, step: HalvingTest.Step)>(suffix: "-halving", [
    .column(.caseName) { CSVCell($0.caseName) },
    .column(.coordinate) { CSVCell($0.coordinate) },
    .column(Columns.step, "finite-difference step h", unit: "parameter") { CSVCell($0.step.step) },
    .column(Columns.error, "|D₃(h) − gⱼ|: error of the 3-point central difference at step h", unit: "gradient") { CSVCell($0.step.error) },
    .column(Columns.roundingBound, "bound on the rounding error of the difference at this step", unit: "gradient") { CSVCell($0.step.roundingBound) },
    .column(Columns.truncationRegime, "error ≥ 100 × rounding bound", unit: "1") {
      CSVCell($0.step.error >= HalvingTest.regimeFactor * $0.step.roundingBound)
    },
  ])
}


/// Power of the variance law (C3-convention): at N = 100 the two classic convention bugs move E‖ḡ_b − g‖²
/// by only about 1%, and a sweep that is to tell the law from them needs cells whose detectable deviation is
/// well below that. The same draws are judged against the exact law and against each bug.
///
/// ```
/// exact law                 with: tr Σ_N/b          without: (N − b)/(N − 1) · tr Σ_N/b
/// S² with replacement       tr S²/b = N/(N − 1) × exact                 (+1/(N − 1): +1.01% at N = 100)
/// (1 − b/N) Σ_N without     (1 − b/N) tr Σ_N/b = (N − 1)/N × exact      (−1/N: −1.00%)
/// shift of a cell's z under a bug: λ = (theory_bug − theory)/se,  se = √(Var e / R) exact
/// power of one cell:  P(z − λ ∉ [lower, upper]) = F(lower + λ) + 1 − F(upper + λ)   (F: Edgeworth, the cell's γ)
/// power of the claim: 1 − Π_cells (1 − power of the cell)     (cells draw from independent streams)
/// ```
/// The exact law's cells are the run's tests (Bonferroni over them at the spec's α); the bug verdicts are
/// negative controls: FAILS-AS-PREDICTED when a cell rejects the bug while the exact law holds in every cell.
///
/// Spec keys: `draws`, `alpha`, `samplers` (of which `with` and `without` are used) and `batch_sizes`.
package struct ConventionExperiment: SweepSettingsExperiment {
  public static let claim = "C3-convention"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case law = "C3-law", convention = "C3-convention" }
  public static let statement =
    "The variance law has the power to tell itself from the two classic convention bugs at N = 100, where each moves the expected squared error by about 1%."

  /// One case's draws, not yet judged.
  public struct Measured: Sendable {
    public var caseName: String
    public var population: GradientPopulation
    public var measurements: [CellMeasurement]

    public init(caseName: String, population: GradientPopulation, measurements: [CellMeasurement]) {
      self.caseName = caseName
      self.population = population
      self.measurements = measurements
    }
  }

  /// One case judged: the exact law, and each bug with the sampler it belongs to.
  public struct Record: Sendable {
    public var caseName: String
    public var population: GradientPopulation
    public var exact: SweepEvaluation
    public var bugs: [(convention: VarianceConvention, sampler: SamplerKind, evaluation: SweepEvaluation)]
  }

  /// Every case judged with m = every cell of the run.
  public typealias Result = CaseResults<Record>

  /// The bugs tested and the sampler each one concerns.
  public static let bugs: [(VarianceConvention, SamplerKind, String)] = [
    (.sampleCovarianceWithReplacement, .withReplacement, "S^2 with replacement"),
    (.finitePopulationOnSigmaN, .withoutReplacement, "(1-b/N) Sigma_N without"),
  ]

  public var settings: SweepSettings

  public init(settings: SweepSettings) { self.settings = settings }

  public var method: String {
    "One sweep's draws (R = \(settings.draws) per cell) are judged against the exact law and against tr S²/b (with replacement) and (1 − b/N) tr Σ_N/b (without); each cell's power against a bug follows from the exact null law, and the claim's from the product over independent cells."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    evaluate(try input.map { p throws(InputError) in
      try measure(model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed, threads: input.threads)
    })
  }

  func measure(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, threads: Int
  ) throws(InputError) -> Measured {
    let (name, population) = try GradientVisitor.seededPopulation(
      model: model, data: data, source: source, point: point, seed: seed)
    let cells = try settings.cells(count: data.count, source: source, statisticalOnly: true)
      .filter { $0.sampler == .withReplacement || $0.sampler == .withoutReplacement }
    guard !cells.isEmpty else { throw InputError("\(source): C3-convention needs the samplers 'with' and 'without'") }
    let measurements = MiniBatchSweep.run(
      population: population, cells: cells, draws: settings.draws, seed: seed, name: "convention/\(name)", threads: threads)
    return Measured(caseName: name, population: population, measurements: measurements)
  }

  /// Judges every case: the exact law with m = every cell of the run; each bug on the same draws.
  public func evaluate(_ measured: [Measured]) -> Result {
    let tests = measured.reduce(0) { $0 + $1.measurements.count }
    return Result(records: measured.map { r in
      let moments = PopulationMoments(r.population)
      let exact = SweepEvaluation(
        measurements: r.measurements, population: r.population, alpha: settings.alpha, runTests: tests, moments: moments)
      let bugs = Self.bugs.map { bug, sampler, _ in
        let cells = r.measurements.filter { $0.cell.sampler == sampler }
        return (bug, sampler, SweepEvaluation(
          measurements: cells, population: r.population, alpha: settings.alpha, convention: bug, runTests: tests,
          moments: moments))
      }
      return Record(caseName: r.caseName, population: r.population, exact: exact, bugs: bugs)
    })
  }

  /// The predicted probability that a cell rejects `bugRow`'s theory, from the exact cell's law.
  static func power(exact: SweepEvaluation.Row, bug: SweepEvaluation.Row) -> Double? {
    guard let t = exact.theory, let tb = bug.theory, let se = exact.nullStandardError, se > 0,
      let c = exact.varianceCritical
    else { return nil }
    let lambda = (tb - t) / se
    return normalCDF(c.lower + lambda) + 1 - normalCDF(c.upper + lambda)
  }

  /// The size of a bug, measured against predicted. Each cell c estimates the relative deviation of the true
  /// MSE from the bug's theory, δ̂_c = MSE_c/theory_bug,c − 1 (standard error se_c/theory_bug,c, se_c the
  /// exact law's null standard error); the law predicts δ_c = theory_c/theory_bug,c − 1 (−1/N for tr S²/b,
  /// +1/(N − 1) for (1 − b/N)Σ_N). Pooled with inverse-variance weights w_c:
  ///
  /// ```
  /// δ̂ = Σ w_c δ̂_c / Σ w_c,   δ = Σ w_c δ_c / Σ w_c,   SE = 1/√(Σ w_c),   z = (δ̂ − δ)/SE
  /// ```
  /// The bug's size and direction are as predicted when |z| ≤ z* (the run's critical value; the pooled mean of
  /// many cells' means is close to normal); an MSE off the other way, or by another amount, is not.
  public struct SizeCheck: Sendable {
    public var measured: Double
    public var predicted: Double
    public var standardError: Double
    public var z: Double { (measured - predicted) / standardError }
  }

  public static func sizeCheck(_ pairs: [(SweepEvaluation.Row, SweepEvaluation.Row)]) -> SizeCheck? {
    var weights = 0.0, measured = 0.0, predicted = 0.0
    for (exact, bug) in pairs {
      guard let t = exact.theory, let tb = bug.theory, tb > 0, let se = exact.nullStandardError, se > 0 else { continue }
      let w = (tb / se) * (tb / se)
      weights += w
      measured += w * (exact.measurement.meanSquaredError / tb - 1)
      predicted += w * (t / tb - 1)
    }
    guard weights > 0 else { return nil }
    return SizeCheck(measured: measured / weights, predicted: predicted / weights, standardError: 1 / weights.squareRoot())
  }

  /// 1 − Π (1 − power) over a bug's cells.
  static func claimPower(_ pairs: [(SweepEvaluation.Row, SweepEvaluation.Row)]) -> Double {
    1 - pairs.reduce(1.0) { $0 * (1 - (power(exact: $1.0, bug: $1.1) ?? 0)) }
  }

  /// The exact row of the same cell as `row`.
  static func exactRow(_ exact: SweepEvaluation, for row: SweepEvaluation.Row) -> SweepEvaluation.Row? {
    exact.rows.first { $0.measurement.cell == row.measurement.cell }
  }

  /// One judged cell: a case's cell under the exact law or under a bug, with the exact law's row of the same
  /// cell for a bug.
  struct JudgedCell {
    var caseName: String
    var count: Int
    var convention: VarianceConvention
    var row: SweepEvaluation.Row
    var exactRow: SweepEvaluation.Row?

    /// How far the bug moves the cell's z: (theory_bug − theory)/mse_null_se.
    var shift: Double? {
      guard let e = exactRow, let t = e.theory, let tb = row.theory, let se = e.nullStandardError, se > 0 else { return nil }
      return (tb - t) / se
    }
  }

  /// One row per case × cell × convention: the exact law's rows, then each bug's.
  static let table = RecordTable<JudgedCell>([
    .column(.caseName) { CSVCell($0.caseName) },
    .column(.sampler) { CSVCell($0.row.measurement.cell.sampler.rawValue) },
    .column(.batch) { CSVCell($0.row.measurement.cell.batch) },
    .column(.count) { CSVCell($0.count) },
    .column(.draws) { CSVCell($0.row.measurement.draws) },
    .column(
      "convention",
      "exact (the law), sampleCovarianceWithReplacement (tr S²/b) or finitePopulationOnSigmaN ((1 − b/N) tr Σ_N/b)",
      unit: "1"
    ) { CSVCell($0.convention.rawValue) },
    .column(.theory) { CSVCell($0.row.theory) },
    .column(.meanSquaredError) { CSVCell($0.row.measurement.meanSquaredError) },
    .column(.meanSquaredErrorNullSE) { CSVCell($0.row.nullStandardError) },
    .column("ratio", "measured MSE over the theory of the row's convention", unit: "1") { CSVCell($0.row.ratio) },
    .column(.varianceZ) { CSVCell($0.row.varianceZ) },
    .column(.lowerCriticalZ) { CSVCell($0.row.varianceCritical?.lower) },
    .column(.upperCriticalZ) { CSVCell($0.row.varianceCritical?.upper) },
    .column("shift_se", "how far the bug moves the cell's z: (theory_bug − theory)/mse_null_se", unit: "1") { CSVCell($0.shift) },
    .column(
      "predicted_power", "probability that the cell rejects the bug, from the exact law (Edgeworth, the cell's skewness)",
      unit: "1"
    ) { c in CSVCell(c.exactRow.flatMap { Self.power(exact: $0, bug: c.row) }) },
    .column(
      "variance_verdict", "C3 verdict of the cell against the row's convention (a bug row that FAILs is caught)", unit: "1"
    ) { CSVCell($0.row.varianceVerdict?.rawValue ?? "") },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [Self.table.filled(with: result.records.flatMap { r in
      let count = r.population.count
      return r.exact.rows.map { JudgedCell(caseName: r.caseName, count: count, convention: .exact, row: $0) }
        + r.bugs.flatMap { b in
          b.evaluation.rows.map {
            JudgedCell(caseName: r.caseName, count: count, convention: b.convention, row: $0, exactRow: Self.exactRow(r.exact, for: $0))
          }
        }
    })]
  }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    for r in result.records {
      let exact = r.exact
      let verdict = exact.rows.compactMap(\.varianceVerdict).max() ?? .inconclusive
      let best = exact.rows.compactMap(\.detectableRelativeDeviation).min() ?? .nan
      let worst = exact.rows.compactMap { $0.varianceZ.map(Swift.abs) }.max() ?? 0
      rows.append(VerdictRow(
        claim: VerdictClaims.law, caseName: r.caseName,
        keyFigure: "exact law in \(exact.rows.count) cells, max|z| \(rounded2(worst)); detects a relative deviation of \(shortScientific(best))",
        verdict: verdict))
      for (b, (_, _, label)) in zip(r.bugs, Self.bugs) {
        let pairs = b.evaluation.rows.compactMap { row in Self.exactRow(exact, for: row).map { ($0, row) } }
        let rejected = b.evaluation.rows.filter { $0.varianceVerdict == .fail }.count
        let power = Self.claimPower(pairs)
        let ratio = pairs.first.flatMap { e, w in w.theory.flatMap { tb in e.theory.map { tb / $0 - 1 } } } ?? .nan
        let size = Self.sizeCheck(pairs)
        let sizeText = size.map {
          "; MSE vs the bug's theory \(signedScientific($0.measured)) ± \(shortScientific($0.standardError)) (predicted \(signedScientific($0.predicted)), z \(rounded2($0.z)), critical \(rounded2(exact.criticalZ)))"
        } ?? "; no cell to size it"
        rows.append(VerdictRow(
          claim: VerdictClaims.convention, caseName: "\(r.caseName) \(label)",
          keyFigure: "bug \(signedScientific(ratio)): \(rejected) of \(pairs.count) cells reject it, predicted power \(rounded3(power))\(sizeText)",
          verdict: .control(broke: rejected > 0, sizeAsPredicted: size.map { Swift.abs($0.z) <= exact.criticalZ } ?? false)))
      }
    }
    return rows
  }
}

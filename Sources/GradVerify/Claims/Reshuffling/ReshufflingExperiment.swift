import Foundation

/// RR: one epoch of random reshuffling. The control: two batches of one epoch are not independent
/// estimates (covariance −Σ_N/(N − 1)); the twin: independent batches (covariance 0); the claims: the
/// running mean follows the without-replacement law and ends exactly at g.
///
/// Spec keys: `reshuffling` (`ReshufflingSettings`) and `alpha`.
package struct ReshufflingExperiment: SettingsExperiment {
  public static let claim = "RR"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case covariance = "RR", twin = "RR-twin", runningMSE = "RR-mse", endOfEpoch = "RR-end" }
  public static let settingsKey = "reshuffling"
  public static let tableSuffixes = [pairTable.suffix, runningTable.suffix]
  public static let statement =
    "The batches of one random-reshuffling epoch are disjoint simple random samples: two of them covary by −Σ_N/(N − 1) (0 when drawn independently), and the running mean of the first k batches is a without-replacement sample of kb, exactly g at the end of the epoch."

  public typealias Record = CaseRecord<ReshufflingControl>

  public typealias Result = CaseResults<Record>

  public let configuration: LeveledSettings<ReshufflingSettings>
  public init(_ configuration: LeveledSettings<ReshufflingSettings>) { self.configuration = configuration }

  public var method: String {
    "\(settings.epochs) epochs, each a uniform permutation cut into batches of b = \(settings.batch) (the last shorter), every running sum exact. The mean of (ḡ_{B_1} − g)·(ḡ_{B_2} − g) is judged against −tr Σ_N/(N − 1), and against 0 with B_2 drawn independently, with the Monte Carlo standard error; the running mean's squared error after each full batch against (N − m)/(N − 1)·tr Σ_N/m with its exact null variance; the epoch's mean must equal g to the bit."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    let cases = try input.map { p throws(InputError) in
      let (name, population) = try GradientVisitor.seededPopulation(
        model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed)
      guard 2 * settings.batch <= population.count else {
        throw InputError("\(Self.claim) \(name): two batches of \(settings.batch) do not fit in one epoch of N = \(population.count); lower 'batch'")
      }
      return (name, population)
    }
    // Per case: the control, the twin, and one test per checkpoint.
    let tests = cases.reduce(0) { $0 + 2 + settings.checkpoints(count: $1.1.count).count }
    let critical = bonferroniCriticalZ(familyWiseAlpha: level, tests: Swift.max(1, tests))
    return Result(records: cases.map { name, population in
      Record(caseName: name, control: ReshufflingControl(
        population: population, batch: settings.batch, epochs: settings.epochs,
        checkpointBatches: settings.checkpoints(count: population.count), seed: input.seed, name: name,
        criticalZ: critical, threads: input.threads))
    })
  }

  /// The two pairs of batches, by the name the pair table gives them.
  enum Pair: String { case sameEpoch = "same-epoch", independent }

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case pair, covariance, prediction, epochsNotEndingAtG = "epochs_not_ending_at_g", examplesSeen = "m"
  }

  /// One row per case × pair of batches: their covariance against the law's.
  static let pairTable = RecordTable<(record: Record, pair: Pair, test: ReshufflingControl.MeanTest)>([
    .column(.caseName) { CSVCell($0.record.caseName) },
    .column(.count) { CSVCell($0.record.control.count) },
    .column(.batch) { CSVCell($0.record.control.batch) },
    .column("epochs", "epochs drawn", unit: "1") { CSVCell($0.record.control.epochs) },
    .column(Columns.pair, "the two batches: same-epoch (B_1, B_2 of one permutation) or independent", unit: "1") { CSVCell($0.pair.rawValue) },
    .column(Columns.covariance, "mean of (ḡ_{B_1} − g)·(ḡ_{B_2} − g)", unit: "gradient²") { CSVCell($0.test.mean) },
    .column("se", "Monte Carlo standard error of covariance", unit: "gradient²") { CSVCell($0.test.standardError) },
    .column(Columns.prediction, "−tr Σ_N/(N − 1) for one epoch, 0 for independent batches", unit: "gradient²") { CSVCell($0.test.prediction) },
    .column("z", "(covariance − prediction)/se", unit: "1") { CSVCell(($0.test.mean - $0.test.prediction) / $0.test.standardError) },
    .column(.criticalZ) { CSVCell($0.test.criticalZ) },
    .column(Columns.epochsNotEndingAtG, "epochs whose final mean differed from g in some bit", unit: "1") {
      CSVCell($0.record.control.epochsNotEndingAtG)
    },
  ])

  /// One row per case × checkpoint: the running mean's squared error against the without-replacement law.
  static let runningTable = RecordTable<(record: Record, checkpoint: ReshufflingControl.Checkpoint)>(suffix: "-running", [
    .column(.caseName) { CSVCell($0.record.caseName) },
    .column(.count) { CSVCell($0.record.control.count) },
    .column(.batch) { CSVCell($0.record.control.batch) },
    .column("k", "batches seen", unit: "1") { CSVCell($0.checkpoint.batches) },
    .column(Columns.examplesSeen, "examples seen, k·b", unit: "1") { CSVCell($0.checkpoint.examples) },
    .column("epochs", "epochs drawn", unit: "1") { CSVCell($0.record.control.epochs) },
    .column(.meanSquaredError.described("Monte Carlo mean of ‖ḡ_m − g‖² over epochs")) { CSVCell($0.checkpoint.meanSquaredError) },
    .column(.theory.described("(N − m)/(N − 1) · tr Σ_N/m, the without-replacement law")) { CSVCell($0.checkpoint.law.mean) },
    .column(.meanSquaredErrorNullSE) { CSVCell($0.checkpoint.nullStandardError) },
    .column(.varianceZ) { CSVCell($0.checkpoint.z) },
    .column(.lowerCriticalZ) { CSVCell($0.checkpoint.critical.lower) },
    .column(.upperCriticalZ) { CSVCell($0.checkpoint.critical.upper) },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [
      Self.pairTable.filled(with: result.records.flatMap { r in
        [(r, Pair.sameEpoch, r.control.epochPair), (r, Pair.independent, r.control.independentPair)]
      }),
      Self.runningTable.filled(with: result.records.flatMap { r in r.control.checkpoints.map { (r, $0) } }),
    ]
  }

  static func short(_ x: Double) -> String { String(format: "%.3g", x) }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    result.records.flatMap { r -> [VerdictRow] in
      let c = r.control
      let z = rounded2(c.epochPair.criticalZ)
      let ratios = c.checkpoints.map { $0.meanSquaredError / $0.law.mean }
      let worst = c.checkpoints.map { Swift.abs($0.z) }.max() ?? 0
      return [
        VerdictRow(
          claim: VerdictClaims.covariance, caseName: "\(r.caseName) b=\(c.batch) same epoch",
          keyFigure: "cov(B1, B2) \(Self.short(c.epochPair.mean)), predicted -tr S/(N-1) = \(Self.short(c.epochPair.prediction)) (z \(rounded2(c.epochPair.z)), |cov|/se \(rounded2(c.epochPair.zeroZ)), critical \(z))",
          verdict: c.epochPair.controlVerdict),
        VerdictRow(
          claim: VerdictClaims.twin, caseName: "\(r.caseName) b=\(c.batch) independent",
          keyFigure: "cov(B1, B2') \(Self.short(c.independentPair.mean)), predicted 0 (z \(rounded2(c.independentPair.z)) <= \(z))",
          verdict: c.independentPair.claimVerdict),
        VerdictRow(
          claim: VerdictClaims.runningMSE, caseName: "\(r.caseName) b=\(c.batch) k=1..\(c.checkpoints.count)",
          keyFigure: "running-mean MSE/law \(rounded3(ratios.min() ?? .nan))..\(rounded3(ratios.max() ?? .nan)), max|z| \(rounded2(worst)) (critical \(z))",
          verdict: c.runningMeanVerdict),
        VerdictRow(
          claim: VerdictClaims.endOfEpoch, caseName: "\(r.caseName) b=\(c.batch) end of epoch",
          keyFigure: "epoch mean == g to the bit in \(c.epochs - c.epochsNotEndingAtG)/\(c.epochs) epochs",
          verdict: c.endVerdict),
      ]
    }
  }
}

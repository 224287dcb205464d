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
  public static let tableSuffixes = ["", "-running"]
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

  static let pairSchema = TableSchema([
    .caseName, .count, .batch, Column("epochs", "epochs drawn", unit: "1"),
    Column("pair", "the two batches: same-epoch (B_1, B_2 of one permutation) or independent", unit: "1"),
    Column("covariance", "mean of (ḡ_{B_1} − g)·(ḡ_{B_2} − g)", unit: "gradient²"),
    Column("se", "Monte Carlo standard error of covariance", unit: "gradient²"),
    Column("prediction", "−tr Σ_N/(N − 1) for one epoch, 0 for independent batches", unit: "gradient²"),
    Column("z", "(covariance − prediction)/se", unit: "1"), .criticalZ,
    Column("epochs_not_ending_at_g", "epochs whose final mean differed from g in some bit", unit: "1"),
  ])

  static let runningSchema = TableSchema([
    .caseName, .count, .batch, Column("k", "batches seen", unit: "1"), Column("m", "examples seen, k·b", unit: "1"),
    Column("epochs", "epochs drawn", unit: "1"), .meanSquaredError.described( "Monte Carlo mean of ‖ḡ_m − g‖² over epochs"),
    .theory.described( "(N − m)/(N − 1) · tr Σ_N/m, the without-replacement law"), .meanSquaredErrorNullSE,
    .varianceZ, .lowerCriticalZ, .upperCriticalZ,
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    var pairs = SchemaTable(Self.pairSchema)
    var running = SchemaTable(Self.runningSchema)
    for r in result.records {
      let c = r.control
      for (name, t) in [("same-epoch", c.epochPair), ("independent", c.independentPair)] {
        pairs.append([
          CSVCell(r.caseName), CSVCell(c.count), CSVCell(c.batch), CSVCell(c.epochs), CSVCell(name), CSVCell(t.mean),
          CSVCell(t.standardError), CSVCell(t.prediction), CSVCell((t.mean - t.prediction) / t.standardError),
          CSVCell(t.criticalZ), CSVCell(c.epochsNotEndingAtG),
        ])
      }
      for k in c.checkpoints {
        running.append([
          CSVCell(r.caseName), CSVCell(c.count), CSVCell(c.batch), CSVCell(k.batches), CSVCell(k.examples),
          CSVCell(c.epochs), CSVCell(k.meanSquaredError), CSVCell(k.law.mean), CSVCell(k.nullStandardError), CSVCell(k.z),
          CSVCell(k.critical.lower), CSVCell(k.critical.upper),
        ])
      }
    }
    return [pairs, running]
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

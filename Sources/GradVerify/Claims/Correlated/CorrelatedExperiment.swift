
/// Negative control N1: correlated or unshuffled samples, on data sorted by target (and its shuffled twin),
/// and on an AR(1) sequence sampled in circular windows.
///
/// Spec keys: `draws`, `alpha`, `batch_sizes` (nil: the divisors of N) and `ar1` (`AR1Settings`).
package struct CorrelatedExperiment: Experiment {
  public static let claim = "N1"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case firstRows = "N1a", alignedBlocks = "N1b", alignedBias = "N1b-C2", shuffledBias = "N1e-C2", shuffledTwin = "N1e-twin", slidingWindows = "N1c", ar1Windows = "N1d" }
  public static let keys = ["draws", "alpha", "batch_sizes", "ar1"]
  public static let statement =
    "Correlated or unshuffled samples break the claim: contiguous blocks of sorted data are biased or over-dispersed, and shuffling once restores the law."

  public struct Record: Sendable {
    public var caseName: String
    /// The order the sampler walked: "sorted", "shuffled" or "ar1".
    public var order: String
    public var measurement: ContiguousMeasurement
    /// For AR(1): the process value 1 + 2 Σ_{k<b} (1 − k/b) φᵏ.
    public var processDesignEffect: Double?

    /// The design effects against the record's reference (the iid value for AR(1)).
    var designEffects: (measured: Double, se: Double, exact: Double) {
      measurement.designEffects(independentReference: order == Self.ar1Order)
    }

    /// The order of an AR(1) record.
    static let ar1Order = "ar1"

    /// The MSE the design effects are taken against: simple random sampling's, or the iid σ²/b for AR(1).
    var referenceMSE: Double { order == Self.ar1Order ? measurement.independentMSE : measurement.simpleRandomMSE }

    /// max |Σ(πᵢ/b − 1/N)gᵢ − enumerated bias| where the sampler has the formula (sliding windows).
    var formulaBiasError: Double? {
      measurement.formulaBias.map { f in zip(f, measurement.exactBias).map { Swift.abs($0 - $1) }.max() ?? 0 }
    }
  }

  /// Every measurement of the run, in spec order (the AR(1) windows last).
  public struct Result: Sendable {
    public let records: [Record]
    public init(records: [Record]) { self.records = records }

    /// Bonferroni's m: each record's bias coordinates and its variance.
    public var tests: Int { records.reduce(0) { $0 + $1.measurement.exactBias.count + 1 } }
  }

  public var sweep: SweepSettings
  public var ar1: AR1Settings?

  public init(draws: Int, alpha: Double, batchSizes: [Int]? = nil, ar1: AR1Settings? = nil) {
    sweep = SweepSettings()
    sweep.draws = draws
    sweep.alpha = alpha
    sweep.batchSizes = batchSizes
    self.ar1 = ar1
  }

  enum Keys: String, CodingKey { case ar1 }

  public init(settingsFrom decoder: any Decoder) throws {
    sweep = try SweepSettings(from: decoder, keys: [.draws, .alpha, .batchSizes])
    ar1 = try decoder.container(keyedBy: Keys.self).decodeIfPresent(Checked<AR1Settings>.self, forKey: .ar1)?.value
  }

  public var alpha: Double? { sweep.alpha }

  public var method: String {
    "Every contiguous sampler has finitely many equally likely starts, so its exact bias and variance come from enumerating them; a Monte Carlo run of \(sweep.draws) draws over random starts confirms them within its interval, beside the shuffled twin."
  }

  public func criticalZ(_ result: Result) -> Double {
    bonferroniCriticalZ(familyWiseAlpha: sweep.alpha, tests: Swift.max(1, result.tests))
  }

  /// Divisors of N from 2 to N/2: the sizes at which aligned blocks cover every row once.
  public static func divisorSizes(count n: Int) -> [Int] { (2...Swift.max(2, n / 2)).filter { n % $0 == 0 } }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    var records = try input.map { p throws(InputError) in
      try orderedRecords(model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed, threads: input.threads)
    }.flatMap { $0 }
    if let ar1 { records += ar1Records(ar1, seed: input.seed, threads: input.threads) }
    return Result(records: records)
  }

  /// Gradients of the model at the seeded point on the sorted data and on the same data shuffled once.
  public func orderedRecords(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64, threads: Int
  ) throws(InputError) -> [Record] {
    var records: [Record] = []
    let stream = "\(model.name)/\(data.name)"
    for (order, ordered) in [("sorted", data.sortedByTarget()), ("shuffled", data.shuffledOnce(seed: seed))] {
      let name = CaseName.of(model: model, data: ordered, point: point.name)
      let gradients = try model.visit(
        GradientVisitor(data: ordered, point: point, seed: seed, stream: stream, theta: nil), data: ordered, source: source)
      let population = GradientPopulation(gradients)
      let moments = PopulationMoments(population)
      let samplers: [ContiguousSampler] = order == "sorted" ? [.fixed, .aligned, .sliding] : [.aligned]
      for b in sweep.batchSizes ?? Self.divisorSizes(count: data.count) {
        for sampler in samplers where sampler.accepts(batch: b, count: data.count) {
          let m = ContiguousMeasurement(
            population: population, sampler: sampler, batch: b, draws: sweep.draws, seed: seed, name: name,
            threads: threads, moments: moments)
          records.append(Record(caseName: name, order: order, measurement: m))
        }
      }
    }
    return records
  }

  /// An AR(1) sequence sampled in circular windows.
  public func ar1Records(_ settings: AR1Settings, seed: UInt64, threads: Int) -> [Record] {
    let n = settings.count
    let values = AR1Sequence.values(phi: settings.phi, count: n, seed: seed)
    let population = GradientPopulation(rows: values, count: n, dimension: 1)
    let name = "ar1(phi=\(settings.phi),n=\(n))"
    return settings.batchSizes.filter { $0 <= n }.map { b in
      let m = ContiguousMeasurement(
        population: population, sampler: .circular, batch: b, draws: sweep.draws, seed: seed, name: name,
        threads: threads)
      return Record(
        caseName: name, order: Record.ar1Order, measurement: m, processDesignEffect: AR1Sequence.designEffect(phi: settings.phi, batch: b))
    }
  }

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case designEffectExact = "design_effect_exact", designEffectMC = "design_effect_mc"
    case designEffectMCSE = "design_effect_mc_se", designEffectProcess = "design_effect_process"
  }

  /// One row per record: a case, order, sampler and b.
  static let table = RecordTable<Record>([
    .column(.caseName) { CSVCell($0.caseName) },
    .column("order", "row order sampled: sorted by target, shuffled once, or an AR(1) sequence", unit: "1") { CSVCell($0.order) },
    .column(.sampler) { CSVCell($0.measurement.sampler.rawValue) },
    .column(.batch) { CSVCell($0.measurement.batch) },
    .column(.draws) { CSVCell($0.measurement.measured.draws) },
    .column("exact_bias_norm", "‖E[ḡ] − g‖ by enumerating every start", unit: "gradient") { CSVCell($0.measurement.exactBiasNorm) },
    .column("mc_bias_agreement_z", "maxⱼ |MC bias − exact bias|/se", unit: "1") { CSVCell($0.measurement.biasAgreementZ) },
    .column("formula_bias_error", "max |Σ(πᵢ/b − 1/N)gᵢ − enumerated bias| (sliding windows)", unit: "gradient") { CSVCell($0.formulaBiasError) },
    .column("exact_mse", "E‖ḡ − g‖² by enumerating every start", unit: "gradient²") { CSVCell($0.measurement.exactMSE) },
    .column("mc_mse", "Monte Carlo mean of ‖ḡ − g‖²", unit: "gradient²") { CSVCell($0.measurement.measured.meanSquaredError) },
    .column("mc_mse_se", "its standard error", unit: "gradient²") { CSVCell($0.measurement.measured.meanSquaredErrorStandardError) },
    .column("mse_agreement_z", "(MC MSE − exact MSE)/se", unit: "1") { CSVCell($0.measurement.mseAgreementZ) },
    .column("reference_mse", "simple random sampling's MSE (iid σ²/b for AR(1))", unit: "gradient²") { CSVCell($0.referenceMSE) },
    .column(Columns.designEffectExact, "variance over the reference, exact", unit: "1") { CSVCell($0.designEffects.exact) },
    .column(Columns.designEffectMC, "variance over the reference, Monte Carlo", unit: "1") { CSVCell($0.designEffects.measured) },
    .column(Columns.designEffectMCSE, "its standard error", unit: "1") { CSVCell($0.designEffects.se) },
    .column(Columns.designEffectProcess, "1 + 2Σ_{k<b}(1 − k/b)φᵏ for the AR(1) process", unit: "1") { CSVCell($0.processDesignEffect) },
    .column("max_bias_z", "maxⱼ |ēⱼ|/se(ēⱼ)", unit: "1") { CSVCell($0.measurement.maxBiasZ) },
  ])

  public func tables(_ result: Result) -> [SchemaTable] { [Self.table.filled(with: result.records)] }

  /// The fewest aligned blocks K = N/b at which the blocks' MSE is judged against its spread over random
  /// orders: it is a mean of K block errors, near normal only for K well above 1 (at K = 2 its law is a
  /// skewed quadratic form with P degrees of freedom, where a normal critical z means nothing).
  public static let minimumBlocks = 16

  /// The log-log slope of the exact MSE against b over a group of records (least squares).
  static func slope(_ group: [Record]) -> Double? {
    leastSquaresSlope(
      group.filter { $0.measurement.exactMSE > 0 }.map {
        (Double.log(Double($0.measurement.batch)), Double.log($0.measurement.exactMSE))
      })
  }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    let records = result.records
    let z = criticalZ(result)
    var names: [String] = []
    for r in records where !names.contains(r.caseName) { names.append(r.caseName) }
    for name in names {
      let group = records.filter { $0.caseName == name }
      for sampler in ContiguousSampler.allCases {
        let cells = group.filter { $0.measurement.sampler == sampler }
        guard !cells.isEmpty, let order = cells.first?.order else { continue }
        let ms = cells.map(\.measurement)
        switch (order, sampler) {
        case ("sorted", .fixed):
          // (a) the first b rows: a bias that no number of draws removes (every draw is the same batch).
          let broke = ms.contains { $0.maxBiasZ > z }
          let asPredicted = ms.allSatisfy { $0.biasAgreementZ <= z }
          let worst = ms.map { $0.exactBiasNorm }.max() ?? 0
          rows.append(VerdictRow(
            claim: VerdictClaims.firstRows, caseName: "\(name) first b rows",
            keyFigure: "|bias| up to \(shortScientific(worst)), MC = exact at every b (every draw the same batch: no R shrinks it)",
            verdict: .control(broke: broke, sizeAsPredicted: asPredicted)))
        case ("sorted", .aligned), ("shuffled", .aligned):
          // (b) random aligned blocks: unbiased, but the variance stops falling like 1/b on sorted data.
          let unbiased = ms.allSatisfy { $0.maxBiasZ <= z }
          rows.append(VerdictRow(
            claim: order == "sorted" ? VerdictClaims.alignedBias : .shuffledBias, caseName: "\(name) aligned blocks",
            keyFigure: "max|bias z| \(rounded2(ms.map(\.maxBiasZ).max() ?? 0)) <= \(rounded2(z))",
            verdict: unbiased ? .pass : .fail))
          let effects = cells.map(\.designEffects)
          let agrees = ms.allSatisfy { Swift.abs($0.mseAgreementZ) <= z }
          let slope = Self.slope(cells).map(rounded3) ?? "n/a"
          let deffRange = "deff \(rounded2(effects.map(\.exact).min() ?? .nan))..\(rounded2(effects.map(\.exact).max() ?? .nan))"
          if order == "sorted" {
            // Broken when the exact MSE of the K blocks exceeds simple random sampling's by more than a random
            // order could explain (its spread over shuffles, not the much smaller Monte Carlo error).
            let broke = ms.contains { m in
              m.starts >= Self.minimumBlocks && m.shuffledOrderStandardError > 0
                && (m.exactMSE - m.simpleRandomMSE) / m.shuffledOrderStandardError > z
            }
            rows.append(VerdictRow(
              claim: VerdictClaims.alignedBlocks, caseName: "\(name) aligned blocks",
              keyFigure: "\(deffRange), MC vs exact max|z| \(rounded2(ms.map { Swift.abs($0.mseAgreementZ) }.max() ?? 0)), slope \(slope)",
              verdict: .control(broke: broke, sizeAsPredicted: agrees)))
          } else {
            // (e) the same data shuffled once: the K blocks' mean squared error sits within its spread of
            // simple random sampling's value.
            let worst = ms.filter { $0.starts >= Self.minimumBlocks }.map { m -> Double in
              let d = Swift.abs(m.exactMSE - m.simpleRandomMSE)
              return m.shuffledOrderStandardError > 0 ? d / m.shuffledOrderStandardError : (d == 0 ? 0 : .infinity)
            }.max() ?? 0
            let consistent = worst <= z
            rows.append(VerdictRow(
              claim: VerdictClaims.shuffledTwin, caseName: "\(name) aligned blocks",
              keyFigure: "\(deffRange), max|z| vs simple random \(rounded2(worst)), slope \(slope)",
              verdict: consistent && agrees ? .pass : .fail))
          }
        case ("sorted", .sliding):
          // (c) sliding windows: bias exactly Σ (πᵢ/b − 1/N) gᵢ.
          let broke = ms.contains { $0.maxBiasZ > z }
          let formulaError = cells.compactMap(\.formulaBiasError).max() ?? 0
          let scale = ms.map(\.exactBiasNorm).max() ?? 1
          let agrees = ms.allSatisfy { $0.biasAgreementZ <= z } && formulaError <= 1e-12 * Swift.max(scale, 1e-300)
          rows.append(VerdictRow(
            claim: VerdictClaims.slidingWindows, caseName: "\(name) sliding windows",
            keyFigure: "|bias| up to \(shortScientific(scale)), formula = enumeration to \(shortScientific(formulaError / scale)), MC max|z| \(rounded2(ms.map(\.biasAgreementZ).max() ?? 0))",
            verdict: .control(broke: broke, sizeAsPredicted: agrees)))
        case (Record.ar1Order, .circular):
          // (d) AR(1) in circular windows: variance over the iid value against 1 + 2 Σ (1 − k/b) ρ̂ₖ.
          let effects = cells.map(\.designEffects)
          // Broken when the exact design effect exceeds 1 by more than white noise could give: for an
          // uncorrelated sequence each ρ̂ₖ spreads by 1/√N, so 1 + 2Σ(1 − k/b)ρ̂ₖ by √((4/N) Σ (1 − k/b)²).
          let n = Double(cells.first?.measurement.starts ?? 1)
          let broke = zip(cells, effects).contains { cell, effect in
            let b = cell.measurement.batch
            let spread = (4 / n * (1..<Swift.max(2, b)).reduce(0.0) { $0 + (1 - Double($1) / Double(b)) * (1 - Double($1) / Double(b)) }).squareRoot()
            return b > 1 && spread > 0 && (effect.exact - 1) / spread > z
          }
          let agrees = ms.allSatisfy { Swift.abs($0.mseAgreementZ) <= z }
          let last = zip(cells, effects).max { $0.0.measurement.batch < $1.0.measurement.batch }
          let limit = last.map { "at b=\($0.0.measurement.batch): MC \(rounded2($0.1.measured)) exact \(rounded2($0.1.exact)) process \(rounded2($0.0.processDesignEffect ?? .nan))" } ?? ""
          rows.append(VerdictRow(
            claim: VerdictClaims.ar1Windows, caseName: "\(name) circular windows",
            keyFigure: "\(limit), MC vs exact max|z| \(rounded2(ms.map { Swift.abs($0.mseAgreementZ) }.max() ?? 0))",
            verdict: .control(broke: broke, sizeAsPredicted: agrees)))
        default: break
        }
      }
    }
    return rows
  }
}

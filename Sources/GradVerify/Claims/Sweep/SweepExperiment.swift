
/// Claims C2 and C3 over a set of cases: per-example gradients at θ computed once, then a Monte Carlo
/// sweep over samplers and batch sizes, judged at a family-wise α over the whole run.
///
/// Spec keys: `draws`, `alpha`, `samplers` and `batch_sizes`.
package struct SweepExperiment: SweepSettingsExperiment {
  public static let claim = "C2C3"
  package typealias VerdictClaims = SweepVerdictClaims
  public static let tableSuffixes = ["", "-population", "-coordinates"]
  public static let statement =
    "A uniformly random mini-batch estimates the gradient without bias (C2), with a mean squared error that follows an exactly known law in b, zero at the full batch without replacement (C3)."

  public typealias Result = SweepEngine.Result

  public var settings: SweepSettings

  public init(settings: SweepSettings) { self.settings = settings }

  public var method: String {
    "Per-example gradients at one θ are sampled R = \(settings.draws) times per sampler and batch size in blocks of \(MiniBatchSweep.blockSize) draws with counter-based random streams; the mean error per coordinate and the mean squared error are judged by their tail probabilities under the exact null law of the population (far values of a column enumerated exactly, the rest by a saddlepoint on the exact cumulant generating function; a Chernoff bound without replacement; Pearson type III for the MSE's upper tail and Bennett's bound for its lower tail at 1 < b < N − 1, Bennett's for both where a rare far example drives the upper tail), each tail at α/(2m), m every test of the spec (Bonferroni: P(any false FAIL) ≤ α = \(settings.alpha)). A cell that cannot detect 0.1·‖g‖∞ of bias or 10% of the MSE law is INCONCLUSIVE; each row states what it detects."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    let measured = try input.map { p throws(InputError) in
      try SweepEngine(settings: settings).measure(
        model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed, threads: input.threads
      ).measured
    }
    return Result(measured.compactMap { $0 }, settings: settings)
  }

  public func tables(_ result: Result) -> [SchemaTable] {
    [table(result), populationTable(result), coordinateTable(result)]
  }

  /// One row per case × sampler × batch size.
  public func table(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(Self.sweepSchema)
    for r in result.records {
      for row in r.evaluation.rows {
        let m = row.measurement
        doc.append([
          CSVCell(r.caseName), CSVCell(m.cell.sampler.rawValue), CSVCell(m.cell.batch), CSVCell(r.population.count),
          CSVCell(r.population.dimension), CSVCell(m.draws), CSVCell(m.squaredErrorDraws), CSVCell(m.meanSquaredError),
          CSVCell(m.meanSquaredErrorStandardError), CSVCell(row.nullStandardError), CSVCell(row.theory),
          CSVCell(row.ratio), CSVCell(row.varianceZ), CSVCell(row.varianceCritical?.lower),
          CSVCell(row.varianceCritical?.upper), CSVCell(row.varianceTest?.pValue),
          CSVCell(row.varianceTest?.method.rawValue ?? ""),
          CSVCell(row.detectableRelativeDeviation), CSVCell(row.varianceVerdict?.rawValue ?? ""),
          CSVCell(row.biasVerdict == nil ? nil : row.maxAbsoluteBiasZ), CSVCell(m.biasNorm),
          CSVCell(row.worstBias?.test.pValue), row.worstBias.map { CSVCell($0.coordinate) } ?? "",
          CSVCell(row.detectableRelativeBias),
          CSVCell(row.biasVerdict?.rawValue ?? ""),
        ])
      }
    }
    return doc
  }

  /// One row per case × sampler × b × coordinate: the mean error ēⱼ, its exact null standard error, z, both
  /// tail probabilities, how they were obtained, the level and the coordinate's verdict.
  public func coordinateTable(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(Self.coordinateSchema)
    for r in result.records {
      let level = r.evaluation.tailLevel
      for row in r.evaluation.rows {
        let m = row.measurement
        for (j, mean) in m.meanError.enumerated() {
          let se = row.law.map { ($0.coordinateVariance[j] / Double(m.draws)).squareRoot() }
          let test = row.biasTests.isEmpty ? nil : row.biasTests[j]
          doc.append([
            CSVCell(r.caseName), CSVCell(m.cell.sampler.rawValue), CSVCell(m.cell.batch), CSVCell(j), CSVCell(mean),
            CSVCell(se), CSVCell(test?.z), CSVCell(test?.lower), CSVCell(test?.upper), CSVCell(test?.method.rawValue ?? ""),
            test == nil ? "" : CSVCell(level),
            CSVCell(test.map { $0.rejection(level: level) == 0 ? Verdict.pass.rawValue : Verdict.fail.rawValue } ?? ""),
          ])
        }
      }
    }
    return doc
  }

  /// One row per case: the population's moments, the critical values and the fitted slopes.
  public func populationTable(_ result: Result) -> SchemaTable {
    var doc = SchemaTable(populationSchema)
    for r in result.records {
      let e = r.evaluation
      let p = r.population
      let n = Double(p.count)
      var cells: [CSVCell] = [
        CSVCell(r.caseName), CSVCell(p.count), CSVCell(p.dimension), CSVCell(p.traceSigma),
        CSVCell(p.count > 1 ? p.traceSigma * n / (n - 1) : .nan), CSVCell(p.meanNormSquared), CSVCell(p.simpleNoiseScale),
        CSVCell(e.alpha), CSVCell(e.tests), CSVCell(e.criticalZ),
      ]
      for s in settings.samplers {
        let fit = e.slope(sampler: s, count: p.count)
        cells += [CSVCell(fit?.slope), CSVCell(fit?.halfWidth), CSVCell(fit?.law)]
      }
      let ns = r.noiseScale
      cells += [
        ns.map { CSVCell($0.small) } ?? "", ns.map { CSVCell($0.big) } ?? "", CSVCell(ns?.traceEstimate),
        CSVCell(ns?.traceStandardError), CSVCell(ns?.traceZ), CSVCell(ns?.normExpected), CSVCell(ns?.normEstimate),
        CSVCell(ns?.normStandardError), CSVCell(ns?.normZ), CSVCell(e.criticalZ),
      ]
      doc.append(cells)
    }
    return doc
  }

  public func verdicts(_ result: Result) -> [VerdictRow] { SweepEngine(settings: settings).verdicts(result) }
}

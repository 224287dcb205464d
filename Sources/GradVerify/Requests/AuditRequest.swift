import Foundation

/// `gradverify audit` as a typed request: which reduction of the per-example gradients a training pipeline
/// computed, whether its rounding is small against the mini-batch noise, and the noise scale with an
/// interval. Validated once (`validate()`), before any file is read; run by `run(note:)`.
package struct AuditRequest: Sendable {
  public var gradientsPath: String?
  public var pipelinePath: String?
  public var examplesPath: String?
  public var precisionName: String?
  public var replay = false
  public var ranks: Int?
  public var batch: Int?
  public var backwardDepth = FrameworkGradientCheck.defaultBackwardDepth
  public var alpha = 0.01
  public var threads = 1

  public init() {}

  /// The files the audit reads, for the clash check of the outputs.
  public var inputs: [String] { [gradientsPath, pipelinePath, examplesPath].compactMap { $0 } }

  /// Refuses a request that cannot run, naming the flag; returns the gradients' path.
  @discardableResult
  public func validate() throws(InputError) -> String {
    guard let gradientsPath else {
      throw InputError(flag: "--gradients", command: "audit", "is required: the N × P per-example gradients (.npy or CSV)")
    }
    guard SweepSettings.isLevel(alpha) else { throw InputError(flag: "--alpha", command: "audit", "must be in (0, 1), got \(alpha)") }
    if pipelinePath == nil && !replay {
      throw InputError(flag: "--pipeline", command: "audit", "is required unless --replay: the gradient the pipeline produced (.npy of P entries)")
    }
    if precisionName != nil && pipelinePath == nil {
      throw InputError(flag: "--precision", command: "audit", "applies to --pipeline only")
    }
    return gradientsPath
  }

  /// What the audit found: its verdict rows (each with the level it spent, nil where deterministic), notes,
  /// figures, the hypotheses and replay rows of the JSON, and whether the diagnosis holds.
  public struct Outcome: Sendable {
    public var rows: [(row: VerdictRow, level: Double?)]
    public var notes: [String]
    public var figures: [String: Double?]
    public var hypotheses: [VerdictReport.Hypothesis]?
    public var replay: [VerdictReport.ReplayRow]?
    public var holds: Bool
  }

  /// Reads the files and runs the audit; `note` hears what was read before the work starts.
  public func run(note: (String) -> Void) throws(InputError) -> Outcome {
    let gradientsPath = try validate()
    let depth = backwardDepth
    let file = try GradientFile.load(path: gradientsPath, threads: threads)
    let population = file.population
    let (n, d) = (file.count, file.dimension)
    let layout = try examplesPath.map { (path: String) throws(InputError) -> ExampleLayout in
      let layout = try ExampleLayout.load(path: path)
      guard layout.count == n else {
        throw InputError(file: path, "\(layout.count) example rows; the gradients \(gradientsPath) have N = \(n)")
      }
      return layout
    } ?? ExampleLayout(count: n)
    note("\(gradientsPath): \(n) per-example gradients of \(d) parameters (\(file.storage))")

    var rows: [VerdictRow] = []
    var notes: [String] = []
    var figures: [String: Double?] = [:]
    var hypotheses: [VerdictReport.Hypothesis]?
    var replayRows: [VerdictReport.ReplayRow]?
    let caseName = "audit/\(URL(fileURLWithPath: gradientsPath).lastPathComponent)"

    if let pipelinePath {
      let vector = try NPYMatrix.load(path: pipelinePath)
      guard vector.values.count == d, vector.rows == 1 || vector.columns == 1 else {
        throw InputError(file: pipelinePath, "shape \(vector.shapeText): the pipeline's gradient needs \(d) entries, one per column of the gradients")
      }
      let precision = try precisionName.map { (name: String) throws(InputError) in
        try parsePrecision(name, command: "audit", allowed: [.float32, .float64, .bfloat16])
      } ?? vector.precision
      let audit = ReductionAudit(
        population: population, pipelineGradient: vector.values, layout: layout, precision: precision,
        backwardDepth: depth, alpha: alpha, threads: threads)
      rows += audit.verdictRows(caseName: caseName)
      hypotheses = audit.findings.map(VerdictReport.Hypothesis.init)
      let holding = audit.holding.map(\.rawValue)
      notes.append(
        holding.isEmpty
          ? "the pipeline's gradient is none of the reductions tested (each FAIL row says how far, and by what scale)"
          : "the pipeline's gradient is \(holding.joined(separator: " = ")) within its rounding bound (\(precision.rawValue), K = \(depth), α = \(alpha))"
            + (holding.count > 1 ? "; these coincide on these examples" : ""))
      if let r = audit.recovery {
        notes.append(
          "weights recovered by least squares (P ≥ N): relative residual \(shortScientific(r.relativeResidual)); "
            + "nearest hypothesis \(r.nearest?.rawValue ?? "none") at relative distance \(shortScientific(r.nearestDistance))")
        figures["recovered_relative_residual"] = r.relativeResidual
        figures["recovered_nearest_distance"] = r.nearestDistance
      } else if let why = audit.recoveryNote {
        notes.append(why)
      }
    }

    let ranks = self.ranks ?? layout.rank.map { Set($0).count } ?? 8
    let batch = self.batch ?? n
    if ranks > n { throw InputError(flag: "--ranks", command: "audit", "\(ranks) ranks for N = \(n) examples: at most N") }
    if replay {
      let result = ReductionReplay(population: population, ranks: ranks, batch: batch, threads: threads)
      rows += result.verdictRows(caseName: caseName)
      replayRows = result.rows.map(VerdictReport.ReplayRow.init)
      let worst = result.rows.max { $0.noiseRatio < $1.noiseRatio }!
      notes.append(
        "replay at b = \(batch), R = \(ranks): the largest rounding is \(worst.precision.rawValue) \(worst.method.rawValue), "
          + "\(String(format: "%.3g", 100 * worst.noiseRatio))% of the sampling noise √(tr Σ_N/b) = \(shortScientific(result.noise))")
      figures["sampling_noise"] = result.noise
    }
    if n >= 3 {
      let scale = SampledNoiseScale(population: population)
      notes.append("noise scale of \(scale.summary)")
      figures.merge(scale.figures) { $1 }
    }
    // The diagnosis succeeded when some reduction explains the gradient and every replayed rounding is in bound.
    let explained = hypotheses.map { $0.contains { $0.verdict == Verdict.pass.rawValue } } ?? true
    let replayHolds = replayRows.map { $0.allSatisfy { $0.verdict == Verdict.pass.rawValue } } ?? true
    return Outcome(
      rows: rows.map { ($0, $0.claim.hasPrefix("audit/") ? alpha : nil) }, notes: notes, figures: figures,
      hypotheses: hypotheses, replay: replayRows, holds: explained && replayHolds)
  }
}

import Foundation
import GradVerify

/// `gradverify audit --gradients G --pipeline g [--examples M.csv] [--precision P] [--replay] …`: which
/// reduction of the per-example gradients a training pipeline computed, whether its rounding is small
/// against the mini-batch noise, and the noise scale with an interval.
func auditCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  guard let gradientsPath = try args.value("--gradients") else {
    throw InputError(flag: "--gradients", command: "audit", "is required: the N × P per-example gradients (.npy or CSV)")
  }
  let pipelinePath = try args.value("--pipeline")
  let examplesPath = try args.value("--examples")
  let precisionName = try args.value("--precision")
  let replay = try args.flag("--replay")
  let ranksGiven = try args.integer("--ranks", in: 1...1_000_000)
  let batchGiven = try args.integer("--batch", in: 1...Int(Int32.max))
  let depth = try args.integer("--backward-depth", in: 0...1_000_000) ?? FrameworkGradientCheck.defaultBackwardDepth
  let alpha = try args.number("--alpha") ?? 0.01
  guard alpha > 0 && alpha < 1 else { throw InputError(flag: "--alpha", command: "audit", "must be in (0, 1), got \(alpha)") }
  let threads = try args.threads()
  let json = try jsonTarget(&args)
  _ = try args.positionals(expected: 0...0, usage: "options only")
  if pipelinePath == nil && !replay {
    throw InputError(flag: "--pipeline", command: "audit", "is required unless --replay: the gradient the pipeline produced (.npy of P entries)")
  }
  if precisionName != nil && pipelinePath == nil {
    throw InputError(flag: "--precision", command: "audit", "applies to --pipeline only")
  }
  try refuseClashes(outputs: [("--json", json)], inputs: [gradientsPath, pipelinePath, examplesPath])

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
  printNote("\(gradientsPath): \(n) per-example gradients of \(d) parameters (\(file.storage))")

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

  let ranks = ranksGiven ?? layout.rank.map { Set($0).count } ?? 8
  let batch = batchGiven ?? n
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
  for note in notes { printNote(note) }
  printResult(renderVerdictTable(rows), terminator: "")
  // The diagnosis succeeded when some reduction explains the gradient and every replayed rounding is in bound.
  let explained = hypotheses.map { $0.contains { $0.verdict == Verdict.pass.rawValue } } ?? true
  let replayHolds = replayRows.map { $0.allSatisfy { $0.verdict == Verdict.pass.rawValue } } ?? true
  try writeJSON(
    json, command: "audit", rows: rows.map { ($0, $0.claim.hasPrefix("audit/") ? alpha : nil) }, notes: notes,
    inputs: [gradientsPath] + [pipelinePath, examplesPath].compactMap { $0 }, figures: figures,
    hypotheses: hypotheses, replay: replayRows, holds: explained && replayHolds)
  return explained && replayHolds ? .success : .claimFailed
}

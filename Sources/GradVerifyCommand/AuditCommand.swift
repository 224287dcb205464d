import Foundation
import GradVerify

/// `gradverify audit --gradients G --pipeline g [--examples M.csv] [--precision P] [--replay] …`: which
/// reduction of the per-example gradients a training pipeline computed, whether its rounding is small
/// against the mini-batch noise, and the noise scale with an interval.
func auditCommand(_ args: inout ArgumentList) throws(InputError) -> ExitStatus {
  var request = AuditRequest()
  request.gradientsPath = try args.value("--gradients")
  request.pipelinePath = try args.value("--pipeline")
  request.examplesPath = try args.value("--examples")
  request.precisionName = try args.value("--precision")
  request.replay = try args.flag("--replay")
  request.ranks = try args.integer("--ranks", in: 1...1_000_000)
  request.batch = try args.integer("--batch", in: 1...Int(Int32.max))
  request.backwardDepth = try args.integer("--backward-depth", in: 0...1_000_000) ?? request.backwardDepth
  request.alpha = try args.number("--alpha") ?? request.alpha
  request.threads = try args.threads()
  let json = try jsonTarget(&args)
  _ = try args.positionals(expected: 0...0, usage: "options only")
  try request.validate()
  try refuseClashes(outputs: [("--json", json)], inputs: request.inputs)
  let outcome = try request.run(note: printNote)
  for note in outcome.notes { printNote(note) }
  printVerdicts(outcome.rows.map(\.row))
  try writeJSON(
    json, command: "audit", rows: outcome.rows, notes: outcome.notes, inputs: request.inputs, figures: outcome.figures,
    hypotheses: outcome.hypotheses, replay: outcome.replay, holds: outcome.holds)
  return outcome.holds ? .success : .claimFailed
}

/// results/REPORT.md, written from the run's specs, tables and verdict rows: per claim the statement, the
/// method in two sentences, the key numbers, the verdicts, the figure and the command that reproduces it.
public enum ReportWriter {
  struct ClaimText {
    var statement: String
    var method: String
    var figures: [String]
  }

  static let texts: [ExperimentSpec.Claim: ClaimText] = [
    .c1: ClaimText(
      statement: "The average of per-example gradients, all taken at the same θ, equals the gradient of the average cost.",
      method: "Each averaged analytic gradient is compared, coordinate by coordinate, with a 5-point central difference of the compensated average cost, within a tolerance from its own truncation and rounding error estimate; every example's gradient is checked the same way, complex-step derivatives confirm both to rounding level, and a halving test shows the residual shrinking 4× per halved step, as truncation error must. A per-example error counts only above u·Σᵢ|Gᵢⱼ|, the resolution of the average (where a logit saturates, a row's gradient and its references can underflow); a difference that misses its error estimate while the complex step agrees is the reference's failure; an entry no reference resolves is INCONCLUSIVE, never FAIL.",
      figures: ["fig-fd-error-vs-h.svg", "fig-cost-contours.svg"]),
    .c2c3: ClaimText(
      statement: "A uniformly random mini-batch estimates the gradient without bias (C2), with a mean squared error that follows an exactly known law in b, zero at the full batch without replacement (C3).",
      method: "Per-example gradients at one θ are sampled R times per sampler and batch size (the spec's draws) in blocks of 256 draws with counter-based random streams; the mean error per coordinate and the mean squared error are tested as z-scores against 0 and the law, each standardised by its exact null variance from the population and each tail tested at α/(2m) with skewness-corrected critical values, m every test of the spec (Bonferroni: P(any false FAIL) ≤ the spec's α). Each C2 row states the smallest bias it detects (relative to ‖g‖∞), each C3 row the smallest relative deviation of the MSE.",
      figures: ["fig-mse-vs-b.svg", "fig-bias-z.svg"]),
    .exact: ClaimText(
      statement: "The mean and covariance of the mini-batch gradient equal the formulas exactly.",
      method: "For populations of N ≤ 10, every batch (subset, tuple, or Poisson set with its weight) is enumerated with compensated sums; mean and covariance, and the variance and third moment of the squared error and of each coordinate (the null laws the Monte Carlo verdicts standardise by), must match the formulas to 1e-12, with no Monte Carlo error at all.",
      figures: []),
    .n1: ClaimText(
      statement: "Correlated or unshuffled samples break the claim: contiguous blocks of sorted data are biased or over-dispersed, and shuffling once restores the law.",
      method: "Every contiguous sampler has finitely many equally likely starts, so its exact bias and variance come from enumerating them; a Monte Carlo run over random starts confirms them within its interval, beside the shuffled twin.",
      figures: ["fig-n1-design-effect.svg"]),
    .n2: ClaimText(
      statement: "Costs that do not add over examples break the claim: the average of per-example gradients is not their gradient, and mini-batch estimates of the cost are biased.",
      method: "The finite-difference gradient of the true cost is compared with its true gradient and with the average of per-example gradients; the mini-batch bias of the cost is measured against its prediction where one exists.",
      figures: ["fig-n2-bias.svg"]),
    .n3: ClaimText(
      statement: "Gradients taken at different parameter points break the claim: accumulated along SGD steps they drift from the gradient at one point, to first order by −η(k−1)/2 · H g.",
      method: "Per-example gradients are accumulated along k SGD steps for many random orders; the mean discrepancy is compared with the first-order prediction in the regime η·k·‖Hg‖/‖g‖ ≤ 0.01, and at η = 0 it must be exactly zero.",
      figures: ["fig-n3-drift.svg"]),
    .training: ClaimText(
      statement: "Mini-batches in training: gradient descent against SGD at several batch sizes, and the estimator noise along the path.",
      method: "Gradient descent and SGD start from one point with one step size; loss curves are recorded at equal steps and equal examples, and at each checkpoint fresh batches measure the estimator noise against the C3 law at the θ visited.",
      figures: ["fig-training.svg"]),
    .calibration: ClaimText(
      statement: "The printed sweep verdict is calibrated: over seeded null runs of a whole sweep, the share with any false FAIL is at most the sweep's α, each tail of each test rejects at its level, and a seeded bias is caught as often as predicted; the old statistic (difference over an estimated standard error) fails the same calibration.",
      method: "Each null run is a whole sweep (every sampler and batch size; C2, C3 and the noise scale) of the case at its own seed, judged exactly as gradverify sweep judges it; rejection counts get Clopper–Pearson intervals at confidence 1 − γ/m over the judged rows (γ the spec's α). Tail rows pool independent trials: one test kind over cells and seeds (C2: one coordinate at a time).",
      figures: ["fig-calibration.svg"]),
    .convention: ClaimText(
      statement: "The variance law has the power to tell itself from the two classic convention bugs at N = 100, where each moves the expected squared error by about 1%.",
      method: "One sweep's draws are judged against the exact law and against tr S²/b (with replacement) and (1 − b/N) tr Σ_N/b (without); each cell's power against a bug follows from the exact null law, and the claim's from the product over independent cells.",
      figures: []),
  ]

  /// The report's Markdown text.
  /// - Parameters:
  ///   - runs: (spec file, spec, outcome) in run order.
  ///   - figures: the figure files present beside the tables.
  public static func render(runs: [(file: String, spec: ExperimentSpec, outcome: ExperimentOutcome)], figures: Set<String>) -> String {
    var out = "# gradverify results\n\n"
    out += "Generated by `make results` (`gradverify results`) from the specs in `Experiments/`; every table here is "
    out += "reproduced byte for byte by `make verify`, and described, with its sha256 and the run's provenance, in "
    out += "`datapackage.json`. Verdicts: PASS, FAIL, INCONCLUSIVE for claims; FAILS-AS-PREDICTED and "
    out += "UNEXPECTED-PASS for negative controls.\n\n"
    let shares = runs.map(\.spec).filter(\.isStatistical).map(\.sweep.alpha)
    let total = shares.reduce(0, +)
    out += "**One family.** The \(shares.count) statistical specs spend shares of α that add up to "
    out += "\(shares.map { "\($0)" }.joined(separator: " + ")) = \((total * 1e6).rounded() / 1e6); within each spec Bonferroni's "
    out += "correction spreads its share over all its tests, so the probability that this run shows any false FAIL is at "
    out += "most \((total * 1e6).rounded() / 1e6). C1 and C2C3-exact are deterministic and spend none.\n\n"
    for run in runs {
      let name = run.file.split(separator: "/").last.map(String.init) ?? run.file
      out += "## \(run.spec.claim.rawValue): \(run.spec.title)\n\n"
      if let text = texts[run.spec.claim] {
        out += "**Statement.** \(text.statement)\n\n**Method.** \(text.method)\n\n"
      }
      out += "**Tables.** " + run.outcome.tables.map { "[`\($0.name)`](\($0.name))" }.joined(separator: ", ") + "\n\n"
      let counts = Dictionary(grouping: run.outcome.verdicts, by: \.verdict).mapValues(\.count)
      out += "**Verdicts.** " + Verdict.allCases.compactMap { v in counts[v].map { "\($0) \(v.rawValue)" } }.joined(separator: ", ")
      out += "\n\n| claim | case | key figure | verdict |\n|---|---|---|---|\n"
      for row in run.outcome.verdicts {
        let figure = row.keyFigure.replacingOccurrences(of: "|", with: "\\|")
        out += "| \(row.claim) | \(row.caseName) | \(figure) | \(row.verdict.rawValue) |\n"
      }
      for figure in texts[run.spec.claim]?.figures ?? [] where figures.contains(figure) {
        out += "\n![\(figure)](\(figure))\n"
      }
      out += "\n**Reproduce.** `gradverify run Experiments/\(name) --out DIR` (or `make results` for everything).\n\n"
    }
    return out
  }
}

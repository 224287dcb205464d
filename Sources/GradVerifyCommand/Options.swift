import GradVerify

/// A command-line option, declared once: its flag, the value it takes and what it does. A command's
/// OPTIONS in `--help` are rendered from its declarations, and `ArgumentList` checks that the command reads
/// exactly the options it declares, so the help can neither name a flag the parser ignores nor leave out
/// one it reads.
struct Option: Sendable {
  let flag: String
  /// The value's placeholder ("DIR", "T"); nil for a bare flag.
  let value: String?
  let help: String

  /// An option that takes a value.
  init(_ flag: String, _ value: String, _ help: String) {
    (self.flag, self.value, self.help) = (flag, value, help)
  }

  /// A bare flag.
  init(_ flag: String, _ help: String) {
    (self.flag, self.value, self.help) = (flag, nil, help)
  }

  /// "  --flag VALUE   help…": each help wrapped within `width` columns beside the widest flag (at most 24
  /// columns of it; a longer flag starts its help on the next line).
  static func render(_ options: [Option], width: Int = 100) -> String {
    let names = options.map { "  " + $0.flag + ($0.value.map { " " + $0 } ?? "") }
    let column = Swift.min(26, (names.map(TextWidth.columns).max() ?? 0) + 2)
    return zip(names, options).map { name, option in
      let help = TextWidth.wrap(option.help, width: width - column, indent: 0)
      let pad = String(repeating: " ", count: column)
      let first = TextWidth.columns(name) + 2 <= column
        ? [name.padding(toLength: column, withPad: " ", startingAt: 0) + help[0]] + help.dropFirst().map { pad + $0 }
        : [name] + help.map { pad + $0 }
      return first.joined(separator: "\n")
    }.joined(separator: "\n")
  }
}

/// Every command's options, in the order its help lists them.
enum CommandOptions {
  static let verify: [Option] = [
    .experiments,
    Option("--results", "DIR", "compare the tables with those in DIR (default: results, when it exists)"),
    Option("--no-compare", "do not compare with committed tables"),
    .threads, .json,
  ]

  static let results: [Option] = [
    .experiments,
    Option(
      "--out", "DIR",
      "write the tables, figures, REPORT.md, REPORT.html, the LaTeX tables and datapackage.json into DIR (default: results)"),
    .threads,
  ]

  static let figures: [Option] = [
    Option("--results", "DIR", "the tables to draw from, and where the figures go (default: results)"),
    .experiments,
  ]

  static let run: [Option] = [
    Option("--out", "DIR", "write the spec's tables and figures into DIR"), .threads, .json,
  ]

  static let check: [Option] =
    model + [
      Option(
        "--params", "FILE",
        "θ, one number per line, in the model's layout (default: three seeded points θ = s·N(0,1) with s = 0.1, 1, 3)"),
      Option("--seed", "S", "seed of the parameter points (default 1)"),
      Option("--out", "DIR", "write check-linearity.csv and check-linearity-halving.csv into DIR"),
      Option("--dump-gradients", "FILE", "write the N×P per-example gradient matrix (header g0,…) at the first point"),
      Option("--report", "DIR", "write the tables, the finite-difference error figure and a REPORT.md into DIR"),
      .json,
      Option(
        "--inject-fault", "REL",
        "plant a bug: scale every example's gradient entry at one coordinate by (1 + REL), e.g. 1e-6, and watch the verdict turn to FAIL"),
      Option("--fault-coordinate", "J", "the coordinate of that bug (default: the last, a bias)"),
      .threads,
    ]

  static let sweep: [Option] =
    [
      Option("--gradients", "G", "the per-example gradient matrix (.npy or CSV) instead of --model and --data"),
      Option("--full-gradient", "g", "the framework's gradient of the mean loss (.npy, P entries)"),
      Option("--precision", "P", "float32 or float64: the framework's arithmetic (default: the dtype of g.npy)"),
      backwardDepth,
      Option("--project", "K", "sketch G to K coordinates while reading it (64 ≤ K ≤ 4096; C-order .npy)"),
      Option("--sketch", "S", "gaussian (default) or rademacher: the entries of the sketch"),
      Option("--report", "DIR", "write the three tables, the MSE-against-b and bias-z figures and a REPORT.md into DIR"),
      .json,
      Option("--sampler", "S", "with, without, poisson, poisson-realized, or a comma list (default: with,without)"),
      Option("--batch-sizes", "L", "comma list (default: powers of two up to N, 3, 10, N/2, N−1, N)"),
      Option(
        "--draws", "R|auto",
        "replicates per cell. auto (the default): C2 takes 20000, C3 and the noise scale only those their power needs (≥ 20: a 10% deviation of the MSE law about two critical distances out), chosen from the exact law before any draw; R: all R."),
      Option("--alpha", "A", "probability of any false FAIL in the run (default \(SweepSettings().alpha))"),
      Option("--seed", "S", "seed of θ and of every draw (default 1)"),
      .threads,
      Option(
        "--out", "FILE.csv",
        "write the per-cell table; while the sweep runs, the exact sums of its finished blocks are saved every few seconds to FILE.csv.partial (atomically; its size does not grow with the draws), removed at the end"),
      Option(
        "--resume",
        "continue an interrupted run from FILE.csv.partial: the same bytes as a run never interrupted (starts afresh, with a note, when there is none)"),
      Option("--checkpoint-every", "S", "seconds between saves of FILE.csv.partial (default 5)"),
      Option(
        "--max-seconds", "S",
        "refuse, before any draw, a run planned to take longer (default 14400). The plan (a note on stderr, after the moments) times a few draws of every cell on your gradients, and weighs the progress line's % and time left. Where N ≤ P the moments keep the Gram matrix (≤ 256 MB) and draws read squared errors from it."),
      Option(
        "--shard", "i/n",
        "compute only shard i of n (0-based, e.g. $SLURM_ARRAY_TASK_ID/$N): the blocks j with j mod n = i; --out then names the part file of its blocks, which 'gradverify merge' combines. --resume works per shard too."),
    ] + model
    + [Option("--params", "FILE", "θ, one number per line, in the model's layout (default: θ = N(0,1) seeded by --seed)")]

  static let merge: [Option] = [
    Option("--out", "FILE", "the sweep's table, or with --part the part file that holds every part given"),
    Option("--part", "combine any disjoint parts into one part file, to merge later"),
    .threads, .json,
  ]

  static let audit: [Option] = [
    Option("--gradients", "G", "the N × P per-example gradient matrix (.npy or CSV)"),
    Option("--pipeline", "g.npy", "the gradient your pipeline produced for the same θ and examples (P entries)"),
    Option("--examples", "M.csv", "one row per example, in G's order: tokens, micro_batch, rank, padding (any of them)"),
    Option("--precision", "P", "float32, float64 or bfloat16: the precision of the reduction (default: g's dtype)"),
    Option("--replay", "reduce G's mean in float32 and bfloat16 by four orders, each against Higham's bound"),
    Option("--ranks", "R", "data-parallel ranks of the replayed all-reduce (default: the rank column, or 8)"),
    Option("--batch", "b", "batch size of the mini-batch noise the replay is compared with (default N)"),
    backwardDepth,
    Option("--alpha", "A", "the confidence 1 − A of the probabilistic rounding bound (default \(AuditRequest().alpha))"),
    .threads, .json,
  ]

  static let bench: [Option] = [
    Option("--only", "PARTS", "comma list of rows, data, csv, kernel, check (default: all)"),
    Option("--n", "N", "rows of the generated gradients for 'rows' (default 4096)"),
    Option("--d", "D", "their columns (default 64)"),
    Option("--draws", "R", "draws per batch size for 'rows' (default 2000)"),
    Option("--sizes", "LIST", "batch sizes for 'rows' (default: 1, 2, 4, …, N)"),
    Option("--threads", "T", "worker threads of the multi-threaded runs (default: all cores)"),
    Option("--work", "DIR", "where 'data' writes the generated CSVs (default .build/bench)"),
  ]

  /// The model and data flags `check` and `sweep` share (`modelOptions`); --params, which they describe
  /// differently, is listed by each.
  static let model: [Option] = [
    Option("--model", "M", "linear, logistic, softmax or mlp"),
    Option("--data", "FILE", "the CSV file"),
    Option("--target", "COL", "the target column, by header name or 1-based position (default: the last)"),
    Option("--drop", "COLS", "columns to leave out, names or positions, comma-separated (e.g. 1 or id)"),
    Option("--delimiter", "C", "the cell separator: one character, e.g. ';', or 'tab' (default ',')"),
    Option("--hidden", "H", "mlp hidden width (default 16)"),
    Option("--l2", "L", "L2 penalty (L/2)·Σ weights² folded into each loss (default 0)"),
    Option("--standardize", "centre each feature column and divide by its population sd"),
  ]

  static let backwardDepth = Option(
    "--backward-depth", "K", "rounded operations per coordinate in one example's pass (default \(FrameworkGradientCheck.defaultBackwardDepth))")
}

extension Option {
  static let experiments = Option("--experiments", "DIR", "folder of experiment specs (default: Experiments)")
  static let threads = Option("--threads", "T", "worker threads (default: all cores); results do not depend on it")
  static let json = Option("--json", "FILE", "write the verdicts as JSON ('gradverify help json'); '-': standard output")
}

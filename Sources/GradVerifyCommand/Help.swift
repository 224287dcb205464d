import GradVerify

/// The help texts, one per command.
enum Help {
  static let overview = """
    gradverify: verify numerically why averaging per-example gradients works, how well a random
    mini-batch estimates the full gradient, and where that stops being true.

    USAGE: gradverify COMMAND [OPTIONS]

    COMMANDS:
      verify    run every experiment in Experiments/ and print the verdict table
      results   run every experiment and write its tables into results/
      figures   redraw the figures from the tables in results/, without running anything
      run       run one experiment spec:  gradverify run Experiments/X.json --out DIR
      check     claim C1 (linearity) on your own CSV data
      sweep     claims C2 and C3 (mini-batch bias and variance) on your own CSV data, or on the per-example
                gradients your framework computed (--gradients G.npy)
      merge     combine the part files of a sharded sweep into its table
      audit     which reduction your training pipeline computed from its per-example gradients, whether
                its float32/bfloat16 rounding matters against the mini-batch noise, and B_simple with an
                interval (--gradients G.npy --pipeline g.npy [--examples M.csv] [--replay])
      bench     the Monte Carlo sweep's speed (rows gathered per second)
      help      show this text, or 'gradverify help COMMAND'

    EXIT CODES: 0 every claim holds, 1 a claim failed or was inconclusive, 64 a usage or input error.
    JSON: --json FILE writes a command's verdicts for programs ('gradverify help json' for the schema).
    PROGRESS goes to stderr: on a terminal one updating line (% done, time left); in a log or a pipe one
    line every 10 s (GRADVERIFY_PROGRESS_SECONDS sets it). --quiet, with any command: stderr carries
    errors only (no progress, read summary or notes; the notes stay in --json).
    Run 'gradverify COMMAND --help' for a command's options.
    """

  static let verify = """
    USAGE: gradverify verify [OPTIONS]

    Runs every spec (*.json) in DIR (default: Experiments), prints one row per claim and case
    (claim id, case, key figure, verdict), and compares every table it made with the committed one in
    results/ (when run from the project root), naming any that differs. Exits 0 when every row is PASS
    or FAILS-AS-PREDICTED and every table is reproduced byte for byte, 1 otherwise.

    ONE FAMILY: every statistical spec states its share "alpha" of the run's level, and the shares add up
    (verify prints every share and their sum at the end); within a spec, Bonferroni's correction spreads
    its share over all its tests. So the probability that verify prints any false FAIL is at most that sum.
    A spec without "alpha" is deterministic (error bounds, enumeration) and spends none of it.

    OPTIONS:
    \(Option.render(CommandOptions.verify))
    """

  static let results = """
    USAGE: gradverify results [OPTIONS]

    Runs every spec in the experiments folder and writes its tables (CSV), figures, REPORT.md, REPORT.html,
    LaTeX tables and datapackage.json into DIR (default: results), each file atomically. A table or figure
    that DIR's earlier datapackage.json describes and this run no longer writes (a claim or spec removed) is
    removed, and a note names it. Prints the verdict table; exits 1 if a claim fails.

    OPTIONS:
    \(Option.render(CommandOptions.results))
    """

  static let figures = """
    USAGE: gradverify figures [OPTIONS]

    Redraws every figure (fig-*.svg) from the tables already in DIR (default: results), for the specs in the
    experiments folder, without running any experiment; each file written atomically. The same bytes
    'gradverify results' writes from those tables. REPORT.html and datapackage.json are not rewritten: a
    note names each figure drawn that datapackage.json does not describe (write the folder again with the
    command that made it). 'make figures' also renders each to a 1600 px PNG in .build/figures/ when
    rsvg-convert (Debian's librsvg2-bin) is installed.

    OPTIONS:
    \(Option.render(CommandOptions.figures))
    """

  static var run: String {
    let claims = ExperimentRegistry.all.map { kind in
      "  \(kind.claim.padding(toLength: 14, withPad: " ", startingAt: 0))"
        + (kind.keys.isEmpty ? "no keys of its own" : kind.keys.map { "\"\($0)\"" }.joined(separator: ", "))
        + "; rows: " + kind.verdictClaimNames.joined(separator: ", ")
    }
    return """
      USAGE: gradverify run SPEC.json [OPTIONS]

      Runs one experiment spec, prints its verdict rows and, with --out, writes its tables into DIR.

      A spec is a JSON object: {"claim": "C1", "title": …, "seed": S, "points": [{"name", "scale"}…],
      "cases": [{"model": "linear|logistic|softmax|mlp", "hidden": H, "l2": λ, "data": DATA}…]} where DATA is
      {"file": "data/x.csv", "standardize": true|false} (relative to the spec) or
      {"synthetic": "regression", "n": N, "d": D, "seed": S} or
      {"synthetic": "clusters", "n": N, "d": D, "classes": K, "seed": S}, plus the claim's own keys below.
      Any other key is an error. Examples of every claim: Experiments/*.json.

      CLAIMS, their own keys and the claims their verdict rows name:
      \(claims.joined(separator: "\n"))

      OPTIONS:
      \(Option.render(CommandOptions.run))
      """
  }

  static var check: String {
    """
    USAGE: gradverify check --model M --data FILE.csv [OPTIONS]

    Claim C1 on your data: the average of per-example analytic gradients, all at one θ, against a
    5-point finite difference of the average cost (with a per-coordinate error estimate and the
    halving test), every example's gradient against its own loss's difference, and complex-step
    derivatives and Swift's automatic differentiation (the 'ad' figure; n/a on a toolchain without
    _Differentiation) of both.

    TINY GRADIENTS: an entry's error counts only above u·Σᵢ|Gᵢⱼ| (u = 2⁻⁵³), the resolution of the average
    of that coordinate: where a logit saturates a row's gradient can be 1e-300 and its references underflow,
    and no error there can move the average. A difference that misses its own error estimate while the
    complex step (exact to rounding) agrees is the reference's failure, not the gradient's; where neither
    reference resolves a 1e-6 error the entry is INCONCLUSIVE, never FAIL.

    DATA: one header row, numeric feature columns, the target in the last column (a number for
    linear, a label otherwise; classes indexed in sorted order of the labels), or as --target, --drop
    and --delimiter say. What was read (N, d, the target, its classes) is summarised on stderr; a
    feature that counts the rows (an index, an id) is warned about. A file pandas wrote with its index
    (df.to_csv("f.csv")) starts with an unnamed column: pass --drop 1, or write it with index=False.

    MODELS (θ is one flat vector in this layout):
      linear    \(ModelKind.linear.lossSummary)
      logistic  \(ModelKind.logistic.lossSummary)
      softmax   \(ModelKind.softmax.lossSummary)
      mlp       \(ModelKind.mlp.lossSummary)

    OPTIONS:
    \(Option.render(CommandOptions.check))
    """
  }

  static let sweep = """
    USAGE: gradverify sweep --model M --data FILE.csv [OPTIONS]
           gradverify sweep --gradients G.npy|G.csv [--full-gradient g.npy] [OPTIONS]
           gradverify sweep --gradients G.npy --project K [OPTIONS]

    Claims C2 and C3 on your data: per-example gradients at θ (from --params, else θ = N(0,1) seeded by
    --seed) computed once, then R random mini-batches per sampler and batch size b. For each cell: the mean
    error per coordinate (C2, unbiasedness) and the mean squared error against its exact law (C3):
    tr Σ_N/b with replacement, (N−b)/(N−1)·tr Σ_N/b without (zero at b = N), (1−b/N)/b·(tr Σ_N + ‖g‖²) for
    Poisson(q = b/N) divided by b; and the two-batch noise-scale estimators (N ≥ 8).

    VERDICTS: each test is decided by its tail probability p under the exact null law of the population
    (not by a z against a normal value, which is wrong for sparse, one-hot or outlier-heavy gradients):
    far values enumerated exactly and the rest by a saddlepoint, a Chernoff bound without replacement, exact
    for cells with no spread; each tail at α/(2m), m counting every test of the run (each coordinate of each
    cell, each cell's MSE, the noise-scale pair), so the probability of any false FAIL in the whole output
    is at most α (measured: results/CAL-calibration.csv, results/calibration/). A FAIL row names the batch
    size and coordinate with z, p, method and level; the coordinates table (--out) has every coordinate's
    p. A cell that cannot detect a bias of 0.1·‖g‖∞ or 10% of the MSE law is INCONCLUSIVE ("more draws
    needed"); the rows state what they detect ("detects …"). Results are identical for any --threads.

    YOUR FRAMEWORK'S GRADIENTS: --gradients takes the N×P per-example gradient matrix your framework
    computed (PyTorch: torch.func.vmap(torch.func.grad(loss)), Opacus, BackPACK; JAX: jax.vmap(jax.grad(loss)))
    with each example's gradient flattened in one fixed θ order, saved by numpy.save (float64 or float32, C or
    Fortran order, .npy versions 1-3) or as a CSV with a header row (as 'check --dump-gradients' writes it); see
    Experiments/export/export_gradients.py. --full-gradient adds C1 for that model: the mean of the rows
    against the framework's own gradient of the mean loss at the same θ (a vector of P), within the rounding
    of autodiff of the mean: fl(1/N) carried through each example's pass of at most K rounded operations per
    coordinate (--backward-depth, default 32: a few dense layers), the rows' own pass, and the sum, in the
    precision of g.npy (or --precision). The bound is min(γₙ, λ·√n·u)·(1/N)Σ|Gᵢⱼ| with n = N + 2K: the
    worst case, or Higham & Mary's probabilistic bound at confidence 1 − α/10 (a tenth of the run's α; the
    sweep keeps the rest), which sees a row left out of 20 000 in float32. A per-sample tool that disagrees
    with its framework (batch norm or dropout left in train mode, a sum for a mean, a row left out, float32
    arithmetic declared float64) FAILs with the size.

    LARGER THAN MEMORY: --project K reads G.npy once, row by row, and keeps only y_i = S g_i, S = R/√K with
    R (K × P) seeded N(0, 1) or ±1 entries. The projected rows are a population of their own, so C2 and C3
    are exact tests of its sampling; tr(S Σ_N Sᵀ) and ‖S g‖² are unbiased for the gradients' tr Σ_N and ‖g‖²,
    printed with B_simple and 99% intervals over the sketch (measured coverage 96.8-99.1% at K = 64 on dense,
    one-hot, one-direction and outlier rows; K from 64 to 4096). Memory: R, N × K and one 8 MB piece.

    OPTIONS:
    \(Option.render(CommandOptions.sweep))
    """

  static let merge = """
    USAGE: gradverify merge PART… --out FILE.csv [OPTIONS]
           gradverify merge PART… --part --out PART

    Combines the part files of a sharded sweep ('gradverify sweep … --shard i/n --out PART') into the table
    the unsharded sweep writes, byte for byte, and prints its verdicts. Checks that the parts come from one
    sweep (same options, data sha256, tool and sampler versions; only i differs), that no block is given
    twice, and that every shard 0…n−1 is there and complete. The data file must be readable at the path the
    sweep was given: the merge recomputes the per-example gradients and the exact laws.

    With --part, any disjoint parts (some shards, or earlier merges) are combined into one part file for a
    later merge, e.g. one per node of a cluster. A part holds the exact sums of each cell (no rounding until
    the end), so merging in any grouping and order gives the same bytes; its size depends on the cells and P,
    not on the draws.

    OPTIONS:
    \(Option.render(CommandOptions.merge))
    """

  static let audit = """
    USAGE: gradverify audit --gradients G --pipeline g.npy [OPTIONS]

    A reduction auditor for your training run. G is the N × P per-example gradient matrix (.npy or CSV, as
    for 'sweep --gradients'; with token counts, each row is the gradient of that example's SUMMED token
    loss); g the gradient your pipeline produced for the same θ and examples (.npy of P entries); M a CSV
    with a header and one row per example, in G's order, with some of the columns
      tokens        the example's loss tokens (≥ 1)
      micro_batch   its gradient-accumulation step
      rank          its data-parallel worker
      padding       the pad tokens it carries
    Each reduction below is tested as g = Gᵀw within the rounding bound of that reduction in --precision
    (default: g's dtype; bfloat16 for a pipeline that reduces in bfloat16), the bound of 'sweep --full-gradient' (worst case, or at confidence 1 − A over the
    N·P products; K rounded operations per coordinate in each example's pass, default 32):
      mean                       wᵢ = 1/N
      token-mean                 wᵢ = 1/T, T = Σ tokens (the loss per token of the whole batch)
      mean-of-micro-batch-means  wᵢ = 1/(K·T_k): each accumulation step's token mean, averaged
      mean-of-rank-means         wᵢ = 1/(R·T_r): each rank's token mean, averaged by the all-reduce
      sum                        wᵢ = 1
      scaled-by-ranks            wᵢ = 1/(R·T): the token mean divided by the world size once more
      padding-counted            wᵢ = 1/Σ(tokens + padding)
    A hypothesis whose column is missing is INCONCLUSIVE; a FAIL row says by how much (max |g − Gᵀw| over
    its bound, ‖g − Gᵀw‖/‖Gᵀw‖, and the scale a with g ≈ a·Gᵀw). When P ≥ N (and N²·P ≤ 2e9) the weights
    are also recovered by least squares and the nearest hypothesis named.

    --replay reduces G's mean in float32 and bfloat16 (emulated exactly) by sequential, pairwise, ring
    all-reduce over R ranks (reduce-scatter then all-gather) and tree order, each against the exact mean and
    Higham's bound, and as a share of the mini-batch noise √(tr Σ_N/b) (R: --ranks, or the rank column, or
    8; b: --batch, default N).

    Always printed: tr Σ_N, ‖g‖² and B_simple of the rows, exactly, and for the population they were drawn
    from 99% jackknife intervals (4 significant digits; every figure as a number in --json).

    EXIT: 0 when some hypothesis holds and every replayed rounding is within its bound, 1 otherwise, 64 on
    bad input.

    OPTIONS:
    \(Option.render(CommandOptions.audit))
    """

  static let bench = """
    USAGE: gradverify bench [OPTIONS]

    Benchmarks, not tests; each result is one line of key=value fields. PARTS (comma list, default all):
      rows    the mini-batch sweep on N×d standard-normal gradients (default 4096×64), R draws (default 2000)
              per batch size 1, 2, 4, …, N (or --sizes), without and with replacement, on 1 and T threads:
              rows gathered per second and effective GB/s (the NumPy peer's figure)
      data    write the generated CSVs into DIR (default .build/bench), unless they exist: a 100 MB
              50 000 × 100 file, and a 4096 × 64 file for the whole-process sweep against the peer
      csv     read the 100 MB file into a data set: MB/s (median of 3)
      kernel  the sweep kernel at N = 10^6, P = 100 (800 MB, out of cache), without and with replacement, b = 1000,
              10 000, 100 000: GB/s of gradient rows per thread beside one core's read bandwidth (the sum of
              a 256 MB array), as a fraction of it
      check   'check --model linear' on the 100 MB file: seconds reading and seconds checking
    'make bench' runs them all and adds the ratios to pandas' read_csv and to the NumPy sweep peer.

    OPTIONS:
    \(Option.render(CommandOptions.bench))
    """

  static let json = """
    --json FILE (audit, check, sweep, merge, run, verify; FILE '-' is standard output) writes the verdicts as
    JSON: schema "gradverify-verdicts", version 2 — the command, whether every verdict holds, counts per
    verdict, one object per verdict row (claim, case, key figure, verdict, whether it holds, the family-wise
    α it shares or null), the notes, the input files with their sha256, and the figures behind the notes as
    numbers (sweep: tr Σ_N, ‖g‖², B_simple with its interval, the two-batch estimates; audit: the same, and
    its hypotheses and replay table). The JSON Schema (draft 2020-12):

    \(VerdictReport.schemaText)
    """

  /// A command's help, the overview ("help") or the JSON schema ("json").
  static func text(for topic: String) -> String? {
    if let command = Command.named(topic) { return command.help() }
    return topic == "help" ? overview : topic == "json" ? json : nil
  }
}

import Foundation

/// Which reduction of the per-example gradients G (N × P) a training pipeline computed, from the gradient g
/// it produced: every `ReductionHypothesis` as g = Gᵀw within the rounding bound of that reduction in the
/// pipeline's precision, and, where P ≥ N, the weights recovered by least squares.
///
/// ```
/// sⱼ = Σᵢ wᵢ Gᵢⱼ,   τⱼ = c · Σᵢ |wᵢ Gᵢⱼ|,   c = min(γₙ, γ̃ₙ(λ)),   n = N + 2K + e(h)
/// holds ⇔ maxⱼ |gⱼ − sⱼ| / τⱼ ≤ 1
/// ```
/// With `bfloat16` the pipeline is modelled as float32 arithmetic whose R per-rank partial sums
/// S_rⱼ = Σ_{i ∈ r} wᵢGᵢⱼ are converted to bfloat16 and all-reduced in it (R − 1 additions, one conversion,
/// one scaling): τⱼ = c₃₂·Σᵢ|wᵢGᵢⱼ| + c₁₆·Σ_r |S_rⱼ|, c₁₆ the same constant for n = R + 1 factors at
/// u = 2⁻⁸ (the ranks from the layout's `rank` column, else one).
/// The bound is the framework check's (`FrameworkGradientCheck`): each term passes through the example's
/// K rounded operations twice, the N − 1 additions of the reduction, and e(h) more for its divisions and,
/// for a mean of group means, the groups' own sum; c is the worst case γₙ or, at confidence 1 − α over the
/// N·P products, the probabilistic γ̃ₙ(λ) of Higham and Mary (2019). sⱼ and Σᵢ|wᵢGᵢⱼ| are compensated sums
/// in float64 (their error is far below float64's own γₙ). A rejected hypothesis is reported by how much:
/// the relative distance ‖g − s‖/‖s‖ and the scale a = ⟨g, s⟩/‖s‖² that would best turn s into g (a = 0.5
/// for a mean divided by two ranks once more).
package struct ReductionAudit: Sendable {
  public struct Finding: Sendable {
    public var hypothesis: ReductionHypothesis
    /// PASS (g is this reduction within rounding), FAIL, or INCONCLUSIVE when the layout lacks a column.
    public var verdict: Verdict
    /// The column the hypothesis needs and the layout lacks.
    public var missingColumn: String?
    /// maxⱼ |gⱼ − sⱼ|/τⱼ, at `worstCoordinate`.
    public var worstRatio = Double.nan
    public var worstCoordinate = 0
    /// ‖g − s‖₂/‖s‖₂ and ⟨g, s⟩/‖s‖².
    public var relativeDistance = Double.nan
    public var bestScale = Double.nan
    /// The bound's constant c, in units of u.
    public var boundInUnits = Double.nan
    public var weights: [Double] = []
  }

  /// Weights recovered by least squares (P ≥ N), the relative residual ‖Gᵀŵ − g‖/‖g‖, and the testable
  /// hypothesis whose weights are nearest (‖ŵ − w‖/‖w‖).
  public struct Recovery: Sendable {
    public var weights: [Double]
    public var relativeResidual: Double
    public var nearest: ReductionHypothesis?
    public var nearestDistance: Double
  }

  public var count: Int
  public var dimension: Int
  public var precision: FrameworkGradientCheck.Precision
  public var backwardDepth: Int
  public var alpha: Double
  public var findings: [Finding]
  /// c₁₆ of the bfloat16 all-reduce's share of the bound (0 unless `precision` is bfloat16).
  public var reductionConstant = 0.0
  public var recovery: Recovery?
  /// Why the weights were not recovered (P < N, or too large to solve here).
  public var recoveryNote: String?

  /// The largest N²·P the least-squares recovery takes on (about a second of work).
  public static let recoveryLimit = 2_000_000_000

  public init(
    population p: GradientPopulation, pipelineGradient g: [Double], layout: ExampleLayout,
    precision: FrameworkGradientCheck.Precision, backwardDepth: Int = FrameworkGradientCheck.defaultBackwardDepth,
    alpha: Double, threads: Int = 1
  ) {
    precondition(g.count == p.dimension && layout.count == p.count, "g must have P entries and the layout N rows")
    let (n, d) = (p.count, p.dimension)
    count = n
    dimension = d
    self.precision = precision
    self.backwardDepth = backwardDepth
    self.alpha = alpha
    var findings: [Finding] = []
    var tested: [(index: Int, weights: [Double])] = []
    for h in ReductionHypothesis.allCases {
      switch h.weights(layout: layout) {
      case .failure(let missing):
        findings.append(Finding(hypothesis: h, verdict: .inconclusive, missingColumn: missing.name))
      case .success(let w):
        tested.append((findings.count, w))
        findings.append(Finding(hypothesis: h, verdict: .inconclusive, weights: w))
      }
    }
    let ranks = layout.rank.map { r in Dictionary(uniqueKeysWithValues: Set(r).sorted().enumerated().map { ($1, $0) }) }
    let rankOf = layout.rank.map { r in r.map { ranks![$0]! } } ?? [Int](repeating: 0, count: n)
    let rankCount = ranks?.count ?? 1
    let sums = Self.weightedSums(
      p, weights: tested.map(\.weights), ranks: precision == .bfloat16 ? (rankOf, rankCount) : nil, threads: threads)
    let groups = Swift.max(Set(layout.microBatch ?? []).count, Set(layout.rank ?? []).count)
    let reduction = precision == .bfloat16
      ? FrameworkGradientCheck.roundingConstants(factors: rankCount + 1, products: rankCount * d, unitRoundoff: 0x1p-8, alpha: alpha)
      : (worstCase: 0.0, probabilistic: 0.0)
    let reductionConstant = Swift.min(reduction.worstCase, reduction.probabilistic)
    self.reductionConstant = reductionConstant
    let gNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    for (k, t) in tested.enumerated() {
      var f = findings[t.index]
      let (c, _) = Self.constant(
        hypothesis: f.hypothesis, count: n, dimension: d, groups: groups,
        precision: precision == .bfloat16 ? .float32 : precision, depth: backwardDepth, alpha: alpha)
      var worst = (ratio: 0.0, coordinate: 0)
      var (distance, norm, dot) = (0.0, 0.0, 0.0)
      for j in 0..<d {
        let (s, absolute) = (sums[k].values[j], sums[k].absolute[j])
        let difference = Swift.abs(g[j] - s)
        let bound = c * absolute + reductionConstant * sums[k].rankAbsolute[j]
        let ratio = difference == 0 ? 0 : (bound > 0 ? difference / bound : .infinity)
        if ratio > worst.ratio { worst = (ratio, j) }
        distance += (g[j] - s) * (g[j] - s)
        norm += s * s
        dot += g[j] * s
      }
      f.worstRatio = worst.ratio
      f.worstCoordinate = worst.coordinate
      f.relativeDistance = norm > 0 ? (distance / norm).squareRoot() : (gNorm == 0 ? 0 : .infinity)
      f.bestScale = norm > 0 ? dot / norm : .nan
      f.boundInUnits = c / (precision == .bfloat16 ? FrameworkGradientCheck.Precision.float32 : precision).unitRoundoff
      f.verdict = worst.ratio <= 1 ? .pass : .fail
      findings[t.index] = f
    }
    self.findings = findings
    if d < n {
      recoveryNote = "weights not recovered: P = \(d) < N = \(n) leaves them undetermined"
    } else if Double(n) * Double(n) * Double(d) > Double(Self.recoveryLimit) {
      recoveryNote = "weights not recovered: N²·P = \(shortScientific(Double(n) * Double(n) * Double(d))) is above \(shortScientific(Double(Self.recoveryLimit)))"
    } else {
      let columns = (0..<n).map { i in (0..<d).map { p.rows[i * d + $0] } }
      if let w = LeastSquares.solve(columns: columns, rightHandSide: g) {
        var residual = 0.0
        for j in 0..<d {
          var s = NeumaierSum()
          for i in 0..<n { s.add(w[i] * columns[i][j]) }
          residual += (s.value - g[j]) * (s.value - g[j])
        }
        let nearest = tested.map { t in
          (findings[t.index].hypothesis,
           (zip(w, t.weights).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / t.weights.reduce(0) { $0 + $1 * $1 }).squareRoot())
        }.min { $0.1 < $1.1 }
        recovery = Recovery(
          weights: w, relativeResidual: gNorm > 0 ? residual.squareRoot() / gNorm : residual.squareRoot(),
          nearest: nearest?.0, nearestDistance: nearest?.1 ?? .nan)
      } else {
        recoveryNote = "weights not recovered: the rows are linearly dependent"
      }
    }
  }

  /// The bound's constant c = min(γₙ, γ̃ₙ(λ)) for a hypothesis, and which of the two it is.
  static func constant(
    hypothesis: ReductionHypothesis, count n: Int, dimension d: Int, groups: Int,
    precision: FrameworkGradientCheck.Precision, depth: Int, alpha: Double
  ) -> (Double, probabilistic: Bool) {
    let (worstCase, probabilistic) = FrameworkGradientCheck.roundingConstants(
      factors: (n - 1) + 2 * depth + hypothesis.extraFactors(groups: groups), products: n * d,
      unitRoundoff: precision.unitRoundoff, alpha: alpha)
    return (Swift.min(worstCase, probabilistic), probabilistic < worstCase)
  }

  /// For each weight vector w: sⱼ = Σᵢ wᵢGᵢⱼ, Σᵢ|wᵢGᵢⱼ| and, given ranks, Σ_r |Σ_{i ∈ r} wᵢGᵢⱼ| (else 0),
  /// compensated, P split over the cores (the same bits for any thread count: each coordinate's sums run
  /// over i in order).
  static func weightedSums(
    _ p: GradientPopulation, weights: [[Double]], ranks: (of: [Int], count: Int)?, threads: Int
  ) -> [(values: [Double], absolute: [Double], rankAbsolute: [Double])] {
    let (n, d) = (p.count, p.dimension)
    let width = 256
    let rankCount = ranks?.count ?? 0
    let parts = parallelJobs(count: (d + width - 1) / width, threads: threads, makeScratch: {}) {
      job, _ -> [([Double], [Double], [Double])] in
      let first = job * width
      let w = Swift.min(d, first + width) - first
      var sums = [[NeumaierSum]](repeating: [NeumaierSum](repeating: NeumaierSum(), count: w), count: weights.count)
      var absolute = sums
      var perRank = [[NeumaierSum]](repeating: [NeumaierSum](repeating: NeumaierSum(), count: w * rankCount), count: weights.count)
      for i in 0..<n {
        let r = ranks?.of[i] ?? 0
        for j in 0..<w {
          let x = p.rows[i * d + first + j]
          for k in weights.indices {
            let term = weights[k][i] * x
            sums[k][j].add(term)
            absolute[k][j].add(Swift.abs(term))
            if rankCount > 0 { perRank[k][j * rankCount + r].add(term) }
          }
        }
      }
      return weights.indices.map { k in
        let rankAbsolute = (0..<w).map { j in
          rankCount == 0 ? 0 : (0..<rankCount).reduce(0.0) { $0 + Swift.abs(perRank[k][j * rankCount + $1].value) }
        }
        return (sums[k].map(\.value), absolute[k].map(\.value), rankAbsolute)
      }
    }
    return weights.indices.map { k in (parts.flatMap { $0[k].0 }, parts.flatMap { $0[k].1 }, parts.flatMap { $0[k].2 }) }
  }

  /// The hypotheses that hold.
  public var holding: [ReductionHypothesis] { findings.filter { $0.verdict == .pass }.map(\.hypothesis) }

  /// The bfloat16 all-reduce's term of the bound, as the key figure shows it.
  private var reductionShare: String {
    precision == .bfloat16 ? " + \(shortScientific(reductionConstant / 0x1p-8))u₁₆·Σ_r|S_r|, u = float32's" : ""
  }

  /// One verdict row per hypothesis.
  public func verdictRows(caseName: String) -> [VerdictRow] {
    findings.map { f in
      let figure: String
      if let missing = f.missingColumn {
        figure = "not tested: needs a '\(missing)' column in --examples"
      } else {
        figure = "max |g − Gᵀw|/bound \(shortScientific(f.worstRatio)) at coordinate \(f.worstCoordinate) "
          + "(bound \(shortScientific(f.boundInUnits))u·Σ|wG|\(reductionShare)); ‖g − Gᵀw‖/‖Gᵀw‖ = \(shortScientific(f.relativeDistance)), "
          + "g ≈ \(String(format: "%.4g", f.bestScale)) × Gᵀw"
      }
      return VerdictRow(claim: "audit/\(f.hypothesis.rawValue)", caseName: caseName, keyFigure: figure, verdict: f.verdict)
    }
  }
}

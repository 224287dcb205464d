
/// Batches taken as contiguous runs of the data order, for negative control N1. Every one of these samplers
/// has finitely many equally likely outcomes (its possible starts), so its exact mean and spread follow by
/// enumeration; a Monte Carlo run over random starts then confirms them.
///
/// ```
/// fixed:    start 0                                   (the first b rows)
/// aligned:  start ∈ {0, b, 2b, …, N − b}, uniform      (b divides N: every row in one block; unbiased)
/// sliding:  start uniform on [0, N − b], no wrap       bias = Σᵢ (πᵢ/b − 1/N) gᵢ,  πᵢ = #{starts covering i}/(N − b + 1)
/// circular: start uniform on [0, N), wrapping          unbiased; design effect 1 + 2 Σ_{k<b} (1 − k/b) ρ̂ₖ
/// ```
package enum ContiguousSampler: String, Sendable, CaseIterable, Codable {
  case fixed, aligned, sliding, circular

  /// The possible starts (all equally likely).
  public func starts(count n: Int, batch b: Int) -> [Int] {
    switch self {
    case .fixed: [0]
    case .aligned: Array(stride(from: 0, through: n - b, by: b))
    case .sliding: Array(0...(n - b))
    case .circular: Array(0..<n)
    }
  }

  /// Whether the sampler accepts batch size b of N.
  public func accepts(batch b: Int, count n: Int) -> Bool {
    b >= 1 && b <= n && (self != .aligned || n % b == 0)
  }
}

/// Exact and Monte Carlo moments of one contiguous sampler at one b.
package struct ContiguousMeasurement: Sendable {
  public var sampler: ContiguousSampler
  public var batch: Int
  /// How many equally likely starts the sampler has.
  public var starts: Int
  /// Exact, by enumerating every start: E[ḡ] − g, and E‖ḡ − g‖².
  public var exactBias: [Double]
  public var exactMSE: Double
  /// The sliding-window bias by its formula Σ (πᵢ/b − 1/N) gᵢ (nil for the other samplers).
  public var formulaBias: [Double]?
  /// Monte Carlo over random starts.
  public var measured: CellMeasurement
  /// Simple random sampling's E‖ḡ − g‖² = (N − b)/(N − 1) · tr Σ_N / b.
  public var simpleRandomMSE: Double
  /// The mean of b independent draws: tr Σ_N / b (the "iid value").
  public var independentMSE: Double
  /// How far the exact MSE of the aligned blocks, m̄ = (1/K) Σₖ ‖ḡₖ − g‖², spreads about `simpleRandomMSE`
  /// over uniformly random orders (b | N, K = N/b blocks; NaN otherwise). The diagonal Σᵢ‖dᵢ‖² is the same
  /// for every partition, so only the pairs within a block vary: with W = Σ_{i≠j same block} dᵢ·dⱼ,
  /// m̄ = (A1 + W)/(K b²) and, p_r the chance that r given rows share a block,
  /// ```
  /// p = (b−1)/(N−1),  p3 = p (b−2)/(N−2),  p4 = p [(b−2)(b−3) + (N−b)(b−1)] / ((N−2)(N−3))
  /// Var W = 2 Q2 p(1 − p) + 4 Q3 (p3 − p²) + Q4 (p4 − p²)     (Q2, Q3, Q4 of `PopulationMoments`)
  /// ```
  public var shuffledOrderStandardError: Double

  /// sd(m̄) over random orders, as documented at `shuffledOrderStandardError`.
  public static func shuffledPartitionStandardError(moments m: PopulationMoments, batch b: Int) -> Double {
    let n = m.count
    guard b > 1 && b < n else { return b == 1 || b == n ? 0 : .nan }  // every order: the same MSE
    guard n % b == 0, n >= 4 else { return .nan }
    let (nd, bd) = (Double(n), Double(b))
    let p = (bd - 1) / (nd - 1)
    let p3 = p * (bd - 2) / (nd - 2)
    let p4 = p * ((bd - 2) * (bd - 3) + (nd - bd) * (bd - 1)) / ((nd - 2) * (nd - 3))
    let q3 = m.a2 - m.q2
    let q4 = m.a1 * m.a1 - 2 * m.q2 - 4 * q3
    let varW = Swift.max(0, 2 * m.q2 * p * (1 - p) + 4 * q3 * (p3 - p * p) + q4 * (p4 - p * p))
    return varW.squareRoot() / ((nd / bd) * bd * bd)
  }

  public var exactBiasNorm: Double { exactBias.reduce(0) { $0 + $1 * $1 }.squareRoot() }

  /// The exact standard errors of the Monte Carlo means over R random starts: the spread of the enumerated
  /// errors over the starts, over √R (per coordinate, and of ‖ḡ − g‖²).
  public var exactBiasStandardError: [Double]
  public var exactMSEStandardError: Double

  /// max over coordinates of |Monte Carlo bias − exact bias| / exact se.
  ///
  /// A difference within the rounding of R terms summed (2R·u·max |eⱼ| over the starts) counts as none: where
  /// every start gives the same error up to rounding (b = N, or b = N/2 whose two halves mirror each other),
  /// the exact spread itself is only rounding.
  public var biasAgreementZ: Double {
    var worst = 0.0
    for j in exactBias.indices {
      let d = Swift.abs(measured.meanError[j] - exactBias[j])
      let se = exactBiasStandardError[j]
      let rounding = 2 * Double(measured.draws) * RoundingBoundNumber.unitRoundoff * largestError[j]
      worst = Swift.max(worst, d <= rounding ? 0 : (se > 0 ? d / se : .infinity))
    }
    return worst
  }

  /// max over coordinates of |Monte Carlo mean error| / exact se: how far the sampled mean is from zero bias
  /// (within the rounding allowance of `biasAgreementZ`, none).
  public var maxBiasZ: Double {
    var worst = 0.0
    for j in exactBias.indices {
      let e = Swift.abs(measured.meanError[j])
      let se = exactBiasStandardError[j]
      let rounding = 2 * Double(measured.draws) * RoundingBoundNumber.unitRoundoff * largestError[j]
      worst = Swift.max(worst, e <= rounding ? 0 : (se > 0 ? e / se : .infinity))
    }
    return worst
  }

  /// max over the starts of |eⱼ| per coordinate, and of ‖e‖².
  var largestError: [Double]
  var largestSquaredError: Double

  /// (Monte Carlo MSE − exact MSE) / exact se, with the same rounding allowance (2R·u·max ‖e‖²).
  public var mseAgreementZ: Double {
    let d = measured.meanSquaredError - exactMSE
    let se = exactMSEStandardError
    let rounding = 2 * Double(measured.draws) * RoundingBoundNumber.unitRoundoff * largestSquaredError
    return Swift.abs(d) <= rounding ? 0 : (se > 0 ? d / se : .infinity)
  }

  /// Runs the enumeration and `draws` random starts (blocked Philox streams, bit-identical for any threads).
  public init(
    population p: GradientPopulation, sampler: ContiguousSampler, batch b: Int, draws: Int, seed: UInt64, name: String,
    threads: Int, moments: PopulationMoments? = nil
  ) {
    let n = p.count
    let d = p.dimension
    precondition(sampler.accepts(batch: b, count: n), "batch size not accepted by the sampler")
    @Sendable func blockError(_ start: Int) -> [Double] {
      var sums = [Double](repeating: 0, count: d)
      for t in 0..<b {
        let i = (start + t) % n
        for j in 0..<d { sums[j] += p.rows[i * d + j] }
      }
      return (0..<d).map { sums[$0] / Double(b) - p.mean[$0] }
    }
    let starts = sampler.starts(count: n, batch: b)
    let errors = parallelMap(count: starts.count, threads: threads) { blockError(starts[$0]) }
    let k = Double(starts.count)
    let bias = (0..<d).map { j in errors.map { $0[j] }.compensatedSum() / k }
    let squares = errors.map { e in e.reduce(0) { $0 + $1 * $1 } }
    let mse = squares.compensatedSum() / k
    let r = Double(draws)
    exactBias = bias
    exactMSE = mse
    exactBiasStandardError = (0..<d).map { j in
      (errors.map { ($0[j] - bias[j]) * ($0[j] - bias[j]) }.compensatedSum() / k / r).squareRoot()
    }
    exactMSEStandardError = (squares.map { ($0 - mse) * ($0 - mse) }.compensatedSum() / k / r).squareRoot()
    largestError = (0..<d).map { j in errors.map { Swift.abs($0[j]) }.max() ?? 0 }
    largestSquaredError = squares.max() ?? 0
    if sampler == .sliding {
      let windows = Double(n - b + 1)
      formulaBias = (0..<d).map { j in
        (0..<n).map { i -> Double in
          let covering = Double(Swift.min(i, n - b) - Swift.max(0, i - b + 1) + 1)
          return (covering / windows / Double(b) - 1 / Double(n)) * p.rows[i * d + j]
        }.compensatedSum()
      }
    }
    simpleRandomMSE = n > 1 ? Double(n - b) / Double(n - 1) * p.traceSigma / Double(b) : 0
    independentMSE = p.traceSigma / Double(b)
    shuffledOrderStandardError = Self.shuffledPartitionStandardError(moments: moments ?? PopulationMoments(p), batch: b)
    self.sampler = sampler
    self.batch = b
    self.starts = starts.count
    let parts = DrawBlocks.map(draws: draws, threads: threads, makeScratch: {}) { block, count, _ -> BlockSums in
      var rng = PhiloxStream(seed: seed, name: "n1/\(name)/\(sampler.rawValue)/b=\(b)", substream: UInt64(block))
      var sums = BlockSums(dimension: d)
      sums.draws = count
      sums.squaredErrorDraws = count
      for _ in 0..<sums.draws {
        let e = errors[starts.count == 1 ? 0 : Int(rng.nextBounded(UInt64(starts.count)))]
        var squared = 0.0
        for j in 0..<d {
          sums.errorSum[j] += e[j]
          sums.errorSquareSum[j] += e[j] * e[j]
          squared += e[j] * e[j]
        }
        sums.squaredErrorSum += squared
        sums.squaredErrorSquareSum += squared * squared
      }
      return sums
    }
    var total = CellSums(dimension: d)
    for part in parts { total.add(part) }
    measured = total.measurement(cell: SweepCell(sampler: .withoutReplacement, batch: b))
  }
}

extension ContiguousMeasurement {
  /// The design effect, variance over a reference MSE (simple random sampling's at the same b, or the iid
  /// value σ²/b with `independentReference`): by Monte Carlo with its standard error, and exact by
  /// enumeration. The variance is the MSE less the squared exact bias.
  public func designEffects(independentReference: Bool) -> (measured: Double, se: Double, exact: Double) {
    let reference = independentReference ? independentMSE : simpleRandomMSE
    let biasSquared = exactBias.reduce(0) { $0 + $1 * $1 }
    return (
      (measured.meanSquaredError - biasSquared) / reference, measured.meanSquaredErrorStandardError / reference,
      (exactMSE - biasSquared) / reference
    )
  }
}

/// How a cell keeps its draws.
///
/// - `counts`: how often each example was listed (the batch, or its complement past N/2), as integers, with
///   the power sums of the squared errors. The mean error is then linear in the counts, one product per cell:
///   Σᵣ eᵣ = Gᵀc/b − R·g (batch listed) or R·(T/b − g) − Gᵀc/b (complement listed), c the summed counts.
///   Its size is N integers, whatever P.
/// - `vectors`: per coordinate Σeⱼ and Σeⱼ² over the draws (2P exact sums): the realised-size Poisson
///   estimator, whose divisor changes with each draw, and runs that want each coordinate's Monte Carlo
///   spread (the calibration's comparison with estimated standard errors).
package enum CellLayout: String, Sendable {
  case counts
  case vectors = "sums"

  /// The layout of a cell: `vectors` for the realised-size Poisson estimator or when each coordinate's
  /// spread is wanted, else `counts`.
  public static func of(_ cell: SweepCell, coordinateSpread: Bool) -> CellLayout {
    coordinateSpread || cell.sampler == .poissonRealized ? .vectors : .counts
  }
}

/// The sums one block of draws contributes, each added in draw order: a pure function of the block's
/// logical coordinates, whichever thread computed it.
package struct BlockSums: Sendable {
  /// `counts` layout: times each example was listed.
  var counts: [Int64] = []
  /// `vectors` layout: Σeⱼ and Σeⱼ².
  package var errorSum: [Double] = []
  package var errorSquareSum: [Double] = []
  package var squaredErrorSum = 0.0
  package var squaredErrorSquareSum = 0.0
  var squaredErrorCubeSum = 0.0
  package var draws = 0
  /// The draws whose squared errors the power sums hold (the block's first ones).
  package var squaredErrorDraws = 0

  /// A `vectors` block of dimension d.
  package init(dimension d: Int) {
    errorSum = [Double](repeating: 0, count: d)
    errorSquareSum = [Double](repeating: 0, count: d)
  }

  init(layout: CellLayout, examples n: Int, dimension d: Int) {
    switch layout {
    case .counts: counts = [Int64](repeating: 0, count: n)
    case .vectors:
      errorSum = [Double](repeating: 0, count: d)
      errorSquareSum = errorSum
    }
  }
}

/// The exact sums of a cell's blocks: integers, or sums held exactly (`ExactSum`), so the total is the same
/// for any set of threads or shards that computed the blocks and any order they came in.
package struct CellSums: Sendable {
  public var draws = 0
  /// The draws whose squared errors `squaredErrorPowerSums` holds (C3 may use fewer draws than C2).
  public var squaredErrorDraws = 0
  /// Σ‖e‖², Σ‖e‖⁴, Σ‖e‖⁶.
  var squaredErrorPowerSums: [ExactSum]
  /// `counts` layout: Σ over draws of the times each example was listed (empty otherwise).
  var listedCounts: [Int64]
  /// `vectors` layout: Σeⱼ and Σeⱼ² (empty otherwise).
  var errorSum: [ExactSum]
  var errorSquareSum: [ExactSum]

  public var layout: CellLayout { errorSum.isEmpty ? .counts : .vectors }

  /// A `vectors` cell of dimension d.
  package init(dimension d: Int) { self.init(layout: .vectors, examples: 0, dimension: d) }

  init(layout: CellLayout, examples n: Int, dimension d: Int) {
    squaredErrorPowerSums = [ExactSum](repeating: ExactSum(), count: 3)
    listedCounts = layout == .counts ? [Int64](repeating: 0, count: n) : []
    errorSum = layout == .vectors ? [ExactSum](repeating: ExactSum(), count: d) : []
    errorSquareSum = errorSum
  }

  init(
    draws: Int, squaredErrorDraws: Int, powers: [ExactSum], listedCounts: [Int64], errorSum: [ExactSum],
    errorSquareSum: [ExactSum]
  ) {
    self.draws = draws
    self.squaredErrorDraws = squaredErrorDraws
    squaredErrorPowerSums = powers
    self.listedCounts = listedCounts
    self.errorSum = errorSum
    self.errorSquareSum = errorSquareSum
  }

  package mutating func add(_ block: BlockSums) {
    draws += block.draws
    squaredErrorDraws += block.squaredErrorDraws
    squaredErrorPowerSums[0].add(block.squaredErrorSum)
    squaredErrorPowerSums[1].add(block.squaredErrorSquareSum)
    squaredErrorPowerSums[2].add(block.squaredErrorCubeSum)
    for i in listedCounts.indices { listedCounts[i] += block.counts[i] }
    for j in errorSum.indices {
      errorSum[j].add(block.errorSum[j])
      errorSquareSum[j].add(block.errorSquareSum[j])
    }
  }

  mutating func add(_ other: CellSums) {
    draws += other.draws
    squaredErrorDraws += other.squaredErrorDraws
    for k in 0..<3 { squaredErrorPowerSums[k].add(other.squaredErrorPowerSums[k]) }
    for i in listedCounts.indices { listedCounts[i] += other.listedCounts[i] }
    for j in errorSum.indices {
      errorSum[j].add(other.errorSum[j])
      errorSquareSum[j].add(other.errorSquareSum[j])
    }
  }

  /// What the draws measured, from the sums rounded once each.
  ///
  /// ```
  /// ē = Σe/R (vectors), or from the counts: ē = Gᵀc/(R·b) − g (batch listed), (T/b − g) − Gᵀc/(R·b)
  ///   (complement listed; exactly 0 at b = N),   se(ēⱼ) = √(max(0, (Σeⱼ² − R ēⱼ²)/(R − 1)) / R) (vectors only),
  /// MSE = Σ‖e‖²/R₃,  se(MSE) = √(max(0, (Σ‖e‖⁴ − R₃ MSE²)/(R₃ − 1)) / R₃), R₃ the draws with squared errors
  /// ```
  /// - Parameters:
  ///   - listed: for the `counts` layout, Gᵀc (`MiniBatchSweep.listedSums`), the population, and whether
  ///     the draws listed the complement of the batch.
  package func measurement(
    cell: SweepCell, listed: (sum: [Double], population: GradientPopulation, complement: Bool)? = nil
  ) -> CellMeasurement {
    let r = Double(draws)
    let powers = squaredErrorPowerSums.map(\.value)
    var mean: [Double]
    var se: [Double] = []
    if let (listedSum, p, complement) = listed {
      let b = Double(cell.batch)
      mean = (0..<p.dimension).map { j in
        let drawn = listedSum[j] / (r * b)
        return complement ? (p.total[j] / b - p.mean[j]) - drawn : drawn - p.mean[j]
      }
    } else {
      mean = errorSum.map { $0.value / r }
      se = zip(errorSquareSum, mean).map { s2, m in
        (Swift.max(0, (s2.value - r * m * m) / (r - 1)) / r).squareRoot()
      }
    }
    let r3 = Double(squaredErrorDraws)
    let mse = powers[0] / r3
    let mseVariance = Swift.max(0, (powers[1] - r3 * mse * mse) / (r3 - 1))
    var measured = CellMeasurement(
      cell: cell, draws: draws, meanError: mean, meanErrorStandardError: se, meanSquaredError: mse,
      meanSquaredErrorStandardError: (mseVariance / r3).squareRoot(), squaredErrorPowerSums: powers,
      everyErrorZero: powers[1] == 0)
    measured.squaredErrorDraws = squaredErrorDraws
    return measured
  }
}

/// The sums one block of draws contributes, each added in draw order: a pure function of the block's
/// logical coordinates, whichever thread computed it.
struct BlockSums: Sendable {
  var errorSum: [Double]
  var errorSquareSum: [Double]
  var squaredErrorSum = 0.0
  var squaredErrorSquareSum = 0.0
  var squaredErrorCubeSum = 0.0
  var draws = 0

  init(dimension d: Int) {
    errorSum = [Double](repeating: 0, count: d)
    errorSquareSum = [Double](repeating: 0, count: d)
  }
}

/// The exact sums of a cell's blocks: Σ over blocks of each block sum, held exactly (`ExactSum`), so the
/// total is the same for any set of threads or shards that computed the blocks and any order they came in.
public struct CellSums: Sendable {
  public var draws = 0
  /// Σ‖e‖², Σ‖e‖⁴, Σ‖e‖⁶.
  var squaredErrorPowerSums: [ExactSum]
  var errorSum: [ExactSum]
  var errorSquareSum: [ExactSum]

  init(dimension d: Int) {
    squaredErrorPowerSums = [ExactSum](repeating: ExactSum(), count: 3)
    errorSum = [ExactSum](repeating: ExactSum(), count: d)
    errorSquareSum = [ExactSum](repeating: ExactSum(), count: d)
  }

  /// How many exact sums a cell of dimension d holds: 3 + 2d.
  static func exactSumCount(dimension d: Int) -> Int { 3 + 2 * d }

  /// In the order `exactSums` lists them: the three powers, then Σeⱼ, then Σeⱼ².
  init(draws: Int, exactSums: [ExactSum]) {
    let d = (exactSums.count - 3) / 2
    self.draws = draws
    squaredErrorPowerSums = Array(exactSums[0..<3])
    errorSum = Array(exactSums[3..<(3 + d)])
    errorSquareSum = Array(exactSums[(3 + d)...])
  }

  var exactSums: [ExactSum] { squaredErrorPowerSums + errorSum + errorSquareSum }

  mutating func add(_ block: BlockSums) {
    draws += block.draws
    squaredErrorPowerSums[0].add(block.squaredErrorSum)
    squaredErrorPowerSums[1].add(block.squaredErrorSquareSum)
    squaredErrorPowerSums[2].add(block.squaredErrorCubeSum)
    for j in errorSum.indices {
      errorSum[j].add(block.errorSum[j])
      errorSquareSum[j].add(block.errorSquareSum[j])
    }
  }

  mutating func add(_ other: CellSums) {
    draws += other.draws
    for k in 0..<3 { squaredErrorPowerSums[k].add(other.squaredErrorPowerSums[k]) }
    for j in errorSum.indices {
      errorSum[j].add(other.errorSum[j])
      errorSquareSum[j].add(other.errorSquareSum[j])
    }
  }

  /// What the draws measured, from the sums rounded once each.
  ///
  /// ```
  /// ē = Σe/R,  se(ēⱼ) = √(max(0, (Σeⱼ² − R ēⱼ²)/(R − 1)) / R),
  /// MSE = Σ‖e‖²/R,  se(MSE) = √(max(0, (Σ‖e‖⁴ − R MSE²)/(R − 1)) / R)
  /// ```
  func measurement(cell: SweepCell) -> CellMeasurement {
    let r = Double(draws)
    let powers = squaredErrorPowerSums.map(\.value)
    let mean = errorSum.map { $0.value / r }
    let se = zip(errorSquareSum, mean).map { s2, m in
      (Swift.max(0, (s2.value - r * m * m) / (r - 1)) / r).squareRoot()
    }
    let mse = powers[0] / r
    let mseVariance = Swift.max(0, (powers[1] - r * mse * mse) / (r - 1))
    return CellMeasurement(
      cell: cell, draws: draws, meanError: mean, meanErrorStandardError: se, meanSquaredError: mse,
      meanSquaredErrorStandardError: (mseVariance / r).squareRoot(), squaredErrorPowerSums: powers,
      everyErrorZero: powers[1] == 0)
  }
}

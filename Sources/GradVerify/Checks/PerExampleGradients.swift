/// Every example's loss and analytic gradient at one θ, and their compensated averages.
///
/// ```
/// G[i, j] = ∂L(xᵢ, θ)/∂θⱼ,    g = (1/N) Σᵢ G[i, ·],    C = (1/N) Σᵢ L(xᵢ, θ)    (Neumaier sums)
/// ```
public struct PerExampleGradients: Sendable {
  public let count: Int
  public let parameterCount: Int
  /// N×P, row-major: row i is example i's gradient in θ's layout.
  public let matrix: [Double]
  public let losses: [Double]
  /// g, the average of the rows.
  public let average: [Double]
  /// C, the average loss.
  public let cost: Double

  /// - Complexity: O(N·cost of one gradient).
  public init<M: PerExampleModel>(model: M, data: Dataset, theta: [Double]) {
    let n = data.count
    let p = model.parameterCount
    precondition(theta.count == p, "θ must have P entries")
    var matrix = [Double](repeating: 0, count: n * p)
    var losses = [Double](repeating: 0, count: n)
    theta.withUnsafeBufferPointer { t in
      matrix.withUnsafeMutableBufferPointer { m in
        for i in 0..<n {
          losses[i] = data.withExample(i) { example in
            model.lossAndGradient(t, example, into: UnsafeMutableBufferPointer(rebasing: m[(i * p)..<(i * p + p)]))
          }
        }
      }
    }
    var sums = [NeumaierSum](repeating: NeumaierSum(), count: p)
    for i in 0..<n {
      for j in 0..<p { sums[j].add(matrix[i * p + j]) }
    }
    self.count = n
    self.parameterCount = p
    self.matrix = matrix
    self.losses = losses
    self.average = sums.map { $0.value / Double(n) }
    self.cost = losses.compensatedSum() / Double(n)
  }

  /// u·Σᵢ|G[i, j]|: the rounding-level resolution of the average of coordinate j, below which an error in
  /// one example's entry cannot move the average (compensated sum).
  public func resolutionFloor(coordinate j: Int) -> Double {
    var magnitude = NeumaierSum()
    for i in 0..<count { magnitude.add(Swift.abs(matrix[i * parameterCount + j])) }
    return RoundingBoundNumber.unitRoundoff * magnitude.value
  }

  /// ‖G[i, ·]‖∞ for every example: the scale against which example i's errors are relative.
  public var rowScales: [Double] {
    (0..<count).map { i in
      var m = 0.0
      for j in 0..<parameterCount { m = Swift.max(m, Swift.abs(matrix[i * parameterCount + j])) }
      return m
    }
  }
}

extension PerExampleModel {
  /// Every example's loss at θ, in the arithmetic of `S`.
  @inlinable public func losses<S: LossScalar>(_ theta: [S], data: Dataset) -> [S] {
    theta.withUnsafeBufferPointer { t in
      (0..<data.count).map { i in data.withExample(i) { loss(t, $0) } }
    }
  }
}

extension PerExampleGradients {
  /// The N×P matrix as CSV: header g0,…,g{P−1}, one row per example, shortest round-trip doubles.
  package var csv: CSVDocument {
    var doc = CSVDocument(header: (0..<parameterCount).map { "g\($0)" })
    for i in 0..<count {
      doc.append((0..<parameterCount).map { CSVCell(matrix[i * parameterCount + $0]) })
    }
    return doc
  }
}

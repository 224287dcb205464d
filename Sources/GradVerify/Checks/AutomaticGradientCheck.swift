/// The third C1 oracle: every example's hand-written gradient against Swift's automatic differentiation of
/// the same loss written a second time (`DifferentiableLoss`), and the averages of both.
///
/// ```
/// Aᵢ = ∇θ L(xᵢ, θ) by reverse-mode AD,    a = (1/N) Σᵢ Aᵢ   (Neumaier sums)
/// FAIL  |Aᵢⱼ − Gᵢⱼ| > max(τᵢⱼ, u·Σᵢ|Gᵢⱼ|)   or   |aⱼ − gⱼ| > τⱼ
/// τᵢⱼ = 10·(2·depth·u·‖Gᵢ‖∞ + 2u|Gᵢⱼ|),   τⱼ = 10·(2·depth·u·mean‖Gᵢ‖∞ + 2u|gⱼ|)
/// ```
/// Both gradients are chains of at most `depth` roundings from θ, so they differ by a forward error of the
/// complex step's kind and are held to the same bound (`LinearityCheck.roundingTolerance`); a 1e-6 bug in
/// either one lies 10⁷ times above it on the well-scaled cases.
package struct AutomaticGradientCheck: Sendable {
  /// maxⱼ |aⱼ − gⱼ| / ‖g‖∞.
  public var relativeError: Double
  /// max over examples of ‖Aᵢ − Gᵢ‖∞ / ‖Gᵢ‖∞.
  public var perExampleMaxRelativeError: Double
  /// Entries, average or per example, outside the rounding bound.
  public var failures: Int

  /// The comparison at θ, or nil when the model has no automatic gradient (a toolchain without
  /// `_Differentiation`).
  ///
  /// - Complexity: O(N·P·cost of one loss) for the pullbacks (each array read's pullback is O(P)).
  public init?<M: PerExampleModel>(model: M, data: Dataset, theta: [Double], gradients: PerExampleGradients, threads: Int) {
    let n = data.count
    let p = model.parameterCount
    let rows: [[Double]?] = parallelMap(count: n, threads: threads) { i in
      theta.withUnsafeBufferPointer { t in data.withExample(i) { model.automaticGradient(t, $0) } }
    }
    guard n > 0, rows.allSatisfy({ $0?.count == p }) else { return nil }
    let depth = Double(model.roundingDepth(theta: theta, data: data))
    let rowScales = gradients.rowScales
    let meanRowScale = rowScales.compensatedSum() / Double(n)
    let gScale = gradients.average.reduce(0) { Swift.max($0, Swift.abs($1)) }
    var failures = 0
    var perExampleWorst = 0.0
    var averageWorst = 0.0
    for j in 0..<p {
      var sum = NeumaierSum()
      let floor = gradients.resolutionFloor(coordinate: j)
      for i in 0..<n {
        let gij = gradients.matrix[i * p + j]
        let aij = rows[i]![j]
        sum.add(aij)
        let difference = Swift.abs(aij - gij)
        let tolerance = LinearityCheck.roundingTolerance(depth: depth, scale: rowScales[i], entry: gij)
        if !(difference <= Swift.max(tolerance, floor)) { failures += 1 }
        if rowScales[i] > 0 { perExampleWorst = Swift.max(perExampleWorst, difference / rowScales[i]) }
      }
      let gj = gradients.average[j]
      let difference = Swift.abs(sum.value / Double(n) - gj)
      if !(difference <= LinearityCheck.roundingTolerance(depth: depth, scale: meanRowScale, entry: gj)) { failures += 1 }
      averageWorst = Swift.max(averageWorst, difference)
    }
    relativeError = gScale > 0 ? averageWorst / gScale : averageWorst
    perExampleMaxRelativeError = perExampleWorst
    self.failures = failures
  }
}


/// Negative control N3: per-example gradients taken while θ moves (sequential SGD steps) are not the
/// gradient at one point. The discrepancy grows with the step size, to first order as predicted, and is
/// exactly zero at η = 0.
///
/// ```
/// θ₀ given; for t = 1…k:  gₜ = ∇L(x_{iₜ}, θₜ₋₁),  θₜ = θₜ₋₁ − η gₜ       (iₜ uniform, with replacement)
/// D(η) = (1/k) Σₜ gₜ − (1/k) Σₜ ∇L(x_{iₜ}, θ₀)
/// E[D(η)] = −η (k − 1)/2 · H g + O(η²),   H g = ∂/∂ε ∇C(θ₀ + ε g) at ε = 0   (central difference)
/// ```
/// The mean of D over R random orders is compared with the prediction coordinate by coordinate, as a z-score
/// with its Monte Carlo standard error (Bonferroni over coordinates and the steps judged).
package struct ParameterDriftControl: Sendable {
  /// One step size's measurement.
  public struct Step: Sendable {
    public var eta: Double
    /// mean over orders of D(η), per coordinate, with its Monte Carlo standard error.
    public var meanDiscrepancy: [Double]
    public var standardError: [Double]
    /// −η(k−1)/2 · H g.
    public var prediction: [Double]
    /// Whether this step is judged against the first-order prediction.
    public var firstOrder: Bool

    /// ‖mean D‖.
    public var discrepancyNorm: Double { meanDiscrepancy.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    public var predictionNorm: Double { prediction.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    /// max over coordinates of |mean Dⱼ − predictionⱼ| / seⱼ.
    public var maxAgreementZ: Double {
      var worst = 0.0
      for j in meanDiscrepancy.indices {
        let difference = Swift.abs(meanDiscrepancy[j] - prediction[j])
        worst = Swift.max(worst, standardError[j] > 0 ? difference / standardError[j] : (difference == 0 ? 0 : .infinity))
      }
      return worst
    }
    /// max over coordinates of |mean Dⱼ| / seⱼ: how clearly the discrepancy is there at all.
    public var maxDiscrepancyZ: Double {
      var worst = 0.0
      for j in meanDiscrepancy.indices {
        let m = Swift.abs(meanDiscrepancy[j])
        worst = Swift.max(worst, standardError[j] > 0 ? m / standardError[j] : (m == 0 ? 0 : .infinity))
      }
      return worst
    }
    /// True when every order's discrepancy was exactly zero (η = 0).
    public var exactlyZero: Bool { meanDiscrepancy.allSatisfy { $0 == 0 } && standardError.allSatisfy { $0 == 0 } }
  }

  public var examplesPerPass: Int
  public var orders: Int
  /// c = ‖H g‖/‖g‖, the curvature along the gradient: η·k·c measures how far a pass moves the gradients.
  public var curvature: Double
  public var steps: [Step]
  public var alpha: Double
  /// Bonferroni's critical |z| over the coordinates of the first-order steps.
  public var criticalZ: Double

  /// - Parameters:
  ///   - etas: step sizes, including 0 for the positive twin.
  ///   - firstOrderLimit: steps with η·k·c ≤ this are judged against the first-order prediction (the
  ///     neglected O(η²) term is then about that fraction of the prediction).
  public init<M: PerExampleModel>(
    model: M, data: Dataset, theta: [Double], examplesPerPass k: Int, etas: [Double], firstOrderLimit: Double,
    orders: Int, seed: UInt64, name: String, alpha: Double, threads: Int
  ) {
    precondition(k >= 2 && orders >= 2 && !etas.isEmpty, "need k ≥ 2, R ≥ 2 and at least one η")
    let p = model.parameterCount
    let n = data.count
    let g = PerExampleGradients(model: model, data: data, theta: theta).average
    let hg = Self.hessianTimesGradient(model: model, data: data, theta: theta)
    let gNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let curvature = gNorm > 0 ? hg.reduce(0) { $0 + $1 * $1 }.squareRoot() / gNorm : 0
    // Each η draws its own R orders (independent streams), so the judged η are independent tests and the
    // slope against η is measured, not built in by common random numbers.
    let perOrder = parallelMap(count: orders, threads: threads) { r -> [[Double]] in
      var g = [Double](repeating: 0, count: p)
      return etas.indices.map { e in
        let eta = etas[e]
        var rng = PhiloxStream(seed: seed, name: "drift/\(name)/eta#\(e)", substream: UInt64(r))
        let picks = (0..<k).map { _ in Int(rng.nextBounded(UInt64(n))) }
        var fixed = [Double](repeating: 0, count: p)
        theta.withUnsafeBufferPointer { t in
          for i in picks {
            g.withUnsafeMutableBufferPointer { out in _ = data.withExample(i) { model.lossAndGradient(t, $0, into: out) } }
            for j in 0..<p { fixed[j] += g[j] }
          }
        }
        var current = theta
        var moving = [Double](repeating: 0, count: p)
        for i in picks {
          current.withUnsafeBufferPointer { t in
            g.withUnsafeMutableBufferPointer { out in _ = data.withExample(i) { model.lossAndGradient(t, $0, into: out) } }
          }
          for j in 0..<p {
            moving[j] += g[j]
            current[j] -= eta * g[j]
          }
        }
        return (0..<p).map { (moving[$0] - fixed[$0]) / Double(k) }
      }
    }
    var steps: [Step] = []
    for (e, eta) in etas.enumerated() {
      var mean = [Double](repeating: 0, count: p)
      var square = [Double](repeating: 0, count: p)
      for order in perOrder {
        for j in 0..<p {
          mean[j] += order[e][j]
          square[j] += order[e][j] * order[e][j]
        }
      }
      let r = Double(orders)
      for j in 0..<p { mean[j] /= r }
      let se = (0..<p).map { j in (Swift.max(0, (square[j] - r * mean[j] * mean[j]) / (r - 1)) / r).squareRoot() }
      let prediction = hg.map { -eta * Double(k - 1) / 2 * $0 }
      steps.append(
        Step(eta: eta, meanDiscrepancy: mean, standardError: se, prediction: prediction,
          firstOrder: eta > 0 && eta * Double(k) * curvature <= firstOrderLimit))
    }
    self.examplesPerPass = k
    self.orders = orders
    self.curvature = curvature
    self.steps = steps
    self.alpha = alpha
    criticalZ = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: Swift.max(1, p * steps.filter(\.firstOrder).count))
  }

  /// H g by a central difference of the averaged analytic gradient along g, Richardson-extrapolated:
  /// [4 D(ε) − D(2ε)]/3 with D(ε) = [∇C(θ + εg) − ∇C(θ − εg)]/2ε, error O(ε⁴).
  static func hessianTimesGradient<M: PerExampleModel>(model: M, data: Dataset, theta: [Double]) -> [Double] {
    let g = PerExampleGradients(model: model, data: data, theta: theta).average
    let norm = g.reduce(0) { Swift.max($0, Swift.abs($1)) }
    guard norm > 0 else { return g.map { _ in 0 } }
    let scale = Swift.max(1, theta.reduce(0) { Swift.max($0, Swift.abs($1)) })
    let epsilon = 1e-3 * scale / norm
    func difference(_ e: Double) -> [Double] {
      let plus = PerExampleGradients(model: model, data: data, theta: zip(theta, g).map { $0 + e * $1 }).average
      let minus = PerExampleGradients(model: model, data: data, theta: zip(theta, g).map { $0 - e * $1 }).average
      return zip(plus, minus).map { ($0 - $1) / (2 * e) }
    }
    let d1 = difference(epsilon)
    let d2 = difference(2 * epsilon)
    return zip(d1, d2).map { (4 * $0 - $1) / 3 }
  }

  /// The log-log slope of ‖mean D‖ against η over the first-order steps (least squares), expected 1.
  public var slope: Double? {
    leastSquaresSlope(
      steps.filter { $0.firstOrder && $0.discrepancyNorm > 0 }.map { (Double.log($0.eta), Double.log($0.discrepancyNorm)) })
  }

  /// FAILS-AS-PREDICTED when the discrepancy is clearly there at the largest η (|z| above the critical
  /// value) and agrees with the first-order prediction at every judged η; UNEXPECTED-PASS when it is not
  /// there; FAIL when it is there but off the prediction.
  public var controlVerdict: Verdict {
    guard let largest = steps.filter({ $0.eta > 0 }).max(by: { $0.eta < $1.eta }) else { return .unexpectedPass }
    let broke = largest.maxDiscrepancyZ > criticalZ
    let agrees = steps.filter(\.firstOrder).allSatisfy { $0.maxAgreementZ <= criticalZ }
    return .control(broke: broke, sizeAsPredicted: agrees)
  }

  /// The positive twin: at η = 0 every order's discrepancy is exactly zero.
  public var twinVerdict: Verdict? {
    guard let zero = steps.first(where: { $0.eta == 0 }) else { return nil }
    return zero.exactlyZero ? .pass : .fail
  }
}

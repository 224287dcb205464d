/// The order-of-accuracy test: the error of a 3-point central difference as h halves.
///
/// ```
/// D₃(h) = [C(θ + h eⱼ) − C(θ − h eⱼ)] / 2h,   e(h) = |D₃(h) − gⱼ| = |h² C'''/6 + O(h⁴) + bug|
/// ```
/// While truncation dominates, e(h)/e(h/2) → 4 (slope 2); with a wrong gradient the error levels off at the
/// bug's size and the ratio falls to 1. A pair of steps counts as in the truncation regime when both errors
/// exceed 100× their rounding bound r(h) = (δ_C + u|C|)/h, which keeps rounding's effect on a ratio within
/// about ±1.5%; the verdict reads the last ratio in that regime against [3.5, 4.5].
public struct HalvingTest: Sendable {
  /// One step of the sequence.
  public struct Step: Sendable {
    public var step: Double
    public var error: Double
    public var roundingBound: Double
  }

  public static let acceptedRatios: ClosedRange<Double> = 3.5...4.5
  public static let regimeFactor = 100.0
  /// Number of halvings after the largest step h₀ ≈ max(1, |θⱼ|)/16.
  public static let halvings = 24

  public let coordinate: Int
  public let steps: [Step]

  /// Ratios e(h)/e(h/2) for the consecutive pairs in the truncation regime, largest h first.
  public var regimeRatios: [Double] {
    var ratios: [Double] = []
    for (a, b) in zip(steps, steps.dropFirst())
    where a.error >= Self.regimeFactor * a.roundingBound && b.error >= Self.regimeFactor * b.roundingBound {
      ratios.append(a.error / b.error)
    }
    return ratios
  }

  /// The last three ratios in the truncation regime (smallest steps), as reported in tables.
  public var reportedRatios: [Double] { Array(regimeRatios.suffix(3)) }

  /// PASS when the error is at rounding level at every step (no truncation regime: the cost is
  /// polynomial of degree ≤ 2 along θⱼ) or when the last regime ratio lies in [3.5, 4.5]; FAIL otherwise.
  public var verdict: Verdict {
    guard let last = regimeRatios.last else { return .pass }
    return Self.acceptedRatios.contains(last) ? .pass : .fail
  }

  /// Runs the sequence at coordinate j against the analytic gⱼ.
  ///
  /// - Parameters:
  ///   - costError: δ_C, a bound on the rounding error of one evaluation of C.
  /// - Complexity: 2·(halvings + 1) evaluations of the cost.
  public init<M: PerExampleModel>(
    model: M, data: Dataset, theta: [Double], coordinate j: Int, analytic gj: Double, costError: Double
  ) {
    coordinate = j
    var h = CentralStencil.step(near: theta[j], order: 0) / 16
    var steps: [Step] = []
    for _ in 0...Self.halvings {
      let stencil = CentralStencil(centre: theta[j], step: h, multiples: [-1, 1])
      let values = stencil.costs(model: model, theta: theta, coordinate: j, data: data)
      let d3 = (values[1] - values[0]) / (2 * h)
      let magnitude = Swift.max(Swift.abs(values[0]), Swift.abs(values[1]))
      let stepError = Swift.abs(d3) * (Swift.abs(stencil.representationErrors[0]) + Swift.abs(stencil.representationErrors[1])) / (2 * h)
      let rounding = (costError + RoundingBoundNumber.unitRoundoff * magnitude) / h + stepError
      steps.append(Step(step: h, error: Swift.abs(d3 - gj), roundingBound: rounding))
      h /= 2
    }
    self.steps = steps
  }
}

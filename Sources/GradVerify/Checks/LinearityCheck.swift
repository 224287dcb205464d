/// Claim C1: the average of per-example analytic gradients, all at one θ, equals ∇C, checked against a
/// 5-point finite difference of the average cost and, example by example, against each loss's own
/// finite difference; complex-step derivatives check both to rounding level.
///
/// ```
/// gⱼ = (1/N) Σᵢ ∂L(xᵢ, θ)/∂θⱼ   vs   Dⱼ = 5-point difference of C(θ) = (1/N) Σᵢ L(xᵢ, θ)
/// PASS  |Dⱼ − gⱼ| ≤ τⱼ       INCONCLUSIVE  τⱼ > 1e-6‖g‖∞ (then complex step decides)
/// step: h = eps^(1/5)·max(1, |θⱼ|) as a power of two, refined to h·(R/4T)^(1/5) where truncation T
///       outweighs rounding R (the average only; every example shares the first stencil)
/// complex step: CSⱼ = Im C(θ + i·10⁻²⁰ eⱼ)/10⁻²⁰,   |CSⱼ − gⱼ| ≤ τᶜˢ = 10·(2·depth·u·mean‖Gᵢ‖∞ + 2u|gⱼ|)
/// automatic differentiation: Aᵢ by Swift's pullbacks, held to the same τ (`AutomaticGradientCheck`)
/// ```
/// The complex-step tolerance is a forward error bound: each gradient entry is a chain of at most `depth`
/// roundings scaled by the example's largest entry (a shared factor such as a residual scales the row).
/// A bug in one example moves the average by only δ/N, hence the per-example check. An entry's error counts
/// only above u·Σᵢ|Gᵢⱼ|, the rounding-level resolution of the average of those entries: where a logit
/// saturates, a row's gradient can be 1e-300 and its references underflow, and an error there cannot move
/// the average. A reference that overflows or underflows to nothing finite leaves the entry INCONCLUSIVE.
public struct LinearityCheck: Sendable {
  /// A perturbation of this size relative to ‖g‖∞ must be resolvable, or a coordinate is INCONCLUSIVE.
  public static let resolution = 1e-6
  /// The imaginary step of the complex-step derivative.
  public static let complexStep = 1e-20

  public var count: Int
  public var parameterCount: Int
  public var cost: Double
  /// max |Dⱼ − gⱼ| over coordinates (5-point difference against the averaged analytic gradient).
  public var maxAbsoluteError: Double
  /// max |Dⱼ − gⱼ| / ‖g‖∞.
  public var maxRelativeError: Double
  /// max Ê over coordinates.
  public var maxErrorEstimate: Double
  /// The coordinate with the largest |Dⱼ − gⱼ|/τⱼ, where the halving test runs.
  public var worstCoordinate: Int
  /// That largest |Dⱼ − gⱼ|/τⱼ: above 1, the coordinate's 5-point difference misses its tolerance τⱼ.
  public var worstToleranceRatio: Double
  package var halving: HalvingTest
  /// max |CSⱼ − gⱼ| / ‖g‖∞.
  public var complexStepRelativeError: Double
  /// Coordinates of the average whose 5-point verdict is FAIL.
  public var averageFailures: Int
  /// max over examples of ‖Dᵢ − Gᵢ‖∞ / ‖Gᵢ‖∞ (5-point, per example).
  public var perExampleMaxRelativeError: Double
  /// max over examples of ‖CSᵢ − Gᵢ‖∞ / ‖Gᵢ‖∞.
  public var perExampleComplexStepMaxRelativeError: Double
  /// Per-example entries (i, j) that FAIL (5-point where conclusive, complex step otherwise).
  public var perExampleFailures: Int
  /// Entries, average or per example, that fail the complex-step bound.
  public var complexStepFailures: Int
  /// The automatic-differentiation oracle, or nil where the toolchain lacks `_Differentiation`.
  package var automatic: AutomaticGradientCheck?
  /// Coordinates of the average whose step was refined (truncation dominated at eps^(1/5)·max(1, |θⱼ|)).
  public var refinedSteps: Int
  /// Entries whose 5-point tolerance could not resolve a 1e-6 bug, decided by complex step instead.
  public var inconclusiveResolved: Int
  /// Entries left unresolved by both methods.
  public var inconclusiveUnresolved: Int
  /// Entries (average or per example) whose 5-point difference missed its own error estimate while the
  /// complex step, resolving a 1e-6 bug, agreed: decided by the complex step.
  public var fivePointOverruled: Int
  /// The halving test's sequence never settled at ratio 4 although the complex step agrees at that
  /// coordinate: the difference never reached its asymptotic regime, which proves nothing against g.
  public var halvingOverruled: Bool
  /// The cost or a gradient at θ is not finite (finite inputs whose losses overflow, e.g. features 1e200):
  /// no difference or bound means anything there.
  public var overflowed: Bool

  /// The case's verdict: FAIL if any entry, the complex-step or automatic-differentiation bound or the halving
  /// test fails (a halving sequence that never settles counts against g only where the complex step disagrees
  /// too); INCONCLUSIVE if an entry is left unresolved; PASS otherwise.
  public var verdict: Verdict {
    if overflowed { return .inconclusive }
    if averageFailures > 0 || perExampleFailures > 0 || complexStepFailures > 0 || (automatic?.failures ?? 0) > 0
      || (halving.verdict == .fail && !halvingOverruled)
    {
      return .fail
    }
    return inconclusiveUnresolved > 0 ? .inconclusive : .pass
  }

  /// What one coordinate contributes; computed independently per coordinate (in parallel).
  struct Coordinate: Sendable {
    var fivePoint: FivePointDerivative
    /// True when the average's step was refined to balance truncation against rounding.
    var refined: Bool
    var absoluteError: Double
    var complexStep: Double
    var averageVerdict: Verdict
    var averageResolvedByComplexStep: Bool
    var complexStepFailures: Int
    var perExampleFailures: Int
    var perExampleResolved: Int
    var perExampleUnresolved: Int
    var perExampleMaxRelative: Double
    var perExampleComplexStepMaxRelative: Double
    var fivePointOverruled = 0
    /// The average's complex step agrees with gⱼ to a tolerance that resolves a 1e-6 bug.
    var averageComplexStepAgrees = false
  }

  /// Runs C1 for one model at one θ.
  ///
  /// - Complexity: O(P·N·cost of one loss) for the 6-point stencils and the complex step, on `threads` threads.
  public init<M: PerExampleModel>(model: M, data: Dataset, theta: [Double], threads: Int = availableCores) {
    let gradients = PerExampleGradients(model: model, data: data, theta: theta)
    self.init(model: model, data: data, theta: theta, gradients: gradients, threads: threads)
  }

  /// - Parameter progress: hears (coordinates done, P) as the coordinates finish, at each further 1%.
  public init<M: PerExampleModel>(
    model: M, data: Dataset, theta: [Double], gradients: PerExampleGradients, threads: Int,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) {
    let n = data.count
    let p = model.parameterCount
    let u = RoundingBoundNumber.unitRoundoff
    let gScale = gradients.average.reduce(0) { Swift.max($0, Swift.abs($1)) }
    let rowScales = gradients.rowScales
    let meanRowScale = rowScales.compensatedSum() / Double(n)
    // δᵢ: a bound on the rounding error of each loss evaluation (running error analysis at θ, plus the final
    // rounding); δ_C for the compensated mean of them.
    let bounded = model.losses(theta.map { RoundingBoundNumber($0) }, data: data)
    let lossErrors = bounded.map { $0.bound + u * Swift.abs($0.value) }
    let costError = lossErrors.compensatedSum() / Double(n) + 3 * u * Swift.abs(gradients.cost)
    let depth = Double(model.roundingDepth(theta: theta, data: data))

    let counter = ProgressCounter(total: p, report: progress)
    let coordinates = parallelMap(count: p, threads: threads) { j -> Coordinate in
      defer { counter.tick() }
      let stencil = CentralStencil(
        centre: theta[j], step: CentralStencil.step(near: theta[j], order: 0.2), multiples: FivePointDerivative.multiples)
      let values = stencil.perExampleLosses(model: model, theta: theta, coordinate: j, data: data)
      var complexTheta = theta.map { ComplexStepNumber($0, 0) }
      complexTheta[j].im = Self.complexStep
      let complexLosses = model.losses(complexTheta, data: data)

      var average = FivePointDerivative(
        values: values.map { $0.compensatedSum() / Double(n) }, step: stencil.step, evaluationError: costError,
        representationErrors: stencil.representationErrors)
      var refined = false
      // Where truncation dominates, move to the step that balances it against rounding:
      // T(h') + R(h') = T·(h'/h)⁴ + R·h/h' is least at h' = h·(R/4T)^(1/5).
      if average.truncation > average.rounding + average.stepError, average.rounding > 0 {
        let ratio = Foundation_pow(average.rounding / (4 * average.truncation), 0.2)
        let step = Foundation_exp2(Foundation_log2(stencil.step * ratio).rounded())
        if step < stencil.step {
          let finer = CentralStencil(centre: theta[j], step: step, multiples: FivePointDerivative.multiples)
          let costs = finer.costs(model: model, theta: theta, coordinate: j, data: data)
          let candidate = FivePointDerivative(
            values: costs, step: step, evaluationError: costError, representationErrors: finer.representationErrors)
          if candidate.errorEstimate < average.errorEstimate {
            average = candidate
            refined = true
          }
        }
      }

      var result = Coordinate(
        fivePoint: average, refined: refined,
        absoluteError: 0, complexStep: 0, averageVerdict: .pass, averageResolvedByComplexStep: false,
        complexStepFailures: 0, perExampleFailures: 0, perExampleResolved: 0, perExampleUnresolved: 0,
        perExampleMaxRelative: 0, perExampleComplexStepMaxRelative: 0)

      var csSum = NeumaierSum()
      let floor = gradients.resolutionFloor(coordinate: j)
      for i in 0..<n {
        let gij = gradients.matrix[i * p + j]
        let cs = complexLosses[i].im / Self.complexStep
        csSum.add(cs)
        let fd = FivePointDerivative(
          values: values.map { $0[i] }, step: stencil.step, evaluationError: lossErrors[i],
          representationErrors: stencil.representationErrors)
        let scale = rowScales[i]
        let csTolerance = Self.roundingTolerance(depth: depth, scale: scale, entry: gij)
        let outcome = Self.judge(
          error: Swift.abs(fd.estimate - gij), fivePoint: fd, complexStepError: Swift.abs(cs - gij),
          complexStepTolerance: csTolerance, scale: scale, floor: floor)
        switch outcome.verdict {
        case .fail: result.perExampleFailures += 1
        case .inconclusive: result.perExampleUnresolved += 1
        case .pass, .failsAsPredicted, .unexpectedPass: break
        }
        if outcome.resolvedByComplexStep { result.perExampleResolved += 1 }
        if outcome.fivePointOverruled { result.fivePointOverruled += 1 }
        if outcome.complexStepFailed { result.complexStepFailures += 1 }
        if scale > 0 {
          result.perExampleMaxRelative = Swift.max(result.perExampleMaxRelative, Swift.abs(fd.estimate - gij) / scale)
          result.perExampleComplexStepMaxRelative = Swift.max(
            result.perExampleComplexStepMaxRelative, Swift.abs(cs - gij) / scale)
        }
      }
      let gj = gradients.average[j]
      let averageTolerance = Self.roundingTolerance(depth: depth, scale: meanRowScale, entry: gj)
      result.complexStep = csSum.value / Double(n)
      result.absoluteError = Swift.abs(result.fivePoint.estimate - gj)
      let outcome = Self.judge(
        error: result.absoluteError, fivePoint: result.fivePoint, complexStepError: Swift.abs(result.complexStep - gj),
        complexStepTolerance: averageTolerance, scale: gScale)
      result.averageVerdict = outcome.verdict
      result.averageResolvedByComplexStep = outcome.resolvedByComplexStep
      result.averageComplexStepAgrees = !outcome.complexStepFailed
        && Swift.abs(result.complexStep - gj).isFinite
        && averageTolerance <= Self.resolution * gScale
      if outcome.fivePointOverruled { result.fivePointOverruled += 1 }
      if outcome.complexStepFailed { result.complexStepFailures += 1 }
      return result
    }

    var worst = 0
    var worstRatio = -1.0
    for (j, c) in coordinates.enumerated() {
      let ratio = c.fivePoint.tolerance > 0 ? c.absoluteError / c.fivePoint.tolerance : (c.absoluteError > 0 ? .infinity : 0)
      if ratio > worstRatio {
        worstRatio = ratio
        worst = j
      }
    }
    count = n
    parameterCount = p
    cost = gradients.cost
    overflowed = !gradients.cost.isFinite || gradients.average.contains { !$0.isFinite } || rowScales.contains { !$0.isFinite }
    maxAbsoluteError = coordinates.map(\.absoluteError).max() ?? 0
    maxRelativeError = gScale > 0 ? maxAbsoluteError / gScale : maxAbsoluteError
    maxErrorEstimate = coordinates.map(\.fivePoint.errorEstimate).max() ?? 0
    worstCoordinate = worst
    worstToleranceRatio = worstRatio
    halving = HalvingTest(
      model: model, data: data, theta: theta, coordinate: worst, analytic: gradients.average[worst], costError: costError)
    let csMax = zip(coordinates, gradients.average).map { Swift.abs($0.complexStep - $1) }.max() ?? 0
    complexStepRelativeError = gScale > 0 ? csMax / gScale : csMax
    refinedSteps = coordinates.filter(\.refined).count
    fivePointOverruled = coordinates.reduce(0) { $0 + $1.fivePointOverruled }
    halvingOverruled = halving.verdict == .fail && coordinates[worst].averageComplexStepAgrees
    averageFailures = coordinates.filter { $0.averageVerdict == .fail }.count
    perExampleMaxRelativeError = coordinates.map(\.perExampleMaxRelative).max() ?? 0
    perExampleComplexStepMaxRelativeError = coordinates.map(\.perExampleComplexStepMaxRelative).max() ?? 0
    perExampleFailures = coordinates.reduce(0) { $0 + $1.perExampleFailures }
    complexStepFailures = coordinates.reduce(0) { $0 + $1.complexStepFailures }
    automatic = AutomaticGradientCheck(model: model, data: data, theta: theta, gradients: gradients, threads: threads)
    inconclusiveResolved = coordinates.reduce(0) { $0 + $1.perExampleResolved + ($1.averageResolvedByComplexStep ? 1 : 0) }
    inconclusiveUnresolved =
      coordinates.reduce(0) { $0 + $1.perExampleUnresolved + ($1.averageVerdict == .inconclusive ? 1 : 0) }
  }

  /// The rounding bound on the difference of two derivative evaluations at θ, each a chain of at most `depth`
  /// roundings scaled by the example's largest entry: τ = 10·(2·depth·u·scale + 2u|entry|).
  static func roundingTolerance(depth: Double, scale: Double, entry: Double) -> Double {
    10 * (2 * depth * RoundingBoundNumber.unitRoundoff * scale + 2 * RoundingBoundNumber.unitRoundoff * Swift.abs(entry))
  }

  /// One entry's verdict: the 5-point difference where its tolerance resolves a 1e-6·scale bug, the complex
  /// step otherwise; and whether the complex step, checked on every entry, breaks its own bound.
  ///
  /// `floor` is the resolution of the average itself, u·Σᵢ|Gᵢⱼ| for a per-example entry: the entries carry
  /// at least a rounding each, so an error below it cannot move the average by a resolvable amount and is
  /// no failure, whatever the row's own scale (a saturated logit makes ‖Gᵢ‖∞ tiny, where the references
  /// underflow). A reference that is not finite decides nothing: the entry is INCONCLUSIVE, never FAIL.
  static func judge(
    error: Double, fivePoint: FivePointDerivative, complexStepError: Double, complexStepTolerance: Double, scale: Double,
    floor: Double = 0
  ) -> (verdict: Verdict, resolvedByComplexStep: Bool, complexStepFailed: Bool, fivePointOverruled: Bool) {
    let complexStepUsable = complexStepError.isFinite
    let complexStepFailed = complexStepUsable && complexStepError > Swift.max(complexStepTolerance, floor)
    let resolvable = Swift.max(resolution * scale, floor)
    let complexStepResolves = complexStepUsable && complexStepTolerance <= resolvable
    let fivePointUsable = error.isFinite && fivePoint.tolerance.isFinite
    if fivePointUsable && (fivePoint.tolerance <= resolvable || scale == 0) {
      if error <= Swift.max(fivePoint.tolerance, floor) { return (.pass, false, complexStepFailed, false) }
      // The difference is off its own error estimate, but the complex step, exact to rounding and taken at θ
      // itself, agrees: the loss is not close to its Taylor polynomial over the stencil (a saturating unit
      // whose nearest complex singularity lies within the step), so the reference, not the gradient, failed.
      if complexStepResolves && !complexStepFailed { return (.pass, true, false, true) }
      return (.fail, false, complexStepFailed, false)
    }
    guard complexStepResolves else { return (.inconclusive, false, complexStepFailed, false) }
    return (complexStepFailed ? .fail : .pass, true, complexStepFailed, false)
  }
}

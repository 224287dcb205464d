
/// What N2's gradient table reports of a cost: its 5-point difference against the true gradient and against
/// the averaged per-example gradient, in units of the difference's tolerance τⱼ.
package protocol GradientComparison: Sendable {
  var trueGradientScore: Double { get }
  var mismatchScore: Double { get }
  var relativeMismatch: Double { get }
  var gradientVerdict: Verdict { get }
}

extension NonAdditiveControl: GradientComparison {}
extension BatchNormControl: GradientComparison {}

/// Negative control N2 for one cost: the finite-difference gradient of the true (non-additive) cost
/// against the average of per-example gradients, and the mini-batch bias of the cost against b.
///
/// ```
/// gradient:  Dⱼ (5-point, tolerance τⱼ as in C1)  vs  true ∇Cⱼ (must agree)  and  averaged ∇ⱼ (must not)
/// bias:      E[C(batch of b)] − C(all N), R draws without replacement per b, against `predictedBatchBias`
/// ```
package struct NonAdditiveControl: Sendable {
  public struct BiasCell: Sendable {
    public var batch: Int
    public var bias: Double
    public var standardError: Double
    public var prediction: Double
    /// Whether the prediction is judged at this b (exact, or its neglected terms below one standard error).
    public var judged: Bool
    public var exactlyZero: Bool

    public var z: Double {
      let d = bias - prediction
      return standardError > 0 ? d / standardError : (d == 0 ? 0 : .infinity)
    }
    /// |bias|/se: is there a bias at all?
    public var biasZ: Double { standardError > 0 ? Swift.abs(bias) / standardError : (bias == 0 ? 0 : .infinity) }
  }

  public var cost: NonAdditiveCost
  /// max over j of |Dⱼ − true ∇Cⱼ| / τⱼ (≤ 1: the true gradient is confirmed).
  public var trueGradientScore: Double
  /// max over j of |Dⱼ − averagedⱼ| / τⱼ (≫ 1: the average of per-example gradients is wrong).
  public var mismatchScore: Double
  /// ‖averaged − true‖∞ / ‖true‖∞.
  public var relativeMismatch: Double
  public var biasCells: [BiasCell]
  public var draws: Int
  public var criticalZ: Double

  public init<M: PerExampleModel>(
    cost: NonAdditiveCost, model: M, data: Dataset, theta: [Double], batchSizes: [Int], draws: Int, seed: UInt64,
    name: String, alpha: Double, tests: Int, threads: Int
  ) {
    let n = data.count
    let u = RoundingBoundNumber.unitRoundoff
    let gradients = PerExampleGradients(model: model, data: data, theta: theta)
    let losses = gradients.losses
    let bounded = model.losses(theta.map { RoundingBoundNumber($0) }, data: data)
    let lossErrors = bounded.map { $0.bound + u * Swift.abs($0.value) }
    let delta = cost.costError(losses, lossErrors: lossErrors)
    let truth = cost.trueGradient(losses: losses, gradients: gradients)
    let averaged = cost.averagedPerExampleGradient(losses: losses, gradients: gradients)
    let differences = parallelMap(count: model.parameterCount, threads: threads) { j in
      FivePointDerivative(of: { cost.cost(model.losses($0, data: data)) }, at: theta, coordinate: j, evaluationError: delta)
    }
    func score(_ reference: [Double]) -> Double {
      zip(differences, reference).map { d, r in Swift.abs(d.estimate - r) / d.tolerance }.max() ?? 0
    }
    self.cost = cost
    trueGradientScore = score(truth)
    mismatchScore = score(averaged)
    let scale = truth.map { Swift.abs($0) }.max() ?? 0
    relativeMismatch = (zip(averaged, truth).map { Swift.abs($0 - $1) }.max() ?? 0) / (scale > 0 ? scale : 1)
    criticalZ = bonferroniCriticalZ(familyWiseAlpha: alpha, tests: Swift.max(1, tests))
    self.draws = draws
    let whole = cost.cost(losses)
    biasCells = batchSizes.map { b in
      let sampler = BatchSampler(kind: .withoutReplacement, count: n, batch: b)
      let mc = BlockedMonteCarlo(
        draws: draws, threads: threads,
        stream: { block in
          MiniBatchSweep.stream(
            seed: seed, name: "n2/\(name)/\(cost.rawValue)", cell: SweepCell(sampler: .withoutReplacement, batch: b),
            block: block)
        },
        makeScratch: { (SamplerWorkspace(count: n), [Int32](), [Bool](repeating: false, count: n)) }
      ) { rng, scratch, value in
        _ = sampler.draw(into: &scratch.1, workspace: &scratch.0, using: &rng)
        for i in 0..<n { scratch.2[i] = sampler.drawsComplement }
        for i in scratch.1 { scratch.2[Int(i)] = !sampler.drawsComplement }
        // The batch in index order, so that the full batch reproduces C(all) to the bit.
        let batchLosses = (0..<n).filter { scratch.2[$0] }.map { losses[$0] }
        value[0] = cost.cost(batchLosses) - whole
      }
      let (mean, se) = (mc.mean(), mc.standardError())
      let prediction = cost.predictedBatchBias(losses: losses, batch: b)
      let judged = cost.neglectedBiasTerm(losses: losses, batch: b) <= se
      return BiasCell(
        batch: b, bias: mean, standardError: se, prediction: prediction, judged: judged,
        exactlyZero: mc.everyDrawZero[0])
    }
  }

  /// The gradient verdict: for a non-additive cost, FAILS-AS-PREDICTED when the averaged per-example gradient
  /// misses the finite difference by more than 100 tolerances while the true gradient is within one; for
  /// the additive twin, PASS when the averaged gradient is within tolerance.
  public var gradientVerdict: Verdict {
    if cost == .mean { return mismatchScore <= 1 ? .pass : .fail }
    return .control(broke: mismatchScore > 100, sizeAsPredicted: trueGradientScore <= 1)
  }

  /// The bias verdict: FAILS-AS-PREDICTED when some b shows a bias beyond the critical z and every judged b
  /// agrees with the prediction (exactly zero where it is zero); INCONCLUSIVE when no b both shows the bias
  /// clearly and admits a judged prediction; for the additive twin, PASS when no b shows a bias.
  public var biasVerdict: Verdict {
    let agrees = biasCells.filter(\.judged).allSatisfy { cell in
      cell.prediction == 0 && cell.standardError == 0 ? cell.exactlyZero : Swift.abs(cell.z) <= criticalZ
    }
    if cost == .mean { return agrees ? .pass : .fail }
    let broke = biasCells.contains { $0.biasZ > criticalZ }
    if broke && agrees && !biasCells.contains(where: { $0.judged && $0.biasZ > criticalZ }) { return .inconclusive }
    return .control(broke: broke, sizeAsPredicted: agrees)
  }
}

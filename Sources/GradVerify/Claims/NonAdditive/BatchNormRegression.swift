
/// A linear model on batch-normalised features, for negative control N2: the cost couples the examples of
/// a batch through its mean and variance, so it is not an average of per-example losses.
///
/// ```
/// hᵢ = u·xᵢ,  μ = mean_B h,  σ² = var_B h (divisor |B|),  s = √(σ² + ε),  ĥᵢ = (hᵢ − μ)/s
/// Lᵢ = ½ (w ĥᵢ + c − yᵢ)²,  C_B = mean_B Lᵢ,   θ = [u₁ … u_d, w, c],  ε = 1e-5
/// true ∂C/∂u = Σᵢ ∂hᵢ xᵢ,  ∂hᵢ = (1/s)[∂ĥᵢ − mean(∂ĥ) − ĥᵢ·mean(∂ĥ ĥ)],  ∂ĥᵢ = rᵢ w/|B|
/// per-example (statistics held fixed): ∂Lᵢ/∂u = rᵢ w xᵢ / s
/// ```
/// S. Ioffe and C. Szegedy, "Batch Normalization", ICML 2015, arXiv:1502.03167.
package struct BatchNormRegression: Sendable {
  public static let epsilon = 1e-5
  public let featureCount: Int

  public init(features d: Int) { featureCount = d }

  public var parameterCount: Int { featureCount + 2 }

  /// C over the examples `members` (in the given order), in the arithmetic of `S`.
  public func cost<S: LossScalar>(_ theta: [S], data: Dataset, members: [Int]) -> S {
    let d = featureCount
    let m = Double(members.count)
    let h = members.map { i -> S in
      var z = theta[0] * data.features[i * d]
      for k in 1..<d { z += theta[k] * data.features[i * d + k] }
      return z
    }
    var mean = S(0)
    for v in h { mean += v }
    mean = mean * (1 / m)
    var variance = S(0)
    for v in h { variance += (v - mean) * (v - mean) }
    variance = variance * (1 / m)
    let inverse = S.exp(S.log(variance + Self.epsilon) * -0.5)
    var total = S(0)
    for (v, i) in zip(h, members) {
      let r = theta[d] * ((v - mean) * inverse) + theta[d + 1] - data.targets[i]
      total += r * r * 0.5
    }
    return total * (1 / m)
  }

  /// (true gradient, average of per-example gradients with the batch statistics held fixed), over all N.
  public func gradients(_ theta: [Double], data: Dataset) -> (truth: [Double], averaged: [Double]) {
    let d = featureCount
    let n = data.count
    let nd = Double(n)
    let h = (0..<n).map { i in (0..<d).reduce(0.0) { $0 + theta[$1] * data.features[i * d + $1] } }
    let mean = h.compensatedSum() / nd
    let variance = h.map { ($0 - mean) * ($0 - mean) }.compensatedSum() / nd
    let s = (variance + Self.epsilon).squareRoot()
    let normalized = h.map { ($0 - mean) / s }
    let w = theta[d]
    let r = (0..<n).map { w * normalized[$0] + theta[d + 1] - data.targets[$0] }
    let dNormalized = r.map { $0 * w / nd }
    let meanD = dNormalized.compensatedSum() / nd
    let meanDH = zip(dNormalized, normalized).map { $0 * $1 }.compensatedSum() / nd
    let dh = (0..<n).map { (dNormalized[$0] - meanD - normalized[$0] * meanDH) / s }
    var truth = (0..<d).map { k in (0..<n).map { dh[$0] * data.features[$0 * d + k] }.compensatedSum() }
    var averaged = (0..<d).map { k in (0..<n).map { r[$0] * w * data.features[$0 * d + k] / s }.compensatedSum() / nd }
    let dw = zip(r, normalized).map { $0 * $1 }.compensatedSum() / nd
    let dc = r.compensatedSum() / nd
    truth += [dw, dc]
    averaged += [dw, dc]
    return (truth, averaged)
  }
}

/// N2 for the batch-normalised linear model: finite differences of the true cost against the true and the
/// per-example-averaged gradients, and the mini-batch bias E[C_B] − C_N measured against b (no closed form:
/// reported with its Monte Carlo error, not judged).
package struct BatchNormControl: Sendable {
  public var trueGradientScore: Double
  public var mismatchScore: Double
  public var relativeMismatch: Double
  /// (b, bias, se) of the cost over R batches without replacement.
  public var biases: [(batch: Int, bias: Double, standardError: Double)]

  public init(data: Dataset, theta: [Double], batchSizes: [Int], draws: Int, seed: UInt64, name: String, threads: Int) {
    let model = BatchNormRegression(features: data.featureCount)
    let all = Array(0..<data.count)
    let (truth, averaged) = model.gradients(theta, data: data)
    let bound = model.cost(theta.map { RoundingBoundNumber($0) }, data: data, members: all)
    let delta = bound.bound + RoundingBoundNumber.unitRoundoff * Swift.abs(bound.value)
    let differences = parallelMap(count: model.parameterCount, threads: threads) { j in
      FivePointDerivative(of: { model.cost($0, data: data, members: all) }, at: theta, coordinate: j, evaluationError: delta)
    }
    trueGradientScore = zip(differences, truth).map { Swift.abs($0.estimate - $1) / $0.tolerance }.max() ?? 0
    mismatchScore = zip(differences, averaged).map { Swift.abs($0.estimate - $1) / $0.tolerance }.max() ?? 0
    let scale = truth.map { Swift.abs($0) }.max() ?? 1
    relativeMismatch = (zip(truth, averaged).map { Swift.abs($0 - $1) }.max() ?? 0) / scale
    let whole = model.cost(theta, data: data, members: all)
    let n = data.count
    biases = batchSizes.filter { $0 >= 2 }.map { b in
      let sampler = BatchSampler(kind: .withoutReplacement, count: n, batch: b)
      let mc = BlockedMonteCarlo(
        draws: draws, threads: threads,
        stream: { block in
          MiniBatchSweep.stream(
            seed: seed, name: "n2/\(name)/batch-norm", cell: SweepCell(sampler: .withoutReplacement, batch: b), block: block)
        },
        makeScratch: { (SamplerWorkspace(count: n), [Int32]()) }
      ) { rng, scratch, value in
        _ = sampler.draw(into: &scratch.1, workspace: &scratch.0, using: &rng)
        var members = scratch.1.map(Int.init).sorted()
        if sampler.drawsComplement {
          let left = Set(members)
          members = all.filter { !left.contains($0) }
        }
        value[0] = model.cost(theta, data: data, members: members) - whole
      }
      return (b, mc.mean(), mc.standardError())
    }
  }

  /// FAILS-AS-PREDICTED when the per-example average misses the finite difference by more than 100
  /// tolerances while the true (batch-coupled) gradient is within one.
  public var gradientVerdict: Verdict { .control(broke: mismatchScore > 100, sizeAsPredicted: trueGradientScore <= 1) }
}

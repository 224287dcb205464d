/// Full-batch gradient descent against mini-batch SGD from one starting point, with the gradient-estimate
/// noise measured along the path against claim C3's law at each θ visited.
///
/// ```
/// GD:   θ ← θ − η ∇C(θ)                         T steps (T·N examples)
/// SGD:  θ ← θ − η ḡ_B(θ), B a uniform b-subset    T·N/b steps (the same examples; its first T steps: the same steps)
/// at each checkpoint θₜ: R fresh batches, MSE of ḡ_b against (N − b)/(N − 1) · tr Σ_N(θₜ) / b
/// ```
package struct TrainingRun: Sendable {
  public struct Point: Sendable {
    public var step: Int
    public var examples: Int
    public var cost: Double
    public var gradientNorm: Double
    /// The estimator noise at this θ (SGD checkpoints only).
    public var noise: CellMeasurement?
    public var noiseTheory: Double?
    /// The exact null law of one draw's squared error at this θ.
    public var noiseLaw: SquaredErrorLaw?

    /// √(Var e / R), exact.
    public var noiseNullStandardError: Double? {
      guard let noise, let noiseLaw else { return nil }
      return (noiseLaw.variance / Double(noise.draws)).squareRoot()
    }

    /// (MSE − theory) over the exact null standard error.
    public var noiseZ: Double? {
      guard let noise, let noiseTheory, let se = noiseNullStandardError, se > 0 else { return nil }
      return (noise.meanSquaredError - noiseTheory) / se
    }

    /// γ of the MSE's mean: κ₃ estimated from the draws about the exact mean (no closed form without
    /// replacement), over σ³√R.
    public var noiseSkewness: Double {
      guard let noise, let noiseLaw else { return 0 }
      let k3 = SkewedCriticalValues.thirdCentralMoment(
        powerSums: noise.squaredErrorPowerSums, about: noiseLaw.mean, draws: noise.draws)
      return SkewedCriticalValues.meanSkewness(thirdCentralMoment: k3, variance: noiseLaw.variance, draws: noise.draws)
    }
  }

  /// 0 for full-batch gradient descent.
  public var batch: Int
  public var eta: Double
  public var points: [Point]

  public var label: String { batch == 0 ? "gd" : "sgd(b=\(batch))" }

  /// - Parameters:
  ///   - steps: T, the full-batch steps; SGD takes T·N/b steps.
  ///   - checkpoints: how many points along the path record the cost (and, for SGD, the noise).
  public init<M: PerExampleModel>(
    model: M, data: Dataset, theta start: [Double], batch b: Int, eta: Double, steps: Int, checkpoints: Int,
    noiseDraws: Int, seed: UInt64, name: String, threads: Int
  ) {
    precondition(b >= 0 && b <= data.count && steps >= 1 && checkpoints >= 1, "bad training settings")
    let n = data.count
    let p = model.parameterCount
    let totalSteps = b == 0 ? steps : steps * n / b
    let examplesPerStep = b == 0 ? n : b
    var marks = Set((0...checkpoints).map { totalSteps * $0 / checkpoints })
    if b > 0 { marks.insert(steps) }  // equal steps with gradient descent
    var theta = start
    var points: [Point] = []
    var workspace = SamplerWorkspace(count: n)
    var indices: [Int32] = []
    var g = [Double](repeating: 0, count: p)
    let sampler = b > 0 ? BatchSampler(kind: .withoutReplacement, count: n, batch: b) : nil
    for t in 0...totalSteps {
      if marks.contains(t) || (b == 0 && t < totalSteps) {
        let gradients = PerExampleGradients(model: model, data: data, theta: theta)
        if marks.contains(t) {
          var point = Point(
            step: t, examples: t * examplesPerStep, cost: gradients.cost,
            gradientNorm: gradients.average.reduce(0) { $0 + $1 * $1 }.squareRoot())
          if b > 0 && b < n {
            let population = GradientPopulation(gradients)
            point.noise = MiniBatchSweep.run(
              population: population, cells: [SweepCell(sampler: .withoutReplacement, batch: b)], draws: noiseDraws,
              seed: seed, name: "train/\(name)/b=\(b)/step=\(t)", threads: threads)[0]
            point.noiseTheory = SamplerKind.withoutReplacement.theoreticalMSE(
              batch: b, count: n, traceSigma: population.traceSigma, gradientNormSquared: population.meanNormSquared)
            point.noiseLaw = SquaredErrorLaw(
              sampler: .withoutReplacement, batch: b, population: population, moments: PopulationMoments(population))
          }
          points.append(point)
        }
        if b == 0 && t < totalSteps {
          for j in 0..<p { theta[j] -= eta * gradients.average[j] }
          continue
        }
      }
      guard t < totalSteps, let sampler else { continue }
      var rng = PhiloxStream(seed: seed, name: "train/\(name)/b=\(b)", substream: UInt64(t))
      _ = sampler.draw(into: &indices, workspace: &workspace, using: &rng)
      var batch = indices.map(Int.init)
      if sampler.drawsComplement {
        let left = Set(batch)
        batch = (0..<n).filter { !left.contains($0) }
      }
      var sum = [Double](repeating: 0, count: p)
      theta.withUnsafeBufferPointer { th in
        for i in batch {
          g.withUnsafeMutableBufferPointer { out in _ = data.withExample(i) { model.lossAndGradient(th, $0, into: out) } }
          for j in 0..<p { sum[j] += g[j] }
        }
      }
      for j in 0..<p { theta[j] -= eta * sum[j] / Double(b) }
    }
    self.batch = b
    self.eta = eta
    self.points = points
  }
}

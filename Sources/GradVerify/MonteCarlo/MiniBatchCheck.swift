/// Claims C2 and C3 on any model and data, through the public API: the per-example gradients at θ are
/// sampled in mini-batches of every size the settings name, each batch mean ḡ_b judged for bias
/// (E ḡ_b = g) and its squared error against the exact law E‖ḡ_b − g‖² = c(b)·tr Σ_N / b, at the settings'
/// family-wise level α, as `gradverify sweep` does.
///
/// ```swift
/// let sweep = try MiniBatchCheck(model: ArrayModelAdapter(MyModel()), data: data, theta: theta)
/// print(sweep.holds, sweep.verdicts.map(\.verdict))
/// ```
public struct MiniBatchCheck: Sendable {
  /// One row per claim and sampler (C2, C3, and the noise scale's two estimators where measured).
  public let verdicts: [VerdictRow]
  /// The population's figures in words: tr Σ_N, ‖g‖², the noise scale, the fitted slopes.
  public let summary: [String]
  /// Whether every verdict holds.
  public var holds: Bool { verdicts.allSatisfy(\.verdict.holds) }

  /// Sweeps the per-example gradients of `model` on `data` at `theta`; `name` keys the random streams, so
  /// the same name, seed and settings give the same draws on any number of threads.
  public init<M: PerExampleModel>(
    model: M, data: Dataset, theta: [Double], settings: SweepSettings = SweepSettings(), name: String = "model",
    seed: UInt64 = 1, threads: Int = availableCores
  ) throws(InputError) {
    guard theta.count == model.parameterCount else {
      throw InputError("sweep: θ has \(theta.count) entries, the model takes P = \(model.parameterCount)")
    }
    let population = GradientPopulation(PerExampleGradients(model: model, data: data, theta: theta))
    let engine = SweepEngine(settings: settings)
    let swept = try engine.measure(
      population: population, name: name, source: data.name, seed: seed, threads: max(1, threads))
    guard let measured = swept.measured else { throw InputError("sweep: \(name) was not measured completely") }
    let result = SweepEngine.Result([measured], settings: settings)
    verdicts = engine.verdicts(result)
    summary = engine.summaryLines(result)
  }
}

/// Builds a model's per-example gradients at a seeded (or given) θ: the population a sweep samples from.
struct GradientVisitor: ModelVisitor {
  var data: Dataset
  var point: ParameterPointSpec
  var seed: UInt64
  var stream: String
  var theta: [Double]?

  func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> PerExampleGradients {
    PerExampleGradients(model: model, data: data, theta: try theta(for: model))
  }

  /// The given θ, checked against the model's P, or the seeded point's.
  func theta<M: PerExampleModel>(for model: M) throws(InputError) -> [Double] {
    let theta = self.theta ?? point.theta(parameterCount: model.parameterCount, seed: seed, stream: stream)
    guard theta.count == model.parameterCount else {
      throw InputError("θ has \(theta.count) entries; \(model.layout) needs \(model.parameterCount)")
    }
    return theta
  }
}

/// Builds a model's per-example gradients at a seeded (or given) θ: the population a sweep samples from.
package struct GradientVisitor: ModelVisitor {
  package var data: Dataset
  var point: ParameterPointSpec
  package var seed: UInt64
  var stream: String
  var theta: [Double]?

  package init(data: Dataset, point: ParameterPointSpec, seed: UInt64, stream: String, theta: [Double]? = nil) {
    (self.data, self.point, self.seed, self.stream, self.theta) = (data, point, seed, stream, theta)
  }

  /// A case's visitor: θ given, or drawn at the point from the case's own stream "<model>/<data set>".
  package init(model: ModelChoice, data: Dataset, point: ParameterPointSpec, seed: UInt64, theta: [Double]? = nil) {
    self.init(data: data, point: point, seed: seed, stream: "\(model.name)/\(data.name)", theta: theta)
  }

  package func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> PerExampleGradients {
    PerExampleGradients(model: model, data: data, theta: try theta(for: model))
  }

  /// The given θ, checked against the model's P, or the seeded point's.
  package func theta<M: PerExampleModel>(for model: M) throws(InputError) -> [Double] {
    let theta = self.theta ?? point.theta(parameterCount: model.parameterCount, seed: seed, stream: stream)
    guard theta.count == model.parameterCount else {
      throw InputError("θ has \(theta.count) entries; \(model.layout) needs \(model.parameterCount)")
    }
    return theta
  }
}

extension GradientVisitor {
  /// One case of a spec at its seeded point: its name and its per-example gradients as a population.
  package static func seededPopulation(
    model: ModelChoice, data: Dataset, source: String, point: ParameterPointSpec, seed: UInt64
  ) throws(InputError) -> (name: String, population: GradientPopulation) {
    let name = CaseName.of(model: model, data: data, point: point.name)
    let gradients = try model.visit(
      GradientVisitor(model: model, data: data, point: point, seed: seed),
      data: data, source: source)
    return (name, GradientPopulation(gradients))
  }
}

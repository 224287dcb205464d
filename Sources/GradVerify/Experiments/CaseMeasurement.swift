
/// One case of a run at its point, as a claim measures it: the data, θ (seeded from the case's stream),
/// the seed, the case's name, where it was declared (for errors) and the threads it may use.
package struct CaseAtPoint: Sendable {
  package var gradients: GradientVisitor
  package var name: String
  package var source: String
  package var threads: Int

  package var data: Dataset { gradients.data }
  package var seed: UInt64 { gradients.seed }

  /// θ at the case's point for `model`.
  package func theta<M: PerExampleModel>(for model: M) throws(InputError) -> [Double] { try gradients.theta(for: model) }
}

/// What a claim measures on one case, with the model's concrete type. Swift closures cannot be generic over
/// the model, so the measurement is a method of a type (usually the claim itself) that
/// `ExperimentInput.measure` calls once per case.
package protocol CaseMeasurement {
  associatedtype Measured
  func measure<M: PerExampleModel>(_ model: M, at place: CaseAtPoint) throws(InputError) -> Measured
}

extension ExperimentInput {
  /// `measurement` applied to every place at its seeded point, in order, each announced first.
  package func measure<C: CaseMeasurement>(
    _ measurement: C
  ) throws(InputError) -> [(caseName: String, measured: C.Measured)] {
    try map { p throws(InputError) in
      let place = CaseAtPoint(
        gradients: GradientVisitor(model: p.model, data: p.data, point: p.point, seed: seed), name: p.caseName,
        source: p.source, threads: threads)
      return (p.caseName, try p.model.visit(MeasurementVisitor(measurement: measurement, place: place), data: p.data, source: p.source))
    }
  }
}

/// The model visitor that hands the concrete model to a measurement.
private struct MeasurementVisitor<C: CaseMeasurement>: ModelVisitor {
  var measurement: C
  var place: CaseAtPoint
  func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> C.Measured { try measurement.measure(model, at: place) }
}

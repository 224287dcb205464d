
/// Every claim the harness knows, in the order of the report's figures. Adding a claim is one type (one
/// folder under Claims/) and one line here.
package enum ExperimentRegistry {
  public static let all: [any Experiment.Type] = [
    LinearityExperiment.self,
    SweepExperiment.self,
    ExactOracleExperiment.self,
    ConventionExperiment.self,
    CorrelatedExperiment.self,
    NonAdditiveExperiment.self,
    DriftExperiment.self,
    MeanOfMeansExperiment.self,
    ReshufflingExperiment.self,
    FinitePrecisionExperiment.self,
    TrainingExperiment.self,
    CalibrationExperiment.self,
  ]

  /// The type of the claim a spec names, or nil.
  public static func experiment(claim: String) -> (any Experiment.Type)? {
    all.first { $0.claim == claim }
  }
}

import GradVerify
let data = try! Dataset.load(csv: "Experiments/data/breast_cancer.csv", target: .label).standardized()
for scale in [0.1, 1.0, 3.0] {
  let m = MLPModel(features: data.featureCount, hidden: 16, classes: 2)
  var rng = PhiloxStream(seed: 1, name: "theta")
  let theta = (0..<m.parameterCount).map { _ in scale * rng.nextNormal() }
  let r = LinearityCheck(model: m, data: data, theta: theta)
  print(scale, r.maxRelativeError, r.maxErrorEstimate, r.complexStepRelativeError, r.perExampleMaxRelativeError, r.perExampleComplexStepMaxRelativeError, r.perExampleFailures, r.complexStepFailures, r.inconclusiveResolved, r.inconclusiveUnresolved, r.averageFailures, r.halving.reportedRatios, r.worstCoordinate, r.verdict)
}

import Foundation
import GradVerify
import Testing

/// C1 where users first touch it: the bundled data sets as they come (unstandardised, features up to
/// ~4000, logits saturated far past where exp underflows) and standardised, and synthetic data with an
/// id-like column (values 0…N−1). The correct gradients must never FAIL; a planted 1e-6 bug must FAIL
/// wherever the check can resolve it.
@Suite("C1 on real data: no false FAIL where logits saturate, and the planted bug still caught", .serialized)
struct RealDataLinearityTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var data: Dataset
    var model: ModelChoice
    var testDescription: String { name }
  }

  /// The bundled data sets, raw and standardised, with every model whose target they fit (a numeric target
  /// for linear; labels, two classes for logistic, at most 10 for softmax and mlp); the mlp at H = 4, so that a
  /// hundred checks of breast cancer (P = 134) take seconds.
  static var cases: [Case] {
    var out: [Case] = []
    let root = CommandRun.packageRoot.appendingPathComponent("Experiments/data")
    for file in ["breast_cancer", "iris", "diabetes"] {
      for kind in ModelKind.allCases {
        let path = root.appendingPathComponent("\(file).csv").path
        guard let raw = try? Dataset.load(csv: path, target: kind.target) else { continue }
        if kind != .linear && !(2...10).contains(raw.classCount) { continue }
        if kind == .logistic && raw.classCount != 2 { continue }
        let model = ModelChoice(kind: kind, hidden: 4)
        out.append(Case(name: "\(kind.rawValue)/\(file)", data: raw, model: model))
        out.append(Case(name: "\(kind.rawValue)/\(file)+std", data: raw.standardized(), model: model))
      }
    }
    // An id column: values up to N, so logits of thousands at modest θ.
    for kind in ModelKind.allCases {
      let base: Dataset = kind == .linear
        ? .syntheticRegression(count: 200, features: 3, seed: 71)
        : .syntheticClusters(count: 200, features: 3, classes: kind == .logistic ? 2 : 3, seed: 72)
      let d = base.featureCount
      var features: [Double] = []
      for i in 0..<base.count { features += [Double(i)] + base.features[(i * d)..<(i * d + d)] }
      let withId = Dataset(
        name: "\(base.name)+id", featureNames: ["id"] + base.featureNames, features: features, targets: base.targets,
        classNames: base.classNames)
      out.append(Case(name: "\(kind.rawValue)/synthetic+id", data: withId, model: ModelChoice(kind: kind, hidden: 4)))
    }
    return out
  }

  /// Scales of θ = s·N(0, 1), cycled over the points.
  static let scales = [0.1, 0.3, 1, 3, 10]

  /// 100 seeded points θ = s·N(0, 1), s cycling through `scales`, as a spec names them.
  static let points = (0..<100).map { ParameterPointSpec(name: "p\($0)", scale: scales[$0 % scales.count]) }

  /// The check at every point, run through the library's experiment (specialised for each model there).
  static func checks(
    _ c: Case, model: ModelChoice, points: [ParameterPointSpec], theta: [Double]? = nil, keepGradients: Bool = false
  ) throws -> [LinearityExperiment.Record] {
    try LinearityExperiment.records(
      model: model, data: c.data, source: c.name, points: points, seed: 2026, thetaOverride: theta,
      keepGradients: keepGradients, threads: 2)
  }

  @Test("100 seeded points per model and data set (scales 0.1 to 10): no FAIL; the 1e-6 planted bug FAILs where resolvable", arguments: cases)
  func noFalseFail(_ c: Case) throws {
    let records = try Self.checks(c, model: c.model, points: Self.points, keepGradients: true)
    #expect(records.count == 100)
    for r in records {
      #expect(r.check.verdict != .fail, "\(r.caseName) scale \(r.point.scale): \(LinearityCheckTests.describe(r.check))")
    }
    // The planted bug at one point per scale: coordinate argmax |gⱼ| of every example scaled by 1 + 1e-6. A
    // point the check could resolve (PASS on the correct gradient) must FAIL with it; an INCONCLUSIVE twin is
    // a point where no reference resolves 1e-6, so the bug is not resolvable there.
    var resolvable = 0
    for r in records.prefix(Self.scales.count) where r.check.verdict == .pass {
      resolvable += 1
      let j = LinearityCheckTests.argmaxAbs(r.gradients!.average[...])
      var faulty = c.model
      faulty.fault = GradientFault(coordinate: j, relative: 1e-6)
      // The same θ as the correct check (a faulty model's name, and so its seeded stream, differs).
      let theta = r.point.theta(parameterCount: r.check.parameterCount, seed: 2026, stream: "\(c.model.name)/\(c.data.name)")
      let bugged = try Self.checks(c, model: faulty, points: [r.point], theta: theta)[0]
      #expect(bugged.check.cost == r.check.cost)
      #expect(bugged.check.verdict == .fail, "\(r.caseName) j=\(j): \(LinearityCheckTests.describe(bugged.check))")
    }
    #expect(resolvable >= 1, "\(c.name): no point where the check resolves a 1e-6 bug")
  }
}

import Foundation
import GradVerify
import Testing

// N3 (Sources/GradVerify/Claims/Drift): gradients taken at different parameter points drift from the
// gradient at one point by the first-order prediction; at η = 0 the discrepancy is exactly zero.

@Suite("N3: drift along SGD steps fails as predicted; at η = 0 it is exactly zero", .serialized)
struct DriftVerdictTests {
  @Test("N3: drift along SGD steps fails as predicted; at η = 0 the discrepancy is exactly zero")
  func n3() throws {
    let (outcome, all) = try ControlSpecs.run(ControlSpecs.n3(etas: ControlSpecs.healthyEtas), name: "N3-small.json")
    #expect(ControlSpecs.rows(outcome, "N3").map(\.verdict) == [.failsAsPredicted], "\(all)")
    #expect(ControlSpecs.rows(outcome, "N3-twin").map(\.verdict) == [.pass], "\(all)")
    #expect(ControlSpecs.rows(outcome, "N3-twin").first?.keyFigure == "D exactly 0 in every order", "\(all)")
  }

  @Test("N3's settings in its committed spec refuse an unknown key and a value out of range, by name")
  func settingsChecked() throws {
    try CheckedDecodingTests.expectChecked(spec: "N3-drift", object: "drift", field: "k", value: "1", reason: "must be between 2 and 10⁶")
  }

  @Test("N3: run --threads 1 and --threads 2 write byte-identical tables")
  func threadsByteIdentical() throws {
    try ControlSpecs.expectThreadsByteIdentical(claim: "N3", spec: ControlSpecs.n3(etas: ControlSpecs.healthyEtas))
  }
}

@Suite("N3: measured sizes agree with the predictions", .serialized)
struct DriftAgreementTests {
  @Test("N3 first order: mean discrepancy = −η(k − 1)/2 · H g within the critical z; log-log slope 1 ± 0.05")
  func driftFirstOrder() {
    let data = Dataset.syntheticClusters(count: 64, features: 2, classes: 2, seed: 43)
    let model = LogisticModel(features: 2)
    let theta = ParameterPointSpec(name: "unit", scale: 1).theta(parameterCount: model.parameterCount, seed: 3, stream: "tests/n3")
    let k = 8
    let control = ParameterDriftControl(
      model: model, data: data, theta: theta, examplesPerPass: k, etas: ControlSpecs.healthyEtas, firstOrderLimit: 0.01,
      orders: 2000, seed: 11, name: "tests/n3", alpha: 0.01, threads: 2)
    // H g, independently: a central difference of the full-batch gradient along g, step 1e-4/‖g‖∞ (truncation
    // O(ε²) ≈ 1e-8 relative, rounding ≈ u/ε·‖∇C‖ ≈ 1e-12·…): good to ~1e-7 relative.
    let g = PerExampleGradients(model: model, data: data, theta: theta).average
    let scale = g.map { Swift.abs($0) }.max() ?? 1
    let epsilon = 1e-4 / scale
    let plus = PerExampleGradients(model: model, data: data, theta: zip(theta, g).map { $0 + epsilon * $1 }).average
    let minus = PerExampleGradients(model: model, data: data, theta: zip(theta, g).map { $0 - epsilon * $1 }).average
    let hg = zip(plus, minus).map { ($0 - $1) / (2 * epsilon) }
    let hgNorm = hg.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(hgNorm > 0)
    let judged = control.steps.filter(\.firstOrder)
    // The first-order regime must hold at least two η (a slope needs two points).
    #expect(judged.count >= 2, "judged: \(judged.map(\.eta)), curvature \(control.curvature)")
    for step in control.steps {
      let predicted = hg.map { -step.eta * Double(k - 1) / 2 * $0 }
      // 1e-6 relative: the library's H g is Richardson-extrapolated, this one a plain central difference;
      // both are within ~1e-7 of the truth. A missing factor (k − 1)/2, or k/2, is off by 14% or more.
      for j in predicted.indices {
        #expect(Swift.abs(step.prediction[j] - predicted[j]) <= 1e-6 * step.eta * Double(k) * hgNorm, "η=\(step.eta) j=\(j)")
      }
    }
    for step in judged {
      // Agreement z: |mean Dⱼ − predictionⱼ|/seⱼ within Bonferroni's critical z over coordinates × judged η.
      #expect(step.maxAgreementZ <= control.criticalZ, "η=\(step.eta): z \(step.maxAgreementZ) > \(control.criticalZ)")
      // …and the discrepancy itself is resolved, so that agreement is not vacuous.
      #expect(step.maxDiscrepancyZ > control.criticalZ, "η=\(step.eta): D not resolved (z \(step.maxDiscrepancyZ))")
    }
    // ±0.05: in the first-order regime D(η) = η·A + O(η²) order by order (common random numbers), so the
    // slope departs from 1 by about the neglected fraction η·k·c ≤ 0.01; a drift growing like η² or √η
    // would give 2 or 0.5.
    let slope = control.slope
    #expect(slope.map { Swift.abs($0 - 1) <= 0.05 } == true, "slope \(String(describing: slope))")
    #expect(control.controlVerdict == .failsAsPredicted && control.twinVerdict == .pass)
    // A wrong cause: the drift's prediction with the factor k/2 instead of (k − 1)/2 (one step too many), or
    // with the other sign, is not FAILS-AS-PREDICTED.
    for factor in [Double(k) / Double(k - 1), -1] {
      var wrong = control
      for s in wrong.steps.indices { wrong.steps[s].prediction = wrong.steps[s].prediction.map { factor * $0 } }
      #expect(wrong.controlVerdict == .fail, "factor \(factor): \(wrong.steps.map(\.maxAgreementZ))")
    }
  }
}

@Suite("N3: a control without its cause is an UNEXPECTED-PASS; verify's exit status", .serialized)
struct DriftCauseRemovedTests {
  @Test("N3 with every η = 0: no step, no drift; the N3 row is UNEXPECTED-PASS and does not hold")
  func n3WithoutSteps() throws {
    let (outcome, all) = try ControlSpecs.run(ControlSpecs.n3(etas: [0, 0]), name: "N3-still.json")
    #expect(ControlSpecs.rows(outcome, "N3").map(\.verdict) == [.unexpectedPass], "\(all)")
    #expect(ControlSpecs.rows(outcome, "N3-twin").map(\.verdict) == [.pass], "\(all)")
    #expect(!outcome.verdicts.allSatisfy { $0.verdict.holds }, "\(all)")
  }

  @Test("verify exits 1 with an UNEXPECTED-PASS row when N3 has no step, and 0 on a healthy N3", arguments: [false, true])
  func verifyExitStatus(healthy: Bool) throws {
    let folder = try temporaryFolder(["N3.json": ControlSpecs.n3(etas: healthy ? ControlSpecs.healthyEtas : [0, 0])])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(["verify", "--experiments", folder.path, "--threads", "2"])
    #expect(run.status == (healthy ? 0 : 1), "exit \(run.status)\n\(run.stdout)\n\(run.stderr)")
    let n3Lines = run.stdout.split(separator: "\n").filter { $0.hasPrefix("N3 ") }
    #expect(n3Lines.count == 1, "\(run.stdout)")
    let expected = healthy ? "FAILS-AS-PREDICTED" : "UNEXPECTED-PASS"
    #expect(n3Lines.allSatisfy { $0.hasSuffix(expected) }, "\(run.stdout)")
    #expect(run.stdout.split(separator: "\n").contains { $0.hasPrefix("N3-twin ") && $0.hasSuffix("PASS") && !$0.hasSuffix("UNEXPECTED-PASS") }, "\(run.stdout)")
    let tally = healthy ? "2 cases: 1 PASS, 0 FAIL, 0 INCONCLUSIVE, 1 FAILS-AS-PREDICTED" : "2 cases: 1 PASS, 0 FAIL, 0 INCONCLUSIVE, 1 UNEXPECTED-PASS"
    #expect(run.stdout.contains(tally), "\(run.stdout)")
  }
}

extension ControlSpecs {
  /// N3 on a logistic model over two Gaussian clusters: k = 8 examples per pass, η from 0 to 0.1.
  static func n3(etas: [Double]) -> String {
    """
    {"claim": "N3", "title": "n3 small", "seed": 20261126, "alpha": 0.01,
     "drift": {"k": 8, "etas": [\(etas.map(\.description).joined(separator: ", "))], "first_order_limit": 0.01, "orders": 2000},
     "points": [{"name": "unit", "scale": 1}],
     "cases": [{"model": "logistic", "data": {"synthetic": "clusters", "n": 64, "d": 2, "classes": 2, "seed": 43}}]}
    """
  }

  static let healthyEtas = [0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
}

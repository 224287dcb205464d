import GradVerify
import PseudoHuber
import Testing

/// Claims C2 and C3 on a model gradverify does not ship, through its public API only.
@Suite struct PseudoHuberSweepTests {
  @Test("mini-batches of its per-example gradients are unbiased and follow the variance law: every row PASS")
  func sweepHolds() throws {
    var settings = SweepSettings()
    settings.samplers = [.withReplacement, .withoutReplacement]
    settings.draws = 4000
    let sweep = try MiniBatchCheck(
      model: ArrayModelAdapter(PseudoHuberRegression(features: 3)), data: PseudoHuberC1Tests.data,
      theta: PseudoHuberC1Tests.theta, settings: settings, name: "pseudo-huber", seed: 7, threads: 2)
    #expect(sweep.holds, "\(sweep.verdicts)")
    let claims = Set(sweep.verdicts.map(\.claim))
    #expect(claims.isSuperset(of: ["C2", "C3"]), "\(claims)")
    #expect(sweep.verdicts.allSatisfy { $0.verdict == .pass }, "\(sweep.verdicts.map(\.verdict))")
    #expect(sweep.summary.contains { $0.contains("B_simple") }, "\(sweep.summary)")
  }

  @Test("a θ of the wrong length is refused with an error, not a crash")
  func wrongTheta() {
    #expect(throws: InputError.self) {
      try MiniBatchCheck(model: ArrayModelAdapter(PseudoHuberRegression(features: 3)), data: PseudoHuberC1Tests.data, theta: [1, 2])
    }
  }
}

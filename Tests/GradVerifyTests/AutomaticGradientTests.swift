import Foundation
import GradVerify
import Testing

/// The third C1 oracle, Swift's reverse-mode automatic differentiation of the losses written a second time:
/// it agrees with the hand-written gradients to rounding on every committed C1 case, and a planted 1e-6 bug
/// shows in it at its planted size.
@Suite("C1's automatic-differentiation column", .serialized)
struct AutomaticGradientTests {
  /// The acceptance bound of the column, relative to ‖g‖∞ (average) and to ‖Gᵢ‖∞ (per example). Both
  /// gradients are chains of at most `depth` ≤ 64 roundings of the example's largest entry, so they differ by
  /// ≲ 2·64·u ≈ 1.4e-14 relative; 1e-13 leaves a factor 7 and is still 10⁷ below a 1e-6 bug.
  static let bound = 1e-13

  #if canImport(_Differentiation)
  @Test("Every case of Experiments/C1-linearity.json: AD within 1e-13 of the hand-written gradient, no entry outside its bound")
  func committedCasesAgree() throws {
    let file = CommandRun.packageRoot.appendingPathComponent("Experiments/C1-linearity.json").path
    let outcome = try ExperimentRunner.run(ExperimentSpec.load(path: file), file: file, threads: 2)
    let table = try #require(outcome.tables.first { $0.name == "C1-linearity.csv" }).document
    let column = { (name: String) in table.header.firstIndex(of: name)! }
    #expect(table.rows.count == 33)
    for row in table.rows {
      let average = try #require(Double(row[column("ad_rel_error")]), "\(row[0]): empty AD column")
      let perExample = try #require(Double(row[column("per_example_ad_max_rel_error")]))
      #expect(average <= Self.bound, "\(row[0]): average \(average)")
      #expect(perExample <= Self.bound, "\(row[0]): per example \(perExample)")
      #expect(row[column("ad_failures")] == "0", "\(row[0])")
      #expect(row[column("verdict")] == "PASS", "\(row[0])")
    }
  }

  @Test(
    "A 1e-6 bug in coordinate argmax|gⱼ| of every example shows in the AD column at 1e-6 and FAILs the case",
    arguments: LinearityCheckTests.Fixture.allCases)
  func plantedBugShows(_ fixture: LinearityCheckTests.Fixture) throws {
    let (correct, bugged, predicted) = try fixture.visit(Planted(data: fixture.data, example: nil))
    let clean = try #require(correct.automatic)
    #expect(clean.failures == 0 && clean.relativeError <= Self.bound && clean.perExampleMaxRelativeError <= Self.bound)
    let seen = try #require(bugged.automatic)
    // The average moves by exactly 1e-6·gⱼ at j = argmax|gⱼ|: 1e-6 of ‖g‖∞, to a few roundings.
    #expect(abs(seen.relativeError - 1e-6) <= 1e-9, "AD relative error \(seen.relativeError)")
    // Per example, row i is off by 1e-6·|Gᵢⱼ| against its scale (1 + 1e-6)‖Gᵢ‖∞ or so: the largest such ratio.
    #expect(abs(seen.perExampleMaxRelativeError - predicted) <= 1e-3 * predicted, "\(seen.perExampleMaxRelativeError) vs \(predicted)")
    #expect(seen.failures > 0)
    #expect(bugged.verdict == .fail)
  }

  @Test("A 1e-6 bug in one example's gradient: exactly that entry fails against AD", arguments: LinearityCheckTests.Fixture.allCases)
  func oneExampleBugShows(_ fixture: LinearityCheckTests.Fixture) throws {
    let (_, bugged, predicted) = try fixture.visit(Planted(data: fixture.data, example: 7))
    let seen = try #require(bugged.automatic)
    // The entry is off by 1e-6·|G₇ⱼ| and j = argmax|G₇ⱼ|, so 1e-6 of that row's scale; the average moves by
    // 1e-6·G₇ⱼ/N, which against its own bound (~1e-14·‖g‖∞) may or may not show: at least the entry fails.
    #expect(abs(predicted - 1e-6) <= 1e-11)
    #expect(abs(seen.perExampleMaxRelativeError - predicted) <= 1e-3 * predicted, "\(seen.perExampleMaxRelativeError)")
    #expect((1...2).contains(seen.failures), "failures \(seen.failures)")
  }
  #endif

  @Test("A model without an automatic gradient leaves the column empty and says n/a, never FAIL")
  func absentOracleIsSkipped() throws {
    let data = Dataset.syntheticRegression(count: 20, features: 2, seed: 5)
    let check = LinearityCheck(model: AlteredModel(base: LinearModel(features: 2), hasAutomaticGradient: false), data: data, theta: [0.3, -0.2, 0.1], threads: 1)
    #expect(check.automatic == nil)
    #expect(check.verdict == .pass)
  }

  /// Checks the fixture's model at θ = N(0, 1) with and without a 1e-6 bug in coordinate argmax|gⱼ| (of one
  /// example's row when `example` is set), and the per-example relative error the bug must show:
  /// maxᵢ 1e-6·|Gᵢⱼ| / ‖bugged Gᵢ‖∞ over the rows it touches.
  struct Planted: ModelVisitor {
    var data: Dataset
    var example: Int?
    func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> (LinearityCheck, LinearityCheck, Double) {
      let p = model.parameterCount
      let theta = LinearityCheckTests.Fixture.theta(count: p, scale: 1, point: 0)
      let gradients = PerExampleGradients(model: model, data: data, theta: theta)
      let row = example.map { i in gradients.matrix[(i * p)..<((i + 1) * p)] }
      let j = LinearityCheckTests.argmaxAbs(row ?? gradients.average[...])
      let bugged = AlteredModel(base: model, coordinate: j, relative: 1e-6, example: example)
      let rows = example.map { [$0] } ?? Array(0..<data.count)
      let predicted = rows.map { i in
        let entry = gradients.matrix[i * p + j]
        let scale = (0..<p).map { k in abs(k == j ? entry * (1 + 1e-6) : gradients.matrix[i * p + k]) }.max()!
        return 1e-6 * abs(entry) / scale
      }.max()!
      return (
        LinearityCheck(model: model, data: data, theta: theta, threads: 2),
        LinearityCheck(model: bugged, data: data, theta: theta, threads: 2), predicted
      )
    }
  }
}

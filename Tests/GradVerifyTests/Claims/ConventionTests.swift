import Foundation
import GradVerify
import Testing

/// C3-convention: each bug is caught with the size and direction it predicts, and an MSE that is off by
/// another amount or the other way is not FAILS-AS-PREDICTED.
@Suite("C3-convention: the bugs' sizes, measured against predicted")
struct ConventionControlTests {
  /// N = 20 (the bug is a 5% change, visible at R = 20 000), both samplers, the default batch sizes.
  static func judged(scalingMSE factor: Double = 1) -> [VerdictRow] {
    let population = MonteCarloTests.conventionPopulation
    var settings = SweepSettings()
    settings.samplers = [.withReplacement, .withoutReplacement]
    let cells = defaultCells(settings.samplers, count: population.count)
    var measurements = MiniBatchSweep.run(
      population: population, cells: cells, draws: settings.draws, seed: 41, name: "tests/convention-control", threads: 2)
    for k in measurements.indices { measurements[k].meanSquaredError *= factor }
    let experiment = ConventionExperiment(settings: settings)
    let result = experiment.evaluate([.init(caseName: "t", population: population, measurements: measurements)])
    return experiment.verdicts(result).filter { $0.claim == "C3-convention" }
  }

  @Test("both bugs FAIL AS PREDICTED: rejected, with the pooled deviation from the bug's theory at its predicted size")
  func bugsFailAsPredicted() {
    let rows = Self.judged()
    #expect(rows.count == 2)
    for row in rows { #expect(row.verdict == .failsAsPredicted, "\(row.keyFigure)") }
  }

  @Test("a wrong cause: an MSE off the other way (or by twice the bug) is caught but not as predicted")
  func otherDirectionIsNotAsPredicted() {
    let n = Double(MonteCarloTests.conventionPopulation.count)
    // tr S²/b overstates the MSE by 1/(N − 1): a true MSE raised by that much makes the bug look right, and
    // one raised by 2/(N − 1) makes it look wrong the other way.
    for factor in [1 + 2 / (n - 1), 1 - 2 / (n - 1)] {
      let rows = Self.judged(scalingMSE: factor)
      #expect(rows.allSatisfy { $0.verdict != .failsAsPredicted }, "factor \(factor): \(rows.map(\.keyFigure))")
    }
  }
}

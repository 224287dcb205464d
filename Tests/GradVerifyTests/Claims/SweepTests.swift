import Foundation
import Testing
import GradVerify

/// No PASS without power: a sweep too small to see a meaningful deviation says so, and a healthy sweep of
/// the same data with enough draws still PASSes.
@Suite("A sweep without power is INCONCLUSIVE with its reason, never PASS")
struct PowerlessSweepTests {
  static let cancer = CommandRun.packageRoot.appendingPathComponent("Experiments/data/breast_cancer.csv").path
  static let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path

  func rows(_ run: CommandRun, _ claim: String) -> [String] {
    run.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(claim + " ") }
  }

  @Test("--batch-sizes 1 --draws 256: C2 and C3 INCONCLUSIVE, naming the effect they cannot see")
  func tinySweep() throws {
    let run = try CommandRun([
      "sweep", "--data", Self.cancer, "--model", "logistic", "--standardize", "--sampler", "with", "--batch-sizes", "1",
      "--draws", "256", "--quiet",
    ])
    #expect(run.status == 1, "\(run.stdout)")
    let c2 = rows(run, "C2"), c3 = rows(run, "C3")
    #expect(c2.count == 1 && c2[0].hasSuffix("INCONCLUSIVE") && c2[0].contains("no size detects 0.1·‖g‖∞"), "\(c2)")
    #expect(c3.count == 1 && c3[0].hasSuffix("INCONCLUSIVE") && c3[0].contains("no size detects 10% of the law"), "\(c3)")
  }

  @Test("--draws 100: C3 INCONCLUSIVE for both samplers (a cell at b = N, exact, does not lend its power)")
  func fewDraws() throws {
    let run = try CommandRun(["sweep", "--data", Self.iris, "--model", "softmax", "--sampler", "with,without", "--draws", "100", "--quiet"])
    let c3 = rows(run, "C3")
    #expect(c3.count == 2 && c3.allSatisfy { $0.hasSuffix("INCONCLUSIVE") && $0.contains("more draws needed") }, "\(c3)")
    let enough = try CommandRun(["sweep", "--data", Self.iris, "--model", "softmax", "--sampler", "with,without", "--draws", "20000", "--quiet"])
    #expect(enough.status == 0 && rows(enough, "C3").allSatisfy { $0.hasSuffix("PASS") }, "\(enough.stdout)")
  }
}

import Foundation
import GradVerify
import Testing

// What the negative controls N1–N3 share: the verdict vocabulary, their small specs, and byte-identical
// tables for any thread count. Each control's own tests (Claims/CorrelatedTests, NonAdditiveTests and
// DriftTests) check that it reports FAILS-AS-PREDICTED (it breaks, by the predicted size) while its positive
// twin PASSes in the same run; that without its cause it reports UNEXPECTED-PASS and makes `verify` fail;
// and that the measured sizes agree with the predictions within their Monte Carlo intervals.
//
// Every Monte Carlo figure below comes from a fixed seed, so a run is reproducible bit for bit: a critical
// |z| at family-wise α = 0.01 says how unlucky a seed would have to be for a correct harness to fail (at
// most 1%), and once a seed passes it passes for good. A wrong formula moves these z-scores by far more
// than the critical value (each test says by how much), so every test can still fail.

/// The small specs of N1–N3 (synthetic data, a second or less each) and how the tests run them.
enum ControlSpecs {
  /// N1 on sorted synthetic regression (N = 64: aligned sizes 2, 4, 8, 16, 32), with an AR(1) sequence of
  /// 2048 values in circular windows. 4000 draws per cell keep the whole run well under a second.
  static let n1 = """
    {"claim": "N1", "title": "n1 small", "seed": 20261128, "alpha": 0.01, "draws": 4000,
     "points": [{"name": "unit", "scale": 1}],
     "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 256, "d": 1, "seed": 51}}],
     "ar1": {"phi": 0.9, "n": 2048, "batch_sizes": [1, 4, 16, 64]}}
    """

  /// N2 on softmax clusters (N = 48) and linear regression (N = 32, which adds the batch-normalised model).
  static let n2 = """
    {"claim": "N2", "title": "n2 small", "seed": 20261127, "alpha": 0.01, "draws": 4000,
     "costs": ["log-mean-exp", "square-of-mean", "mean"], "batch_norm": true,
     "points": [{"name": "moderate", "scale": 0.3}],
     "cases": [{"model": "softmax", "data": {"synthetic": "clusters", "n": 48, "d": 2, "classes": 3, "seed": 41}},
               {"model": "linear", "data": {"synthetic": "regression", "n": 32, "d": 2, "seed": 42}}]}
    """

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

  /// Writes `text` as `name` in a fresh folder and runs it through the library's runner: the outcome, and
  /// every verdict row in words for messages.
  static func run(_ text: String, name: String, threads: Int = 2) throws -> (outcome: ExperimentOutcome, all: String) {
    let folder = try temporaryFolder([name: text])
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent(name).path
    let outcome = try ExperimentRunner.run(ExperimentSpec.load(path: file), file: file, threads: threads)
    return (outcome, describe(outcome.verdicts))
  }

  /// The rows of `claim` (exact match), with their verdicts, for messages.
  static func rows(_ outcome: ExperimentOutcome, _ claim: String) -> [VerdictRow] {
    outcome.verdicts.filter { $0.claim == claim }
  }

  private static func describe(_ rows: [VerdictRow]) -> String {
    rows.map { "\($0.claim) \($0.caseName): \($0.keyFigure) → \($0.verdict.rawValue)" }.joined(separator: "\n")
  }
}

/// Σ xᵢ by Neumaier's compensated summation, written here so that the test's reference sums do not lean
/// on the library's own.
func referenceSum(_ xs: [Double]) -> Double {
  var sum = 0.0
  var compensation = 0.0
  for x in xs {
    let t = sum + x
    compensation += Swift.abs(sum) >= Swift.abs(x) ? (sum - t) + x : (x - t) + sum
    sum = t
  }
  return sum + compensation
}

// MARK: - The verdict vocabulary

@Suite("Negative controls: the verdict vocabulary")
struct NegativeControlVerdictTests {
  @Test("only PASS and FAILS-AS-PREDICTED hold; the raw values are the table's words")
  func holds() {
    let holding = Verdict.allCases.filter(\.holds)
    #expect(Set(holding) == [.pass, .failsAsPredicted], "\(holding)")
    #expect(Verdict.allCases.map(\.rawValue) == ["PASS", "FAILS-AS-PREDICTED", "INCONCLUSIVE", "UNEXPECTED-PASS", "FAIL"])
  }

  @Test("ordering: FAIL is worst, then UNEXPECTED-PASS, INCONCLUSIVE, and PASS ties FAILS-AS-PREDICTED")
  func ordering() {
    let chain: [Verdict] = [.pass, .inconclusive, .unexpectedPass, .fail]
    for (a, b) in zip(chain, chain.dropFirst()) {
      #expect(a < b && !(b < a), "\(a) should be better than \(b)")
    }
    #expect(!(Verdict.pass < .failsAsPredicted) && !(Verdict.failsAsPredicted < .pass), "PASS and FAILS-AS-PREDICTED tie")
    #expect(Verdict.failsAsPredicted < .inconclusive)
    for v in Verdict.allCases {
      #expect(Swift.max(v, .fail) == .fail && Swift.max(.fail, v) == .fail, "\(v) vs FAIL")
      #expect(!(v < v), "\(v) is not worse than itself")
    }
    #expect(Verdict.allCases.max() == .fail)
    // The worst of a run without FAIL is UNEXPECTED-PASS: a lost cause outranks an unresolved check.
    #expect([Verdict.pass, .failsAsPredicted, .unexpectedPass, .inconclusive].max() == .unexpectedPass)
  }

  @Test(
    "control(broke:sizeAsPredicted:) truth table",
    arguments: [
      (false, false, Verdict.unexpectedPass), (false, true, .unexpectedPass), (true, true, .failsAsPredicted),
      (true, false, .fail),
    ])
  func controlTruthTable(broke: Bool, sizeAsPredicted: Bool, expected: Verdict) {
    let v = Verdict.control(broke: broke, sizeAsPredicted: sizeAsPredicted)
    #expect(v == expected, "broke \(broke), as predicted \(sizeAsPredicted) → \(v)")
    // A control holds exactly when it broke by the predicted size.
    #expect(v.holds == (broke && sizeAsPredicted))
  }
}

// MARK: - End to end through the binary

@Suite("Negative controls: byte-identical tables for any thread count", .serialized)
struct NegativeControlCommandLineTests {
  @Test("run --threads 1 and --threads 2 write byte-identical tables", arguments: ["N1", "N2", "N3"])
  func threadsByteIdentical(claim: String) throws {
    let spec = claim == "N1" ? ControlSpecs.n1 : claim == "N2" ? ControlSpecs.n2 : ControlSpecs.n3(etas: ControlSpecs.healthyEtas)
    let folder = try temporaryFolder(["\(claim)-small.json": spec])
    defer { try? FileManager.default.removeItem(at: folder) }
    var written: [[String: Data]] = []
    for threads in ["1", "2"] {
      let out = "out\(threads)"
      let run = try CommandRun(["run", "\(claim)-small.json", "--out", out, "--threads", threads], in: folder)
      #expect(run.status == 0, "\(claim) threads \(threads): exit \(run.status)\n\(run.stdout)\n\(run.stderr)")
      let dir = folder.appendingPathComponent(out)
      let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted()
      var files: [String: Data] = [:]
      for name in names { files[name] = try Data(contentsOf: dir.appendingPathComponent(name)) }
      written.append(files)
    }
    #expect(!written[0].isEmpty, "\(claim): no tables written")
    #expect(written[0].keys.sorted() == written[1].keys.sorted(), "\(claim): \(written[0].keys.sorted()) vs \(written[1].keys.sorted())")
    for (name, bytes) in written[0] {
      #expect(bytes.count > 100, "\(claim) \(name): a near-empty table")
      #expect(written[1][name] == bytes, "\(claim) \(name) differs between --threads 1 and 2")
    }
  }
}

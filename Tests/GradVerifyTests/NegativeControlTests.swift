import Foundation
import GradVerify
import Testing

// What the negative controls N1–N3 share: the verdict vocabulary, how their small specs are run, and the
// check that a spec's tables are byte-identical for any thread count (each control's small spec and its
// calls of these live beside its other tests, in Claims/). Each control's own tests (Claims/CorrelatedTests, NonAdditiveTests and
// DriftTests) check that it reports FAILS-AS-PREDICTED (it breaks, by the predicted size) while its positive
// twin PASSes in the same run; that without its cause it reports UNEXPECTED-PASS and makes `verify` fail;
// and that the measured sizes agree with the predictions within their Monte Carlo intervals.
//
// Every Monte Carlo figure below comes from a fixed seed, so a run is reproducible bit for bit: a critical
// |z| at family-wise α = 0.01 says how unlucky a seed would have to be for a correct harness to fail (at
// most 1%), and once a seed passes it passes for good. A wrong formula moves these z-scores by far more
// than the critical value (each test says by how much), so every test can still fail.

/// How the tests run the small specs of N1–N3 (synthetic data, a second or less each; each declared beside its
/// claim's tests, in Claims/).
enum ControlSpecs {
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

extension ControlSpecs {
  /// `gradverify run` of a control's small spec with --threads 1 and with --threads 2: the tables must be
  /// byte-identical (each control's tests call it for its spec).
  static func expectThreadsByteIdentical(claim: String, spec: String) throws {
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

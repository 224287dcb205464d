/// The verdict vocabulary of the harness's tables.
///
/// Claims: `PASS` (the check could have failed and did not), `FAIL`, `INCONCLUSIVE` (the check could not
/// resolve the bug it is meant to find). Negative controls: `FAILS-AS-PREDICTED`, `UNEXPECTED-PASS`.
public enum Verdict: String, Sendable, Codable, Comparable {
  case pass = "PASS"
  case inconclusive = "INCONCLUSIVE"
  case fail = "FAIL"

  /// The worse of two verdicts: FAIL > INCONCLUSIVE > PASS.
  public static func < (a: Verdict, b: Verdict) -> Bool { a.severity < b.severity }
  var severity: Int {
    switch self {
    case .pass: 0
    case .inconclusive: 1
    case .fail: 2
    }
  }
}

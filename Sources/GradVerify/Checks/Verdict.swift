/// The verdict vocabulary of the harness's tables.
///
/// Claims: `PASS` (the check could have failed and did not), `FAIL`, `INCONCLUSIVE` (the check could not
/// resolve the bug it is meant to find). Negative controls, where the claim is expected to break:
/// `FAILS-AS-PREDICTED` (it breaks, by a size inside the predicted interval) and `UNEXPECTED-PASS` (it did
/// not break: the control lost its cause); a control that breaks by a size outside its prediction is `FAIL`.
public enum Verdict: String, Sendable, Codable, Comparable, CaseIterable {
  case pass = "PASS"
  case failsAsPredicted = "FAILS-AS-PREDICTED"
  case inconclusive = "INCONCLUSIVE"
  case unexpectedPass = "UNEXPECTED-PASS"
  case fail = "FAIL"

  /// Whether `make verify` counts the row as holding.
  public var holds: Bool { self == .pass || self == .failsAsPredicted }

  /// The worse of two verdicts: FAIL > UNEXPECTED-PASS > INCONCLUSIVE > PASS, FAILS-AS-PREDICTED.
  public static func < (a: Verdict, b: Verdict) -> Bool { a.severity < b.severity }
  var severity: Int {
    switch self {
    case .pass, .failsAsPredicted: 0
    case .inconclusive: 1
    case .unexpectedPass: 2
    case .fail: 3
    }
  }

  /// A negative control's verdict: did the claim break, and by the predicted amount?
  public static func control(broke: Bool, sizeAsPredicted: Bool) -> Verdict {
    guard broke else { return .unexpectedPass }
    return sizeAsPredicted ? .failsAsPredicted : .fail
  }
}

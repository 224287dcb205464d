import Foundation

/// One row of `gradverify verify`'s table: claim id, case, key figure, verdict.
public struct VerdictRow: Sendable, Equatable {
  public var claim: String
  public var caseName: String
  public var keyFigure: String
  public var verdict: Verdict
  /// The row's power, where it states one: the smallest effect its test detects with probability ½ (C2: a
  /// bias relative to ‖g‖∞; C3: a relative deviation of the MSE); nil otherwise.
  public var detectable: Double?

  public init(claim: String, caseName: String, keyFigure: String, verdict: Verdict, detectable: Double? = nil) {
    self.claim = claim
    self.caseName = caseName
    self.keyFigure = keyFigure
    self.verdict = verdict
    self.detectable = detectable
  }
}

/// The claim names an experiment's verdict rows carry: its own id and its parts ("N1a", "N3-twin"), one case
/// each, so a row cannot name a claim nobody declared. The runner refuses a row whose claim is not one of its
/// experiment's, and the registry test that two experiments declare the same name.
package protocol VerdictClaim: RawRepresentable<String>, CaseIterable, Sendable {}

extension VerdictRow {
  package init(
    claim: some VerdictClaim, caseName: String, keyFigure: String, verdict: Verdict, detectable: Double? = nil
  ) {
    self.init(claim: claim.rawValue, caseName: caseName, keyFigure: keyFigure, verdict: verdict, detectable: detectable)
  }
}

/// Renders verdict rows as an aligned plain-text table with a closing count. When the table is wider than
/// `width` columns (nil: no limit), each row is stacked instead, every line within the width:
///
/// ```
/// C1    logistic/breast_cancer+std@near: PASS
///       rel 5.4e-12, cs 1.5e-16, ad 1.5e-16, halving 4.0
/// ```
public func renderVerdictTable(_ rows: [VerdictRow], width: Int? = nil) -> String {
  let header = ["claim", "case", "key figure", "verdict"]
  let cells = rows.map { [$0.claim, $0.caseName, $0.keyFigure, $0.verdict.rawValue] }
  var widths = header.map(\.count)
  for row in cells {
    for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) }
  }
  func line(_ row: [String]) -> String {
    row.enumerated().map { k, cell in
      k == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[k] - cell.count)
    }.joined(separator: "  ")
  }
  var out = ""
  if let width, widths.reduce(2 * (widths.count - 1), +) > width {
    let indent = min(widths[0] + 2, width / 4)
    let lead = String(repeating: " ", count: indent)
    for row in rows {
      // The claim in the margin (on a line of its own if it is wider), then the case, its verdict and its
      // key figure, each wrapped to the room beside the margin.
      out += row.claim.count < indent ? row.claim.padding(toLength: indent, withPad: " ", startingAt: 0) : row.claim + "\n" + lead
      let text = TextWidth.wrap("\(row.caseName): \(row.verdict.rawValue)", width: width - indent, indent: 0)
        + TextWidth.wrap(row.keyFigure, width: width - indent, indent: 0)
      out += text.joined(separator: "\n" + lead) + "\n"
    }
  } else {
    out = line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
    for row in cells { out += line(row) + "\n" }
  }
  let counts = Dictionary(grouping: rows, by: \.verdict).mapValues(\.count)
  var tally = [Verdict.pass, .fail, .inconclusive].map { "\(counts[$0] ?? 0) \($0.rawValue)" }
  for extra in [Verdict.failsAsPredicted, .unexpectedPass] where counts[extra] != nil {
    tally.append("\(counts[extra] ?? 0) \(extra.rawValue)")
  }
  out += "\(rows.count) cases: " + tally.joined(separator: ", ") + "\n"
  return out
}

/// A number for a human-read table: two significant digits in scientific notation ("6.4e-11").
package func shortScientific(_ x: Double) -> String {
  guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "inf" : "-inf") }
  if x == 0 { return "0" }
  var exponent = Int((Foundation.log10(Swift.abs(x))).rounded(.down))
  var mantissa = x / Foundation.pow(10, Double(exponent))
  mantissa = (mantissa * 10).rounded() / 10
  if Swift.abs(mantissa) >= 10 {
    mantissa /= 10
    exponent += 1
  }
  let digits = Int((Swift.abs(mantissa) * 10).rounded())
  return "\(mantissa < 0 ? "-" : "")\(digits / 10).\(digits % 10)e\(exponent)"
}

/// `shortScientific` with an explicit sign on positive values ("+1.0e-2"), for deviations.
package func signedScientific(_ x: Double) -> String { (x > 0 ? "+" : "") + shortScientific(x) }

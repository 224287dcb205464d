import Foundation

/// Numbers as figures print them.
enum PlotLabel {
  /// A number to three significant digits, for notes and labels.
  static func short(_ value: Double) -> String {
    let text = String(format: "%.3g", value)
    return text.hasPrefix("-") ? "−" + text.dropFirst() : text
  }
}

extension PlotPoint {
  /// A measured value with its 95% interval (±1.96 standard errors); a point alone without a finite se.
  static func interval95(x: Double, y: Double, se: Double?) -> PlotPoint {
    guard let se, se.isFinite else { return PlotPoint(x: x, y: y) }
    let z95 = -normalQuantile(0.025)
    return PlotPoint(x: x, y: y, low: y - z95 * se, high: y + z95 * se)
  }
}

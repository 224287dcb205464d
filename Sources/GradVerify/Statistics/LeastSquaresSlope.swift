/// The slope of an ordinary least-squares line through (x, y) points, or nil for fewer than two distinct x.
///
/// ```
/// slope = Σ (xᵢ − x̄)(yᵢ − ȳ) / Σ (xᵢ − x̄)²
/// ```
public func leastSquaresSlope(_ points: [(x: Double, y: Double)]) -> Double? {
  guard points.count >= 2 else { return nil }
  let mx = points.map(\.x).reduce(0, +) / Double(points.count)
  let my = points.map(\.y).reduce(0, +) / Double(points.count)
  let sxy = points.reduce(0) { $0 + ($1.x - mx) * ($1.y - my) }
  let sxx = points.reduce(0) { $0 + ($1.x - mx) * ($1.x - mx) }
  return sxx > 0 ? sxy / sxx : nil
}

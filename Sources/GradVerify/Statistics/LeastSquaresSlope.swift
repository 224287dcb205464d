/// The slope of a weighted least-squares line through (x, y) points, with its standard error inflated for
/// lack of fit; nil for fewer than two distinct x.
///
/// ```
/// slope = (Σw Σwxy − Σwx Σwy) / D,   D = Σw Σwx² − (Σwx)²,   se₀ = √(Σw / D)
/// χ² = Σ wᵢ (yᵢ − a − slope·xᵢ)²,    se = se₀ · √max(1, χ²/(k − 2))   (k ≥ 3 points; nil below)
/// ```
/// With wᵢ = 1/Var yᵢ the residuals should give χ²/(k − 2) ≈ 1; a larger value means the line does not fit
/// the points to their precision, and the interval widens by that factor (Birge ratio). With every wᵢ = 1
/// it is the ordinary least-squares slope.
package func weightedLeastSquaresSlope(
  _ points: [(x: Double, y: Double, weight: Double)]
) -> (slope: Double, standardError: Double?)? {
  guard points.count >= 2 else { return nil }
  var sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
  for p in points {
    sw += p.weight
    sx += p.weight * p.x
    sy += p.weight * p.y
    sxx += p.weight * p.x * p.x
    sxy += p.weight * p.x * p.y
  }
  let denominator = sw * sxx - sx * sx
  guard denominator > 0 else { return nil }
  let slope = (sw * sxy - sx * sy) / denominator
  guard points.count >= 3 else { return (slope, nil) }
  let intercept = (sy - slope * sx) / sw
  let chi2 = points.reduce(0) { $0 + $1.weight * ($1.y - intercept - slope * $1.x) * ($1.y - intercept - slope * $1.x) }
  let birge = Swift.max(1, chi2 / Double(points.count - 2))
  return (slope, (sw / denominator * birge).squareRoot())
}

/// The ordinary least-squares slope (every weight 1), or nil for fewer than two distinct x.
package func leastSquaresSlope(_ points: [(x: Double, y: Double)]) -> Double? {
  weightedLeastSquaresSlope(points.map { ($0.x, $0.y, 1) })?.slope
}

/// The ordinary least-squares slope with its classical standard error, from the residual variance:
/// se = √(s² · k / D), s² = Σ(yᵢ − a − slope·xᵢ)² / (k − 2); nil for fewer than three points or two
/// distinct x.
package func ordinaryLeastSquaresSlope(_ points: [(x: Double, y: Double)]) -> (slope: Double, standardError: Double)? {
  guard points.count >= 3, let fit = weightedLeastSquaresSlope(points.map { ($0.x, $0.y, 1) }) else { return nil }
  let k = Double(points.count)
  let mx = points.reduce(0) { $0 + $1.x } / k, my = points.reduce(0) { $0 + $1.y } / k
  let sxx = points.reduce(0) { $0 + ($1.x - mx) * ($1.x - mx) }
  let rss = points.reduce(0) { $0 + ($1.y - my - fit.slope * ($1.x - mx)) * ($1.y - my - fit.slope * ($1.x - mx)) }
  return (fit.slope, (rss / (k - 2) / sxx).squareRoot())
}

import Foundation

/// P(Z ≤ x) for a standardised mean with skewness γ, to first order (Edgeworth):
/// Φ(x) − φ(x)·(γ/6)(x² − 1).
package func edgeworthCDF(_ x: Double, skewness gamma: Double) -> Double {
  let density = Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
  return Swift.min(1, Swift.max(0, normalCDF(x) - density * gamma / 6 * (x * x - 1)))
}

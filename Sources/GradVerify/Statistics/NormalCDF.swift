import Foundation

/// The standard normal distribution function Φ(x) = erfc(−x/√2)/2.
package func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// The power of the two-sided z-test |Z| > z* when Z ~ N(λ, 1): Φ(λ − z*) + Φ(−λ − z*).
package func twoSidedPower(shift lambda: Double, criticalZ: Double) -> Double {
  normalCDF(lambda - criticalZ) + normalCDF(-lambda - criticalZ)
}

import Foundation

/// The cumulant generating function K(t) = log E exp(t·S) of a centred sum S of independent draws from a
/// known finite law, with K′ and K″: everything a saddlepoint tail or a Chernoff bound needs.
///
/// Both laws below are centred (E S = 0), so a statistic's deviation from its null expectation is tested
/// directly and no large mean is subtracted from a small one.
package protocol SumCumulants: Sendable {
  /// K(t), K′(t) and K″(t).
  func cumulants(at t: Double) -> (k: Double, slope: Double, curvature: Double)
  /// The least and greatest values S can take.
  var support: ClosedRange<Double> { get }
  /// log P(S = support.upperBound), log P(S = support.lowerBound).
  var logMassAtMaximum: Double { get }
  var logMassAtMinimum: Double { get }
  /// Var S.
  var variance: Double { get }
}

/// S = Σₖ (Xₖ − μ) over n independent uniform picks Xₖ from a finite population of values (sampling with
/// replacement), the population given as distinct atoms vₐ with multiplicities cₐ (Σ cₐ = N).
///
/// ```
/// K(t) = n·[log Σₐ (cₐ/N) e^{t vₐ} − t μ]     (computed as m + log Σ (cₐ/N) e^{t vₐ − m}, m = maxₐ t vₐ)
/// K′(t) = n·(μ_t − μ),  K″(t) = n·σ_t²        μ_t, σ_t² the mean and variance of the tilted law ∝ cₐ e^{t vₐ}
/// ```
package struct UniformPickSum: SumCumulants {
  public let atoms: PopulationAtoms
  /// The number of picks n (as a real: R·b can pass 2⁵³ only in theory).
  public let picks: Double

  public init(atoms: PopulationAtoms, picks: Double) {
    precondition(picks >= 1, "a sum needs at least one pick")
    self.atoms = atoms
    self.picks = picks
  }

  public func cumulants(at t: Double) -> (k: Double, slope: Double, curvature: Double) {
    let values = atoms.values
    let weights = atoms.weights
    let mu = atoms.mean
    var top = -Double.infinity
    for v in values { top = Swift.max(top, t * (v - mu)) }
    // One exponential per atom, kept for the second pass (the tilted variance about the tilted mean).
    var tilted = [Double](repeating: 0, count: values.count)
    var (s0, s1) = (0.0, 0.0)
    for a in values.indices {
      let e = weights[a] * Foundation.exp(t * (values[a] - mu) - top)
      tilted[a] = e
      s0 += e
      s1 += e * (values[a] - mu)
    }
    let tiltedMean = s1 / s0
    var s2 = 0.0
    for a in values.indices {
      let x = values[a] - mu - tiltedMean
      s2 += tilted[a] * x * x
    }
    return (picks * (top + Foundation.log(s0)), picks * tiltedMean, picks * s2 / s0)
  }

  public var support: ClosedRange<Double> {
    picks * (atoms.values.first! - atoms.mean)...picks * (atoms.values.last! - atoms.mean)
  }
  public var logMassAtMaximum: Double { picks * Foundation.log(atoms.weights.last!) }
  public var logMassAtMinimum: Double { picks * Foundation.log(atoms.weights.first!) }
  public var variance: Double { picks * atoms.variance }
}

/// S = Σᵣ Σᵢ (Iᵣᵢ − q)·xᵢ over R independent Poisson draws, each including every row i independently with
/// probability q, the rows' values xᵢ given as distinct atoms vₐ with multiplicities cₐ.
///
/// ```
/// K(t) = R Σₐ cₐ [log(1 − q + q e^{t vₐ}) − q t vₐ]
/// K′(t) = R Σₐ cₐ vₐ (πₐ − q),  K″(t) = R Σₐ cₐ vₐ² πₐ(1 − πₐ),   πₐ = q e^{t vₐ}/(1 − q + q e^{t vₐ})
/// ```
package struct BernoulliInclusionSum: SumCumulants {
  public let atoms: PopulationAtoms
  public let probability: Double
  public let repetitions: Double

  public init(atoms: PopulationAtoms, probability q: Double, repetitions: Double) {
    precondition(q > 0 && q < 1 && repetitions >= 1, "needs 0 < q < 1 and at least one draw")
    self.atoms = atoms
    probability = q
    self.repetitions = repetitions
  }

  /// log(1 − q + q eᵘ) without overflow or cancellation, and the tilted inclusion probability.
  @inline(__always) func logInclusion(_ u: Double) -> (log: Double, pi: Double) {
    let q = probability
    if u > 0 {
      let back = Foundation.exp(-u)
      return (u + Foundation.log(q + (1 - q) * back), q / (q + (1 - q) * back))
    }
    let e = Foundation.exp(u)
    return (Foundation.log1p(q * Foundation.expm1(u)), q * e / (1 - q + q * e))
  }

  public func cumulants(at t: Double) -> (k: Double, slope: Double, curvature: Double) {
    var (k, k1, k2) = (0.0, 0.0, 0.0)
    for a in atoms.values.indices {
      let v = atoms.values[a]
      let c = atoms.counts[a]
      let (l, pi) = logInclusion(t * v)
      k += c * (l - probability * t * v)
      k1 += c * v * (pi - probability)
      k2 += c * v * v * pi * (1 - pi)
    }
    return (repetitions * k, repetitions * k1, repetitions * k2)
  }

  public var support: ClosedRange<Double> {
    var (low, high) = (0.0, 0.0)
    for a in atoms.values.indices {
      let v = atoms.values[a]
      let c = atoms.counts[a]
      low += c * (v < 0 ? (1 - probability) * v : -probability * v)
      high += c * (v > 0 ? (1 - probability) * v : -probability * v)
    }
    return repetitions * low...repetitions * high
  }
  public var logMassAtMaximum: Double { logMassAtExtreme(positiveIncluded: true) }
  public var logMassAtMinimum: Double { logMassAtExtreme(positiveIncluded: false) }

  /// Every positive value included and every negative one left out (or the reverse), in every draw.
  func logMassAtExtreme(positiveIncluded: Bool) -> Double {
    var s = 0.0
    for a in atoms.values.indices where atoms.values[a] != 0 {
      let included = (atoms.values[a] > 0) == positiveIncluded
      s += atoms.counts[a] * Foundation.log(included ? probability : 1 - probability)
    }
    return repetitions * s
  }

  public var variance: Double {
    var s = 0.0
    for a in atoms.values.indices { s += atoms.counts[a] * atoms.values[a] * atoms.values[a] }
    return repetitions * probability * (1 - probability) * s
  }
}

/// −S for a sum S: K₋(t) = K(−t), so a lower tail of S is an upper tail of −S.
package struct NegatedSum<Base: SumCumulants>: SumCumulants {
  public let base: Base
  public init(_ base: Base) { self.base = base }
  public func cumulants(at t: Double) -> (k: Double, slope: Double, curvature: Double) {
    let c = base.cumulants(at: -t)
    return (c.k, -c.slope, c.curvature)
  }
  public var support: ClosedRange<Double> { -base.support.upperBound...(-base.support.lowerBound) }
  public var logMassAtMaximum: Double { base.logMassAtMinimum }
  public var logMassAtMinimum: Double { base.logMassAtMaximum }
  public var variance: Double { base.variance }
}

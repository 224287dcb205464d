import Foundation

/// Tails of a sum of picks from a population with a few heavy values (sparse, one-hot or few-valued
/// columns, one huge example): how many picks land on each heavy value is enumerated exactly, and the rest
/// (the core, which has no outlier left) is a single value or is given by its saddlepoint.
///
/// ```
/// with replacement, n picks:  heavy counts (c₁, …, c_h) ~ Multinomial(n; w₁, …, w_h), the core gets the rest
///   S = Σₐ cₐ(vₐ − μ) + m(μ_core − μ) + S_core(m),   m = n − Σ cₐ,   S_core(m) a centred sum of m core picks
/// Poisson draws:  cₐ ~ Bin(R·Nₐ, q) independently,  S = Σₐ (cₐ − R q Nₐ) vₐ + S_core
/// P(S ≥ s) = Σ_{count vectors} P(c) · P(S_core ≥ s − offset(c) − τ) + the mass not enumerated
/// ```
/// With a core of one value the tail is exact; otherwise the core's tail is Lugannani–Rice (clamped to its
/// Chernoff bound). Each binomial is enumerated over its mean ± (12 sd + 12), so the mass left out is below
/// 10⁻³⁰; it and the count vectors less likely than 10⁻²⁰ (at most 2·10⁻¹⁵ in all) are added to both tails. τ is the rounding of s: an atom within τ of s counts in both tails.
package enum CountEnumerationTail {
  /// The most count vectors enumerated for one tail.
  public static let budget = 200_000
  /// The most work (count vectors × core values) when the core needs a saddlepoint per count vector.
  public static let saddlepointBudget = 2_000_000.0
  /// Count vectors less likely than this are not visited; their mass (at most budget × this) goes to both
  /// tails as unseen.
  static let negligible = 1e-20
  /// A far value expected this many times or more stays in the core (its count is near normal).
  static let frequentCount = 25.0
  /// A value this many core standard deviations from the core mean is far.
  public static let farSpread = 8.0

  /// A population split into heavy values, enumerated, and a core with no value far from the rest.
  public struct Split: Sendable {
    /// Indices into the atoms of the heavy values.
    public var heavy: [Int]
    /// The core's atoms: at least one value always stays in it.
    public var core: PopulationAtoms
    /// False when a value far from the core had to stay in it (the enumeration budget ran out): the core's
    /// saddlepoint is then not to be trusted.
    public var clean: Bool
  }

  /// Peels values off either end of the sorted atoms while the farther end lies more than `spread` core
  /// standard deviations from the core mean and is expected fewer than 25 times; then, if the core has at most `fewValues` values, every one
  /// but its commonest, so that the law is exact. Both within the budget of count vectors.
  ///
  /// - Parameter binomial: for each atom, the binomial (trials, probability) its count follows.
  public static func split(
    _ atoms: PopulationAtoms, binomial: (Int) -> (trials: Double, probability: Double), spread: Double = farSpread,
    fewValues: Int = 12
  ) -> Split {
    var (lo, hi) = (0, atoms.values.count - 1)
    var heavy: [Int] = []
    var leaves = 1.0
    var clean = true
    while lo < hi {
      // The core's mean and spread, about the whole population's mean (weights only: no cancellation).
      var (w, s1) = (0.0, 0.0)
      for a in lo...hi { w += atoms.weights[a]; s1 += atoms.weights[a] * (atoms.values[a] - atoms.mean) }
      let mean = s1 / w
      var s2 = 0.0
      for a in lo...hi {
        let x = atoms.values[a] - atoms.mean - mean
        s2 += atoms.weights[a] * x * x
      }
      let sd = (s2 / w).squareRoot()
      let lowGap = Swift.abs(atoms.values[lo] - atoms.mean - mean)
      let highGap = Swift.abs(atoms.values[hi] - atoms.mean - mean)
      let end = highGap >= lowGap ? hi : lo
      guard Swift.max(lowGap, highGap) > spread * sd else { break }
      // A value drawn often enough has a near-normal count: the core's saddlepoint carries it well.
      let b = binomial(end)
      guard b.trials * b.probability < frequentCount else { break }
      let width = estimatedLeaves([binomial(end)])
      guard leaves * width <= Double(budget) else {
        clean = false
        break
      }
      leaves *= width
      heavy.append(end)
      if end == hi { hi -= 1 } else { lo += 1 }
    }
    var core = Array(lo...hi)
    if clean && core.count > 1 && core.count <= fewValues {
      let mode = core.max { atoms.counts[$0] < atoms.counts[$1] }!
      let rest = core.filter { $0 != mode }
      if leaves * estimatedLeaves(rest.map(binomial)) <= Double(budget) {
        heavy += rest
        core = [mode]
      }
    }
    let coreAtoms = PopulationAtoms(values: core.map { atoms.values[$0] }, counts: core.map { atoms.counts[$0] })
    return Split(heavy: heavy, core: coreAtoms, clean: clean)
  }

  /// (P(S ≤ s + τ), P(S ≥ s − τ)) for S the centred sum of `picks` uniform picks (with replacement), and
  /// whether they are exact; nil when the split is not clean or the work passes the budgets.
  public static func uniformPicks(
    atoms: PopulationAtoms, picks n: Int, at s: Double, tolerance: Double
  ) -> (lower: Double, upper: Double, exact: Bool)? {
    let split = split(atoms) { (Double(n), atoms.weights[$0]) }
    guard split.clean else { return nil }
    let core = split.core
    let single = core.values.count == 1
    let leaves = estimatedLeaves(split.heavy.map { (Double(n), atoms.weights[$0]) })
    guard single || leaves * Double(core.values.count) <= saddlepointBudget else { return nil }
    let coreShift = core.mean - atoms.mean
    var tally = Tally()
    func visit(_ depth: Int, trials: Int, massLeft: Double, sum: Double, logP: Double) {
      guard depth < split.heavy.count else {
        let offset = sum + Double(trials) * coreShift
        let p = Foundation.exp(logP)
        // A count vector this unlikely is left to the unseen mass, which both tails carry.
        guard p >= negligible else { return }
        if single || trials == 0 {
          tally.add(p, lower: offset <= s + tolerance ? 1 : 0, upper: offset >= s - tolerance ? 1 : 0)
        } else {
          let t = UniformPickSum(atoms: core, picks: Double(trials)).tails(at: s - offset, tolerance: tolerance)
          tally.add(p, lower: t.lower.approximation, upper: t.upper.approximation)
        }
        return
      }
      let a = split.heavy[depth]
      let p = Swift.min(1, atoms.weights[a] / massLeft)
      let delta = atoms.values[a] - atoms.mean
      for c in binomialRange(trials: trials, probability: p) {
        visit(
          depth + 1, trials: trials - c, massLeft: massLeft - atoms.weights[a], sum: sum + Double(c) * delta,
          logP: logP + logBinomialMass(c, trials: trials, probability: p))
      }
    }
    visit(0, trials: n, massLeft: 1, sum: 0, logP: 0)
    let tails = tally.tails
    return (tails.lower, tails.upper, single)
  }

  /// The same for S = Σᵣ Σᵢ (Iᵣᵢ − q) xᵢ over R Poisson draws (inclusion probability q), `atoms` the rows'
  /// values; nil when the split is not clean or the work passes the budgets.
  public static func bernoulliInclusions(
    atoms: PopulationAtoms, probability q: Double, repetitions r: Int, at s: Double, tolerance: Double
  ) -> (lower: Double, upper: Double, exact: Bool)? {
    let trials = atoms.counts.map { $0 * Double(r) }
    let split = split(atoms) { (trials[$0], q) }
    guard split.clean else { return nil }
    let core = split.core.nonZero
    let leaves = estimatedLeaves(split.heavy.map { (trials[$0], q) })
    guard core == nil || leaves * Double(core!.values.count) <= saddlepointBudget else { return nil }
    let coreSum = core.map { BernoulliInclusionSum(atoms: $0, probability: q, repetitions: Double(r)) }
    var tally = Tally()
    func visit(_ depth: Int, sum: Double, logP: Double) {
      guard depth < split.heavy.count else {
        let p = Foundation.exp(logP)
        guard p >= negligible else { return }
        if let coreSum {
          let t = coreSum.tails(at: s - sum, tolerance: tolerance)
          tally.add(p, lower: t.lower.approximation, upper: t.upper.approximation)
        } else {
          tally.add(p, lower: sum <= s + tolerance ? 1 : 0, upper: sum >= s - tolerance ? 1 : 0)
        }
        return
      }
      let a = split.heavy[depth]
      let n = Int(trials[a])
      let mean = trials[a] * q
      for c in binomialRange(trials: n, probability: q) {
        visit(depth + 1, sum: sum + (Double(c) - mean) * atoms.values[a], logP: logP + logBinomialMass(c, trials: n, probability: q))
      }
    }
    visit(0, sum: 0, logP: 0)
    let tails = tally.tails
    return (tails.lower, tails.upper, core == nil)
  }

  /// The probability mass in each tail, and the mass seen.
  struct Tally {
    var total = 0.0, lower = 0.0, upper = 0.0
    mutating func add(_ probability: Double, lower l: Double, upper u: Double) {
      total += probability
      lower += probability * l
      upper += probability * u
    }
    var tails: (lower: Double, upper: Double) {
      let unseen = Swift.max(0, 1 - total)
      return (Swift.min(1, lower + unseen), Swift.min(1, upper + unseen))
    }
  }

  /// The counts of Bin(n, p) worth enumerating: mean ± (12 sd + 12), clipped to [0, n].
  static func binomialRange(trials n: Int, probability p: Double) -> ClosedRange<Int> {
    guard p > 0 else { return 0...0 }
    guard p < 1 else { return n...n }
    let mean = Double(n) * p
    let reach = 12 * (mean * (1 - p)).squareRoot() + 12
    return Swift.max(0, Int((mean - reach).rounded(.down)))...Swift.min(n, Int((mean + reach).rounded(.up)))
  }

  /// The product of the marginal ranges: the count vectors an enumeration visits, at most.
  static func estimatedLeaves(_ binomials: [(trials: Double, probability: Double)]) -> Double {
    binomials.reduce(1.0) { product, b in
      let mean = b.trials * b.probability
      let width = Swift.min(b.trials + 1, 2 * (12 * (mean * (1 - b.probability)).squareRoot() + 12) + 1)
      return product * width
    }
  }

  /// log P(X = c) for X ~ Bin(n, p).
  static func logBinomialMass(_ c: Int, trials n: Int, probability p: Double) -> Double {
    let (nd, cd) = (Double(n), Double(c))
    let choose = lgamma(nd + 1) - lgamma(cd + 1) - lgamma(nd - cd + 1)
    let success = c == 0 ? 0 : cd * Foundation.log(p)
    let failure = c == n ? 0 : (nd - cd) * Foundation.log1p(-p)
    return choose + success + failure
  }
}

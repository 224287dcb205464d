/// A finite population of N numbers as its distinct values (ascending) with their multiplicities: the
/// exact law of one uniform pick, whatever its shape (one-hot columns with two values, a sparse column that
/// is mostly one value, a column with one huge entry).
///
/// ```
/// values v₁ < … < v_m,  counts cₐ,  weights wₐ = cₐ/N,  μ = Σ wₐvₐ,  σ² = Σ wₐ(vₐ − μ)²  (two-pass)
/// ```
package struct PopulationAtoms: Sendable, Equatable {
  public let values: [Double]
  /// cₐ, as reals (they enter only products and sums).
  public let counts: [Double]
  public let weights: [Double]
  public let total: Double
  public let mean: Double
  /// σ² with divisor N, about the two-pass mean.
  public let variance: Double

  /// - Complexity: O(N log N).
  public init(_ population: some Collection<Double>) {
    precondition(!population.isEmpty, "an empty population has no law")
    let sorted = population.sorted()
    var values: [Double] = []
    var counts: [Double] = []
    for x in sorted {
      if let last = values.last, last == x {
        counts[counts.count - 1] += 1
      } else {
        values.append(x)
        counts.append(1)
      }
    }
    self.init(values: values, counts: counts)
  }

  /// Atoms already distinct and ascending.
  public init(values: [Double], counts: [Double]) {
    precondition(!values.isEmpty && values.count == counts.count, "one count per value")
    self.values = values
    self.counts = counts
    let total = counts.reduce(0, +)
    self.total = total
    weights = counts.map { $0 / total }
    var s = NeumaierSum()
    for a in values.indices { s.add(counts[a] * values[a]) }
    let mean = s.value / total
    self.mean = mean
    var v = NeumaierSum()
    for a in values.indices { v.add(counts[a] * (values[a] - mean) * (values[a] - mean)) }
    variance = v.value / total
  }

  /// The same atoms with every value mapped by an increasing function (e.g. scaled by a positive factor).
  public func mapped(_ f: (Double) -> Double) -> PopulationAtoms {
    PopulationAtoms(values: values.map(f), counts: counts)
  }

  /// The atoms without the value 0 (a row with value 0 adds nothing to a Poisson sum).
  public var nonZero: PopulationAtoms? {
    let keep = values.indices.filter { values[$0] != 0 }
    guard !keep.isEmpty else { return nil }
    return PopulationAtoms(values: keep.map { values[$0] }, counts: keep.map { counts[$0] })
  }
}

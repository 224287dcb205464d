
/// Negative control F: averaging is exact in real arithmetic only. N gradient entries (a data set's
/// per-example gradients resampled to N, or synthetic values) are rounded to float32 or bfloat16 and summed
/// there by recursive, pairwise and compensated summation (`LowPrecision`, emulated exactly); each sum is
/// compared with the exact sum of the same rounded inputs (`ExactSum`) and with its Higham bound
/// (`SummationMethod.errorBound`). The mean's error is the sum's divided by N, plus one last rounding.
///
/// The prediction is a bracket on each method's errors: none above the labelled format's bound, and some
/// above the bound the same method would have in the next finer format (binary64 for float32, float32 for
/// bfloat16). The lower edge identifies the format: a float32 sum labelled bfloat16 stays within float32's
/// bound and is not FAILS-AS-PREDICTED.
///
/// Also measured: the growth of the typical error |ŝ − s|/Σ|xᵢ| against N (a random walk gives
/// slope ½ on log-log axes, the worst-case bound slope 1), and, for values in [0, 1), where bfloat16
/// recursive summation stops moving: once s ≥ 2ᵖ every term is below half an ulp, so s stalls at 2ᵖ = 256.
package struct FinitePrecisionControl: Sendable {
  /// Where the values come from.
  public enum Source: Sendable {
    /// Columns 0 ..< `coordinates` of a population's rows, resampled with replacement to each N.
    case rows(GradientPopulation, coordinates: Int)
    /// Uniform on [0, 1).
    case uniform
    /// Uniform on the grid k·2⁻⁸, k = 0 … 255 (the twin: every partial sum of N ≤ 2¹⁶ is exact in float32).
    case grid
  }

  /// One precision × method × N, over replicates and coordinates.
  public struct Cell: Sendable {
    public var precision: LowPrecision
    public var method: SummationMethod
    public var count: Int
    /// Sums judged (replicates × coordinates) and how many were not exact.
    public var sums: Int
    public var inexact: Int
    /// max |ŝ − s| / bound (0 when every sum was exact; the bound is infinite where k·u ≥ 1).
    public var maxRatio: Double
    /// max |ŝ − s| / the bound in the next finer format (> 1: no finer arithmetic explains the error).
    public var maxFinerRatio: Double
    /// max and RMS of |ŝ − s| / Σ|xᵢ|, and the largest finite bound / Σ|xᵢ|.
    public var maxRelativeError: Double
    public var rmsRelativeError: Double
    public var relativeBound: Double
    /// |ŝ − s| / Σ|xᵢ| of every sum, replicate by replicate.
    public var relativeErrors: [Double]
  }

  public var cells: [Cell]

  /// One sum of one method: |ŝ − s|, its bound in the labelled and the next finer format, and Σ|xᵢ|.
  struct SummedValue: Sendable {
    var error: Double
    var bound: Double
    var absoluteSum: Double
    var finerBound: Double
  }
  public var replicates: Int
  /// Where bfloat16 recursive summation of the largest N last moved, and the sum it stalled at (uniform only).
  public var stall: (lastChange: Int, sum: Double, count: Int)?

  /// - Parameters:
  ///   - boundScale: multiplies every bound; only a test passes another value than 1, to show that a wrong
  ///     (too small) bound makes the verdict fail.
  ///   - arithmetic: the format the sums are really done in (nil: the labelled one); only a test passes
  ///     another, to show that a sum in the wrong format is not FAILS-AS-PREDICTED.
  public init(
    source: Source, sizes: [Int], replicates: Int, precisions: [LowPrecision], seed: UInt64, name: String, threads: Int,
    boundScale: Double = 1, arithmetic: LowPrecision? = nil
  ) {
    precondition(!sizes.isEmpty && sizes.allSatisfy { $0 >= 2 } && replicates >= 1, "need sizes ≥ 2 and a replicate")
    let columns: Int
    switch source {
    case .rows(let p, let k): columns = Swift.min(k, p.dimension)
    case .uniform, .grid: columns = 1
    }
    let jobs = sizes.flatMap { n in (0..<replicates).map { (n, $0) } }
    // Per job: per precision × method, per column, one summed value.
    let measured = parallelMap(count: jobs.count, threads: threads) { job -> [[SummedValue]] in
      let (n, replicate) = jobs[job]
      var rng = PhiloxStream(seed: seed, name: "f/\(name)/n=\(n)", substream: UInt64(replicate))
      var rows: [Int] = []
      var raw: [Double] = []
      switch source {
      case .rows(let p, _): rows = (0..<n).map { _ in Int(rng.nextBounded(UInt64(p.count))) }
      case .uniform: raw = (0..<n).map { _ in rng.nextUniform() }
      case .grid: raw = (0..<n).map { _ in Double(rng.nextBounded(256)) / 256 }
      }
      var out: [[SummedValue]] = []
      for precision in precisions {
        var perMethod = [[SummedValue]](repeating: [], count: SummationMethod.allCases.count)
        for c in 0..<columns {
          let values: [Double]
          if case .rows(let p, _) = source {
            values = rows.map { precision.round(p.rows[$0 * p.dimension + c]) }
          } else {
            values = raw.map { precision.round($0) }
          }
          let exact = ExactSum(values).value
          let absolute = ExactSum(values.lazy.map { Swift.abs($0) }).value
          values.withUnsafeBufferPointer { x in
            for (m, method) in SummationMethod.allCases.enumerated() {
              let s = method.sum(x, in: arithmetic ?? precision)
              // The reference is the exact sum rounded once to binary64: allow that rounding too.
              let reference = RoundingBoundNumber.unitRoundoff * Swift.abs(exact)
              let bound = boundScale
                * method.errorBound(count: n, absoluteSum: absolute, sum: exact, unitRoundoff: precision.unitRoundoff)
                + reference
              let finer = method.errorBound(
                count: n, absoluteSum: absolute, sum: exact, unitRoundoff: precision.finerUnitRoundoff) + reference
              perMethod[m].append(SummedValue(error: Swift.abs(s - exact), bound: bound, absoluteSum: absolute, finerBound: finer))
            }
          }
        }
        out += perMethod
      }
      return out
    }
    var cells: [Cell] = []
    for (pi, precision) in precisions.enumerated() {
      for (m, method) in SummationMethod.allCases.enumerated() {
        for n in sizes {
          let entries = jobs.indices.filter { jobs[$0].0 == n }.flatMap { measured[$0][pi * SummationMethod.allCases.count + m] }
          let relative = entries.map { $0.absoluteSum > 0 ? $0.error / $0.absoluteSum : 0 }
          let finiteBounds = entries.filter { $0.bound.isFinite && $0.absoluteSum > 0 }.map { $0.bound / $0.absoluteSum }
          cells.append(Cell(
            precision: precision, method: method, count: n, sums: entries.count, inexact: entries.filter { $0.error > 0 }.count,
            maxRatio: entries.map { $0.error == 0 ? 0 : $0.error / $0.bound }.max() ?? 0,
            maxFinerRatio: entries.map { $0.error == 0 ? 0 : $0.error / $0.finerBound }.max() ?? 0, maxRelativeError: relative.max() ?? 0,
            rmsRelativeError: (relative.reduce(0) { $0 + $1 * $1 } / Double(Swift.max(1, relative.count))).squareRoot(),
            relativeBound: finiteBounds.max() ?? .infinity, relativeErrors: relative))
        }
      }
    }
    self.cells = cells
    self.replicates = replicates
    if case .uniform = source, precisions.contains(.bfloat16), let n = sizes.max() {
      var rng = PhiloxStream(seed: seed, name: "f/\(name)/n=\(n)", substream: 0)
      var s = 0.0
      var last = 0
      for i in 0..<n {
        let next = LowPrecision.bfloat16.add(s, LowPrecision.bfloat16.round(rng.nextUniform()))
        if next != s { last = i }
        s = next
      }
      stall = (last, s, n)
    } else {
      stall = nil
    }
  }

  public func cells(_ precision: LowPrecision, _ method: SummationMethod) -> [Cell] {
    cells.filter { $0.precision == precision && $0.method == method }
  }

  /// The control for one precision and method: FAILS-AS-PREDICTED when some sum is inexact, every sum is
  /// within the labelled format's bound and some sum is beyond the next finer format's (the errors have the
  /// labelled format's size); FAIL when one exceeds the bound or none is beyond the finer one; UNEXPECTED-PASS
  /// when every sum was exact.
  public func verdict(_ precision: LowPrecision, _ method: SummationMethod) -> Verdict {
    let own = cells(precision, method)
    return .control(
      broke: own.contains { $0.inexact > 0 },
      sizeAsPredicted: own.allSatisfy { $0.maxRatio <= 1 } && own.contains { $0.maxFinerRatio > 1 })
  }

  /// The slope of log₁₀ |ŝ − s|/Σ|xᵢ| against log₁₀ N over every inexact sum, with its classical standard
  /// error (exact sums, whose logarithm is −∞, left out).
  public func growth(_ precision: LowPrecision, _ method: SummationMethod) -> (slope: Double, standardError: Double)? {
    let points = cells(precision, method).flatMap { cell in
      cell.relativeErrors.filter { $0 > 0 }.map { (x: Foundation_log10(Double(cell.count)), y: Foundation_log10($0)) }
    }
    return ordinaryLeastSquaresSlope(points)
  }

  /// The typical error grows more slowly than the worst-case bound: the slope's 95% interval lies below 1.
  public func growthVerdict(_ precision: LowPrecision, _ method: SummationMethod) -> Verdict {
    guard let g = growth(precision, method) else { return .inconclusive }
    return g.slope + normalQuantile(0.975) * g.standardError < 1 ? .pass : .fail
  }

  /// bfloat16 recursive summation of values in [0, 1) stalls at 2⁸: FAILS-AS-PREDICTED when it stopped
  /// moving before the end at exactly that sum.
  public var stallVerdict: Verdict? {
    guard let stall else { return nil }
    let predicted = Double(sign: .plus, exponent: LowPrecision.bfloat16.significandBits, significand: 1)
    return .control(broke: stall.lastChange < stall.count - 1, sizeAsPredicted: stall.sum == predicted)
  }
}

/// The settings of a Monte Carlo sweep.
public struct SweepSettings: Sendable, Equatable {
  /// Replicates per cell.
  public var draws = 20_000
  /// `--draws auto`: the variance test (C3) takes only the draws its power needs (`SquaredErrorDraws`),
  /// the mean error (C2) all `draws`.
  public var squaredErrorDrawsByPower = false
  /// Family-wise level of each claim's tests in a run.
  public var alpha = 0.01
  public var samplers: [SamplerKind] = [.withReplacement, .withoutReplacement, .poisson, .poissonRealized]
  /// Explicit batch sizes, or nil for `defaultBatchSizes`.
  public var batchSizes: [Int]?

  public init() {}

  /// The numbers of draws a sweep accepts, wherever they come from (a spec, a flag, a ledger).
  package static let drawsRange = 2...1_000_000_000
  /// Whether α is a usable family-wise level: 0 < α < 1.
  package static func isLevel(_ alpha: Double) -> Bool { alpha > 0 && alpha < 1 }

  /// Powers of two up to N, with 3, 10, N/2, N − 1 and N: sorted, without repeats.
  public static func defaultBatchSizes(count n: Int) -> [Int] {
    var sizes = Set([3, 10, n / 2, n - 1, n].filter { $0 >= 1 && $0 <= n })
    var b = 1
    while b <= n {
      sizes.insert(b)
      b *= 2
    }
    return sizes.sorted()
  }

  /// The batch sizes for N examples and one sampler (sizes above N are dropped except with replacement).
  public func sizes(count n: Int, sampler: SamplerKind) -> [Int] {
    (batchSizes ?? Self.defaultBatchSizes(count: n)).filter { $0 <= sampler.maximumBatch(count: n) }
  }

  /// The sweep's cells for N examples, sampler by sampler. With `statisticalOnly`, the full batch without
  /// replacement or by Poisson sampling (exact: no sampling error, nothing to test) is left out.
  /// Errors name `source` and the sampler left without a batch size.
  package func cells(count n: Int, source: String, statisticalOnly: Bool = false) throws(InputError) -> [SweepCell] {
    var cells: [SweepCell] = []
    for sampler in samplers {
      let sizes = self.sizes(count: n, sampler: sampler).filter { !statisticalOnly || sampler == .withReplacement || $0 < n }
      guard !sizes.isEmpty else {
        throw InputError("\(source): no batch size in 1\(statisticalOnly ? "..<" : "...")\(n) for sampler '\(sampler.rawValue)'")
      }
      // A batch's indices are held per thread and every draw reads b rows: past 2²⁴ a cell is gigabytes and
      // hours. (Without replacement and Poisson, b ≤ N already bounds it.)
      if let b = sizes.first(where: { $0 > Self.maxBatch }) {
        throw InputError("\(source): batch size \(b) is above the largest this harness draws (2^24 = \(Self.maxBatch))")
      }
      cells += sizes.map { SweepCell(sampler: sampler, batch: $0) }
    }
    return cells
  }

  /// The largest batch size drawn (with replacement, where b may exceed N).
  public static let maxBatch = 1 << 24
}

extension SweepSettings {
  /// The spec keys of a sweep's settings; each claim accepts the ones that mean something to it.
  public enum Key: String, CodingKey, CaseIterable, Sendable {
    case draws, alpha, samplers
    case batchSizes = "batch_sizes"
  }

  /// Reads the given sweep keys of a spec (absent ones keep their defaults), each checked for its range.
  public init(from decoder: any Decoder, keys: Set<Key>) throws {
    self.init()
    let c = try decoder.container(keyedBy: Key.self)
    if keys.contains(.draws), let draws = try c.decodeIfPresent(Int.self, forKey: .draws) {
      guard Self.drawsRange.contains(draws) else { throw invalid(c, .draws, "must be between 2 and 10⁹") }
      self.draws = draws
    }
    if keys.contains(.alpha), let alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) {
      guard Self.isLevel(alpha) else { throw invalid(c, .alpha, "must lie in (0, 1)") }
      self.alpha = alpha
    }
    if keys.contains(.samplers), let samplers = try c.decodeIfPresent([SamplerKind].self, forKey: .samplers) {
      guard !samplers.isEmpty else { throw invalid(c, .samplers, "needs at least one sampler") }
      self.samplers = samplers
    }
    if keys.contains(.batchSizes), let sizes = try c.decodeIfPresent([Int].self, forKey: .batchSizes) {
      guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else {
        throw invalid(c, .batchSizes, "needs positive batch sizes")
      }
      self.batchSizes = sizes
    }
  }
}

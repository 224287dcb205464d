import Foundation

/// An experiment as written in Experiments/*.json: which claim, on which models and data, at which
/// parameter points, with which seed. Decoded strictly: unknown keys and wrong types are errors.
public struct ExperimentSpec: Decodable, Sendable {
  /// The claim the experiment tests (DESIGN.md §1).
  public enum Claim: String, Decodable, Sendable {
    /// Linearity: averaged per-example gradients against finite differences.
    case c1 = "C1"
    /// Unbiasedness and the variance law of mini-batch estimates, by Monte Carlo sweep.
    case c2c3 = "C2C3"
    /// The same laws by exact enumeration of every batch (N ≤ 10).
    case exact = "C2C3-exact"
    /// The power of the variance law: the exact law against the two convention bugs, on the same draws.
    case convention = "C3-convention"
    /// Negative control: correlated or unshuffled samples.
    case n1 = "N1"
    /// Negative control: costs that are not a sum over examples.
    case n2 = "N2"
    /// Negative control: gradients taken at different parameter points.
    case n3 = "N3"
    /// Training: full-batch descent against mini-batch SGD, with C3 along the path.
    case training = "T"
    /// The harness's own tests: their rejection rate on null configurations and their power.
    case calibration = "CAL"
  }

  public var claim: Claim
  /// A one-line statement for tables and help.
  public var title: String
  /// The seed of every random number the experiment uses.
  public var seed: UInt64
  public var points: [ParameterPointSpec]
  public var cases: [CaseSpec]
  /// Sweeps only: replicates per cell, family-wise α, samplers and batch sizes (nil: the defaults).
  public var sweep: SweepSettings
  /// N3 only: the SGD passes whose drift is measured.
  public var drift: DriftSettings?
  /// N2 only: the non-additive costs to test (the additive mean is their twin).
  public var costs: [NonAdditiveCost]
  /// N2 only: also test a linear model on batch-normalised features (for cases with a numeric target).
  public var batchNorm: Bool
  /// N1 only: an AR(1) sequence sampled in circular windows.
  public var ar1: AR1Settings?
  /// T only: the training runs.
  public var training: TrainingSettings?
  /// CAL only: seeds, levels and seeded bias sizes.
  public var calibration: CalibrationSettings?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case claim, title, seed, points, cases, draws, alpha, samplers, drift, costs, ar1, training, calibration
    case batchNorm = "batch_norm"
    case batchSizes = "batch_sizes"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    claim = try c.decode(Claim.self, forKey: .claim)
    title = try c.decode(String.self, forKey: .title)
    seed = try c.decode(UInt64.self, forKey: .seed)
    points = try c.decode([ParameterPointSpec].self, forKey: .points)
    cases = try c.decode([CaseSpec].self, forKey: .cases)
    guard !points.isEmpty else { throw invalid(c, .points, "needs at least one parameter point") }
    guard !cases.isEmpty else { throw invalid(c, .cases, "needs at least one case") }
    guard Set(points.map(\.name)).count == points.count else { throw invalid(c, .points, "point names must differ") }
    if claim == .c1 || claim == .n3 || claim == .training {
      for key in [CodingKeys.draws, .samplers, .batchSizes] where c.contains(key) {
        throw invalid(c, key, "applies to sweeps (C2C3, C2C3-exact, N1, N2, CAL) only")
      }
    }
    if claim == .calibration && c.contains(.draws) {
      throw invalid(c, .draws, "CAL takes its replicate counts from calibration.draws")
    }
    if (claim == .n2 || claim == .n1) && c.contains(.samplers) {
      throw invalid(c, .samplers, "\(claim.rawValue) chooses its own samplers")
    }
    ar1 = try c.decodeIfPresent(AR1Settings.self, forKey: .ar1)
    training = try c.decodeIfPresent(TrainingSettings.self, forKey: .training)
    if claim == .training && training == nil { throw invalid(c, .training, "missing: T needs its training settings") }
    if claim != .training && training != nil { throw invalid(c, .training, "applies to T only") }
    if claim != .n1 && ar1 != nil { throw invalid(c, .ar1, "applies to N1 only") }
    calibration = try c.decodeIfPresent(CalibrationSettings.self, forKey: .calibration)
    if claim == .calibration && calibration == nil { throw invalid(c, .calibration, "missing: CAL needs its seeds and levels") }
    if claim != .calibration && calibration != nil { throw invalid(c, .calibration, "applies to CAL only") }
    if claim == .calibration, let samplers = try c.decodeIfPresent([SamplerKind].self, forKey: .samplers),
      samplers.contains(.poissonRealized) {
      throw invalid(c, .samplers, "CAL calibrates the unbiased samplers (with, without, poisson) only")
    }
    costs = try c.decodeIfPresent([NonAdditiveCost].self, forKey: .costs) ?? []
    if claim == .n2 && costs.isEmpty { throw invalid(c, .costs, "missing: N2 needs at least one cost") }
    if claim != .n2 && c.contains(.costs) { throw invalid(c, .costs, "applies to N2 only") }
    batchNorm = try c.decodeIfPresent(Bool.self, forKey: .batchNorm) ?? false
    if claim != .n2 && c.contains(.batchNorm) { throw invalid(c, .batchNorm, "applies to N2 only") }
    if claim == .c1 && c.contains(.alpha) { throw invalid(c, .alpha, "does not apply to C1") }
    drift = try c.decodeIfPresent(DriftSettings.self, forKey: .drift)
    if claim == .n3 && drift == nil { throw invalid(c, .drift, "missing: N3 needs its SGD settings") }
    if claim != .n3 && drift != nil { throw invalid(c, .drift, "applies to N3 only") }
    sweep = SweepSettings()
    if let draws = try c.decodeIfPresent(Int.self, forKey: .draws) {
      guard draws >= 2 && draws <= 1_000_000_000 else { throw invalid(c, .draws, "must be between 2 and 10⁹") }
      sweep.draws = draws
    }
    if let alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) {
      guard alpha > 0 && alpha < 1 else { throw invalid(c, .alpha, "must lie in (0, 1)") }
      sweep.alpha = alpha
    }
    if let samplers = try c.decodeIfPresent([SamplerKind].self, forKey: .samplers) {
      guard !samplers.isEmpty else { throw invalid(c, .samplers, "needs at least one sampler") }
      sweep.samplers = samplers
    }
    if let sizes = try c.decodeIfPresent([Int].self, forKey: .batchSizes) {
      guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else {
        throw invalid(c, .batchSizes, "needs positive batch sizes")
      }
      sweep.batchSizes = sizes
    }
  }

  /// Whether the spec's verdicts are statistical (Monte Carlo) and so spend its "alpha": every claim but the
  /// deterministic C1 (error bounds) and C2C3-exact (enumeration).
  public var isStatistical: Bool { claim != .c1 && claim != .exact }

  /// Reads and decodes a spec file.
  public static func load(path: String) throws(InputError) -> ExperimentSpec {
    guard let data = FileManager.default.contents(atPath: path) else { throw InputError("\(path): no such file") }
    return try decodeStrictly(ExperimentSpec.self, from: data, file: path)
  }
}

/// N1's AR(1) sequence: xₜ = φ xₜ₋₁ + εₜ, n values, sampled in circular windows of the given sizes.
public struct AR1Settings: Decodable, Sendable, Equatable {
  public var phi: Double
  public var count: Int
  public var batchSizes: [Int]

  enum CodingKeys: String, CodingKey, CaseIterable {
    case phi
    case count = "n"
    case batchSizes = "batch_sizes"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    phi = try c.decode(Double.self, forKey: .phi)
    count = try c.decode(Int.self, forKey: .count)
    batchSizes = try c.decode([Int].self, forKey: .batchSizes)
    guard Swift.abs(phi) < 1 else { throw invalid(c, .phi, "must lie in (−1, 1) for a stationary sequence") }
    guard count >= 2 && count <= 10_000_000 else { throw invalid(c, .count, "must be between 2 and 10⁷") }
    guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 && $0 <= count }) else {
      throw invalid(c, .batchSizes, "needs sizes from 1 to n")
    }
  }
}

/// T's settings: step size, full-batch steps, SGD batch sizes, checkpoints and noise draws per checkpoint.
public struct TrainingSettings: Decodable, Sendable, Equatable {
  public var eta: Double
  public var steps: Int
  public var batchSizes: [Int]
  public var checkpoints: Int
  public var noiseDraws: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case eta, steps, checkpoints
    case batchSizes = "batch_sizes"
    case noiseDraws = "noise_draws"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    eta = try c.decode(Double.self, forKey: .eta)
    steps = try c.decode(Int.self, forKey: .steps)
    batchSizes = try c.decode([Int].self, forKey: .batchSizes)
    checkpoints = try c.decode(Int.self, forKey: .checkpoints)
    noiseDraws = try c.decode(Int.self, forKey: .noiseDraws)
    guard eta > 0 && eta.isFinite else { throw invalid(c, .eta, "must be positive") }
    guard steps >= 1 && steps <= 1_000_000 else { throw invalid(c, .steps, "must be between 1 and 10⁶") }
    guard batchSizes.allSatisfy({ $0 >= 1 }) else { throw invalid(c, .batchSizes, "needs positive sizes") }
    guard checkpoints >= 1 && checkpoints <= 10_000 else { throw invalid(c, .checkpoints, "must be between 1 and 10⁴") }
    guard noiseDraws >= 2 && noiseDraws <= 100_000_000 else { throw invalid(c, .noiseDraws, "must be between 2 and 10⁸") }
  }
}

/// CAL's settings: how many independently seeded null sweeps, at which replicate counts R, the family-wise
/// α of the sweep being calibrated, the per-tail levels measured beside its Bonferroni level, and the
/// offsets from the critical z of the seeded biases whose power is measured.
public struct CalibrationSettings: Decodable, Sendable, Equatable {
  public var seeds: Int
  public var draws: [Int]
  public var sweepAlpha: Double
  public var tailLevels: [Double]
  public var powerOffsets: [Double]

  enum CodingKeys: String, CodingKey, CaseIterable {
    case seeds, draws
    case sweepAlpha = "sweep_alpha"
    case tailLevels = "tail_levels"
    case powerOffsets = "power_offsets"
  }

  public init(seeds: Int, draws: [Int], sweepAlpha: Double = 0.01, tailLevels: [Double], powerOffsets: [Double]) {
    self.seeds = seeds
    self.draws = draws
    self.sweepAlpha = sweepAlpha
    self.tailLevels = tailLevels
    self.powerOffsets = powerOffsets
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    seeds = try c.decode(Int.self, forKey: .seeds)
    draws = try c.decode([Int].self, forKey: .draws)
    sweepAlpha = try c.decodeIfPresent(Double.self, forKey: .sweepAlpha) ?? 0.01
    tailLevels = try c.decode([Double].self, forKey: .tailLevels)
    powerOffsets = try c.decode([Double].self, forKey: .powerOffsets)
    guard seeds >= 10 && seeds <= 1_000_000 else { throw invalid(c, .seeds, "must be between 10 and 10⁶") }
    guard !draws.isEmpty, draws.allSatisfy({ $0 >= 2 && $0 <= 100_000_000 }) else {
      throw invalid(c, .draws, "needs replicate counts R between 2 and 10⁸")
    }
    guard sweepAlpha > 0 && sweepAlpha < 0.5 else { throw invalid(c, .sweepAlpha, "must lie in (0, 0.5)") }
    guard tailLevels.allSatisfy({ $0 > 0 && $0 < 0.5 }) else {
      throw invalid(c, .tailLevels, "needs per-tail levels in (0, 0.5)")
    }
    guard powerOffsets.allSatisfy({ $0.isFinite && Swift.abs($0) <= 10 }) else {
      throw invalid(c, .powerOffsets, "needs offsets in [−10, 10] standard errors")
    }
  }
}

/// N3's settings: k examples per SGD pass, the step sizes, which of them are judged to first order, and
/// how many random orders are averaged.
public struct DriftSettings: Decodable, Sendable, Equatable {
  public var examplesPerPass: Int
  public var etas: [Double]
  public var firstOrderLimit: Double
  public var orders: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case examplesPerPass = "k"
    case etas
    case firstOrderLimit = "first_order_limit"
    case orders
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    examplesPerPass = try c.decode(Int.self, forKey: .examplesPerPass)
    etas = try c.decode([Double].self, forKey: .etas)
    firstOrderLimit = try c.decode(Double.self, forKey: .firstOrderLimit)
    orders = try c.decode(Int.self, forKey: .orders)
    guard examplesPerPass >= 2 && examplesPerPass <= 1_000_000 else {
      throw invalid(c, .examplesPerPass, "must be between 2 and 10⁶")
    }
    guard !etas.isEmpty, etas.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
      throw invalid(c, .etas, "needs finite non-negative step sizes")
    }
    guard firstOrderLimit > 0 && firstOrderLimit.isFinite else { throw invalid(c, .firstOrderLimit, "must be positive") }
    guard orders >= 2 && orders <= 100_000_000 else { throw invalid(c, .orders, "must be between 2 and 10⁸") }
  }
}

/// The settings of a Monte Carlo sweep.
public struct SweepSettings: Sendable, Equatable {
  /// Replicates per cell.
  public var draws = 20_000
  /// Family-wise level of each claim's tests in a run.
  public var alpha = 0.01
  public var samplers: [SamplerKind] = [.withReplacement, .withoutReplacement, .poisson, .poissonRealized]
  /// Explicit batch sizes, or nil for `defaultBatchSizes`.
  public var batchSizes: [Int]?

  public init() {}

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
  public func cells(count n: Int, source: String, statisticalOnly: Bool = false) throws(InputError) -> [SweepCell] {
    var cells: [SweepCell] = []
    for sampler in samplers {
      let sizes = self.sizes(count: n, sampler: sampler).filter { !statisticalOnly || sampler == .withReplacement || $0 < n }
      guard !sizes.isEmpty else {
        throw InputError("\(source): no batch size in 1\(statisticalOnly ? "..<" : "...")\(n) for sampler '\(sampler.rawValue)'")
      }
      cells += sizes.map { SweepCell(sampler: sampler, batch: $0) }
    }
    return cells
  }
}

/// A seeded parameter point: θⱼ = scale · N(0, 1), drawn from the stream "theta/<case>/<name>".
public struct ParameterPointSpec: Decodable, Sendable, Equatable {
  public var name: String
  public var scale: Double

  public init(name: String, scale: Double) {
    self.name = name
    self.scale = scale
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case name, scale }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    scale = try c.decode(Double.self, forKey: .scale)
    guard !name.isEmpty else { throw invalid(c, .name, "must not be empty") }
    guard scale >= 0 && scale.isFinite && scale <= 1e6 else { throw invalid(c, .scale, "must be in [0, 1e6]") }
  }

  /// The default points of `check`: near the origin, at unit scale, and far from any optimum.
  public static let defaults = [
    ParameterPointSpec(name: "near", scale: 0.1), ParameterPointSpec(name: "unit", scale: 1),
    ParameterPointSpec(name: "far", scale: 3),
  ]

  /// θ for a model with P parameters; `stream` names the case so different cases get independent θ.
  public func theta(parameterCount p: Int, seed: UInt64, stream: String) -> [Double] {
    var rng = PhiloxStream(seed: seed, name: "theta/\(stream)/\(name)")
    return (0..<p).map { _ in scale * rng.nextNormal() }
  }
}

/// One model on one data set.
public struct CaseSpec: Decodable, Sendable {
  public var model: ModelChoice
  public var data: DataSpec

  enum CodingKeys: String, CodingKey, CaseIterable { case model, hidden, l2, fault, data }

  public init(model: ModelChoice, data: DataSpec) {
    self.model = model
    self.data = data
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try c.decode(ModelKind.self, forKey: .model)
    let hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? 16
    let l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? 0
    if let problem = ModelChoice.hiddenProblem(hidden) { throw invalid(c, .hidden, problem) }
    if let problem = ModelChoice.l2Problem(l2) { throw invalid(c, .l2, problem) }
    if kind != .mlp && c.contains(.hidden) { throw invalid(c, .hidden, "only the mlp model has a hidden layer") }
    let fault = try c.decodeIfPresent(FaultSpec.self, forKey: .fault)
    model = ModelChoice(kind: kind, hidden: hidden, l2: l2, fault: fault?.fault)
    data = try c.decode(DataSpec.self, forKey: .data)
  }
}

/// A deliberate gradient bug in a spec: {"coordinate": j, "relative": 1e-6, "example": i (optional)}.
struct FaultSpec: Decodable {
  var fault: GradientFault
  enum CodingKeys: String, CodingKey, CaseIterable { case coordinate, relative, example }

  init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let coordinate = try c.decode(Int.self, forKey: .coordinate)
    let relative = try c.decode(Double.self, forKey: .relative)
    let example = try c.decodeIfPresent(Int.self, forKey: .example)
    guard coordinate >= 0 else { throw invalid(c, .coordinate, "must be non-negative") }
    guard relative.isFinite else { throw invalid(c, .relative, "must be finite") }
    if let example, example < 0 { throw invalid(c, .example, "must be non-negative") }
    fault = GradientFault(coordinate: coordinate, relative: relative, example: example)
  }
}

/// Where a case's data come from: a CSV file (relative to the spec's folder) or a seeded generator.
public enum DataSpec: Decodable, Sendable, Equatable {
  case file(path: String, standardize: Bool)
  case regression(count: Int, features: Int, seed: UInt64)
  case clusters(count: Int, features: Int, classes: Int, seed: UInt64)

  enum CodingKeys: String, CodingKey, CaseIterable { case file, standardize, synthetic, n, d, classes, seed }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let path = try c.decodeIfPresent(String.self, forKey: .file) {
      for key in [CodingKeys.synthetic, .n, .d, .classes, .seed] where c.contains(key) {
        throw invalid(c, key, "does not go with 'file'")
      }
      self = .file(path: path, standardize: try c.decodeIfPresent(Bool.self, forKey: .standardize) ?? false)
      return
    }
    guard let kind = try c.decodeIfPresent(String.self, forKey: .synthetic) else {
      throw invalid(c, .file, "missing: give 'file' or 'synthetic'")
    }
    if c.contains(.standardize) { throw invalid(c, .standardize, "applies to 'file' data only") }
    let n = try c.decode(Int.self, forKey: .n)
    let d = try c.decode(Int.self, forKey: .d)
    let seed = try c.decode(UInt64.self, forKey: .seed)
    guard n >= 2 && n <= 10_000_000 else { throw invalid(c, .n, "must be between 2 and 10000000") }
    guard d >= 1 && d <= 100_000 else { throw invalid(c, .d, "must be between 1 and 100000") }
    switch kind {
    case "regression":
      if c.contains(.classes) { throw invalid(c, .classes, "applies to 'clusters' only") }
      self = .regression(count: n, features: d, seed: seed)
    case "clusters":
      let k = try c.decode(Int.self, forKey: .classes)
      guard k >= 2 && k <= n else { throw invalid(c, .classes, "must be between 2 and n") }
      self = .clusters(count: n, features: d, classes: k, seed: seed)
    default:
      throw invalid(c, .synthetic, "'\(kind)' is not a generator (expected regression or clusters)")
    }
  }

  /// Loads or generates the data set; a file path is taken relative to `folder`.
  public func load(target: TargetKind, relativeTo folder: String) throws(InputError) -> Dataset {
    switch self {
    case .file(let path, let standardize):
      let full = path.hasPrefix("/") ? path : folder + "/" + path
      var data = try Dataset.load(csv: full, target: target)
      data.name = Dataset.baseName(of: path)
      return standardize ? data.standardized() : data
    case .regression(let n, let d, let seed):
      return Dataset.syntheticRegression(count: n, features: d, seed: seed)
    case .clusters(let n, let d, let k, let seed):
      return Dataset.syntheticClusters(count: n, features: d, classes: k, seed: seed)
    }
  }
}

func invalid<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K, _ message: String) -> DecodingError {
  DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [key], debugDescription: message))
}

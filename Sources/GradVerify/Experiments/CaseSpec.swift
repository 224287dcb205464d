
/// One model on one data set.
package struct CaseSpec: Decodable, Sendable {
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
package enum DataSpec: Decodable, Sendable, Equatable {
  case file(path: String, standardize: Bool)
  case regression(count: Int, features: Int, seed: UInt64)
  case clusters(count: Int, features: Int, classes: Int, seed: UInt64)
  /// One of the gradient shapes that break smooth approximations (`SyntheticShape`).
  case shaped(SyntheticShape, count: Int, features: Int, seed: UInt64)

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
    guard MemoryBudget.dataSet(count: n, features: d) <= MemoryBudget.bytes else {
      throw invalid(c, .n, "n = \(n) examples of d = \(d) features need \(MemoryBudget.gibibytes(MemoryBudget.dataSet(count: n, features: d))) of memory, more than this machine allows")
    }
    switch kind {
    case "regression":
      if c.contains(.classes) { throw invalid(c, .classes, "applies to 'clusters' only") }
      self = .regression(count: n, features: d, seed: seed)
    case "clusters":
      let k = try c.decode(Int.self, forKey: .classes)
      guard k >= 2 && k <= n else { throw invalid(c, .classes, "must be between 2 and n") }
      self = .clusters(count: n, features: d, classes: k, seed: seed)
    default:
      guard let shape = SyntheticShape(rawValue: kind) else {
        let names = (["regression", "clusters"] + SyntheticShape.allCases.map(\.rawValue)).joined(separator: ", ")
        throw invalid(c, .synthetic, "'\(kind)' is not a generator (expected one of \(names))")
      }
      if c.contains(.classes) { throw invalid(c, .classes, "applies to 'clusters' only") }
      guard n >= 4 else { throw invalid(c, .n, "must be at least 4 for '\(kind)'") }
      if shape == .balanced && n % 2 != 0 { throw invalid(c, .n, "must be even for 'balanced'") }
      self = .shaped(shape, count: n, features: d, seed: seed)
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
    case .shaped(let shape, let n, let d, let seed):
      return Dataset.synthetic(shape, count: n, features: d, seed: seed)
    }
  }
}

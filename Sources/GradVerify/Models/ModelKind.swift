/// The models the harness knows, by the name used on the command line and in specs.
package enum ModelKind: String, CaseIterable, Codable, Sendable {
  case linear, logistic, softmax, mlp

  /// What the last CSV column must hold for this model.
  public var target: TargetKind { self == .linear ? .numeric : .label }

  /// The one-line loss, for help texts and tables.
  public var lossSummary: String {
    switch self {
    case .linear: "L = 1/2 (w.x + b - y)^2; theta = [w1..wd, b]"
    case .logistic: "L = log(1 + e^z) - y z, z = w.x + b (stable); theta = [w1..wd, b]"
    case .softmax: "L = logsumexp(Wx + b) - (Wx + b)_y; theta = [W (KxD row-major), b (K)]"
    case .mlp: "h = tanh(W1 x + b1), L = logsumexp(W2 h + b2) - (.)_y; theta = [W1 (HxD), b1, W2 (KxH), b2]"
    }
  }
}

/// Something to do with a concrete model type; `ModelChoice.visit` calls it with the model built
/// for a data set, so the work is specialised for that type (no existential in the hot loops).
package protocol ModelVisitor {
  associatedtype Output
  func visit<M: PerExampleModel>(_ model: M) throws(InputError) -> Output
}

/// A model kind with its settings, checked against a data set.
package struct ModelChoice: Sendable, Equatable {
  public var kind: ModelKind
  public var hidden: Int
  public var l2: Double
  /// A deliberate gradient bug, to watch a verdict flip (nil for the real model).
  public var fault: GradientFault?

  public init(kind: ModelKind, hidden: Int = 16, l2: Double = 0, fault: GradientFault? = nil) {
    self.kind = kind
    self.hidden = hidden
    self.l2 = l2
    self.fault = fault
  }

  /// A short name for tables: "mlp(H=16)", "logistic(l2=0.1)".
  public var name: String {
    var parts: [String] = []
    if kind == .mlp { parts.append("H=\(hidden)") }
    if l2 != 0 { parts.append("l2=\(l2)") }
    if let fault {
      parts.append("fault=\(fault.relative)@\(fault.coordinate)" + (fault.example.map { "/x\($0)" } ?? ""))
    }
    return parts.isEmpty ? kind.rawValue : "\(kind.rawValue)(\(parts.joined(separator: ",")))"
  }

  /// P for this model on d features and K classes, in the layouts of the model files.
  public func parameterCount(features d: Int, classes k: Int) -> Int {
    switch kind {
    case .linear, .logistic: d + 1
    case .softmax: k * (d + 1)
    case .mlp: hidden * (d + 1) + k * (hidden + 1)
    }
  }

  /// The hidden widths an MLP may have.
  public static let hiddenRange = 1...100_000
  /// What is wrong with a hidden width, or nil when it is allowed.
  public static func hiddenProblem(_ hidden: Int) -> String? {
    hiddenRange.contains(hidden) ? nil : "must be between \(hiddenRange.lowerBound) and \(hiddenRange.upperBound)"
  }
  /// What is wrong with an L2 strength, or nil when it is allowed (finite and non-negative).
  public static func l2Problem(_ l2: Double) -> String? { l2 >= 0 && l2.isFinite ? nil : "must be finite and non-negative" }

  /// Checks that the data set fits the model: a label target with ≥ 2 classes (exactly 2 for logistic).
  public func validate(_ data: Dataset, source: String) throws(InputError) {
    if let problem = Self.hiddenProblem(hidden) { throw InputError("--hidden: \(problem), got \(hidden)") }
    if let problem = Self.l2Problem(l2) { throw InputError("--l2: \(problem), got \(l2)") }
    switch kind {
    case .linear:
      guard data.classCount == 0 else { throw InputError("\(source): model 'linear' needs a numeric target") }
    case .logistic:
      guard data.classCount == 2 else {
        throw InputError(
          "\(source): model 'logistic' needs exactly 2 classes in the last column, found \(data.classCount)"
            + (data.classCount > 2 ? " (use softmax or mlp)" : ""))
      }
    case .softmax, .mlp:
      guard data.classCount >= 2 else {
        throw InputError("\(source): model '\(kind.rawValue)' needs at least 2 classes in the last column, found \(data.classCount)")
      }
    }
    let p = parameterCount(features: data.featureCount, classes: data.classCount)
    try MemoryBudget.require(
      MemoryBudget.gradients(count: data.count, parameters: p),
      for: "\(source): \(data.count) per-example gradients of P = \(p) parameters (model '\(kind.rawValue)'\(kind == .mlp ? ", hidden \(hidden)" : ""))",
      fix: kind == .mlp ? "use a smaller --hidden or fewer columns" : "use fewer examples or columns")
  }

  /// Builds the model for `data` and hands it to `visitor`.
  public func visit<V: ModelVisitor>(_ visitor: V, data: Dataset, source: String) throws(InputError) -> V.Output {
    try validate(data, source: source)
    let d = data.featureCount
    switch kind {
    case .linear: return try visit(visitor, LinearModel(features: d, l2: l2), data: data, source: source)
    case .logistic: return try visit(visitor, LogisticModel(features: d, l2: l2), data: data, source: source)
    case .softmax:
      return try visit(visitor, SoftmaxModel(features: d, classes: data.classCount, l2: l2), data: data, source: source)
    case .mlp:
      return try visit(
        visitor, MLPModel(features: d, hidden: hidden, classes: data.classCount, l2: l2), data: data, source: source)
    }
  }

  func visit<V: ModelVisitor, M: PerExampleModel>(
    _ visitor: V, _ model: M, data: Dataset, source: String
  ) throws(InputError) -> V.Output {
    guard let fault else { return try visitor.visit(model) }
    guard fault.coordinate < model.parameterCount else {
      throw InputError("\(source): fault coordinate \(fault.coordinate) is outside θ (P = \(model.parameterCount))")
    }
    if let example = fault.example, example >= data.count {
      throw InputError("\(source): fault example \(example) is outside the data (N = \(data.count))")
    }
    return try visitor.visit(FaultyModel(model, fault: fault))
  }
}

/// A seeded parameter point: θⱼ = scale · N(0, 1), drawn from the stream "theta/<case>/<name>".
package struct ParameterPointSpec: CheckedDecodable, Sendable, Equatable {
  public var name: String
  public var scale: Double

  public init(name: String, scale: Double) {
    self.name = name
    self.scale = scale
  }

  package enum CodingKeys: String, CodingKey, CaseIterable { case name, scale }

  package var problem: (field: CodingKeys, message: String)? {
    if name.isEmpty { return (.name, "must not be empty") }
    if !(scale >= 0 && scale.isFinite && scale <= 1e6) { return (.scale, "must be in [0, 1e6]") }
    return nil
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

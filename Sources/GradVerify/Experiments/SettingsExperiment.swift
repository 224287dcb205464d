
/// A claim whose own spec keys are one settings object, under `settingsKey`, and `alpha`, its share of the
/// run's family-wise level. The keys, the decoding and `alpha` follow from those two; the claim declares
/// only its settings type and the key that holds it.
package protocol SettingsExperiment: Experiment {
  associatedtype Settings: Decodable & Sendable
  /// The spec key that holds the claim's settings, e.g. "drift".
  static var settingsKey: String { get }
  var settings: Settings { get }
  /// The family-wise level of the claim's tests.
  var level: Double { get }
  init(settings: Settings, alpha: Double)
}

extension SettingsExperiment {
  public static var keys: [String] { [settingsKey, "alpha"] }

  public init(settingsFrom decoder: any Decoder) throws {
    let settings = try decoder.container(keyedBy: AnyCodingKey.self).decode(Settings.self, forKey: AnyCodingKey(stringValue: Self.settingsKey))
    self.init(settings: settings, alpha: try SweepSettings(from: decoder, keys: [.alpha]).alpha)
  }

  public var alpha: Double? { level }
}

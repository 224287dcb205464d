
/// A claim whose own spec keys are one settings object, under `settingsKey`, and `alpha`, its share of the
/// run's family-wise level. The keys, the decoding and `alpha` follow from those two; the claim declares
/// only its settings type and the key that holds it.
package protocol SettingsExperiment: Experiment {
  associatedtype Settings: Decodable & Sendable
  /// The spec key that holds the claim's settings, e.g. "drift".
  static var settingsKey: String { get }
  var configuration: LeveledSettings<Settings> { get }
  init(_ configuration: LeveledSettings<Settings>)
}

/// A claim's own settings with the family-wise level its tests share: all a `SettingsExperiment` holds.
package struct LeveledSettings<Settings: Sendable>: Sendable {
  public var settings: Settings
  public var level: Double
}

extension SettingsExperiment {
  public static var keys: [String] { [settingsKey, "alpha"] }

  public init(settings: Settings, alpha: Double) { self.init(LeveledSettings(settings: settings, level: alpha)) }

  public var settings: Settings { configuration.settings }
  /// The family-wise level of the claim's tests.
  public var level: Double { configuration.level }

  public init(settingsFrom decoder: any Decoder) throws {
    let settings = try decoder.container(keyedBy: AnyCodingKey.self).decode(Settings.self, forKey: AnyCodingKey(stringValue: Self.settingsKey))
    self.init(settings: settings, alpha: try SweepSettings(from: decoder, keys: [.alpha]).alpha)
  }

  public var alpha: Double? { level }
}

extension SettingsExperiment where Settings: CheckedDecodable {
  /// As above, the settings decoded strictly and checked.
  package init(settingsFrom decoder: any Decoder) throws {
    let settings = try decoder.container(keyedBy: AnyCodingKey.self).decode(
      Checked<Settings>.self, forKey: AnyCodingKey(stringValue: Self.settingsKey)).value
    self.init(settings: settings, alpha: try SweepSettings(from: decoder, keys: [.alpha]).alpha)
  }
}

/// A claim whose spec keys are exactly a sweep's (`draws`, `alpha`, `samplers`, `batch_sizes`), read into
/// one `SweepSettings`; its α is the sweep's.
package protocol SweepSettingsExperiment: Experiment {
  var settings: SweepSettings { get }
  init(settings: SweepSettings)
}

extension SweepSettingsExperiment {
  public static var keys: [String] { SweepSettings.Key.allCases.map(\.rawValue) }

  public init(settingsFrom decoder: any Decoder) throws {
    self.init(settings: try SweepSettings(from: decoder, keys: Set(SweepSettings.Key.allCases)))
  }

  public var alpha: Double? { settings.alpha }
}

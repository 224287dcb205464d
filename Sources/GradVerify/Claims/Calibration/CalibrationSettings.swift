
/// CAL's settings: how many independently seeded null sweeps, at which replicate counts R, the family-wise
/// α of the sweep being calibrated, the per-tail levels measured beside its Bonferroni level, and the
/// offsets from the critical z of the seeded biases whose power is measured.
package struct CalibrationSettings: Decodable, Sendable, Equatable {
  public var seeds: Int
  public var draws: [Int]
  public var sweepAlpha: Double
  public var tailLevels: [Double]
  public var powerOffsets: [Double]
  /// Whether the spec claims the old statistic is miscalibrated on its cases (its family-wise interval above
  /// α); otherwise its rows are reported only.
  public var oldStatisticClaim: Bool

  enum CodingKeys: String, CodingKey, CaseIterable {
    case seeds, draws
    case sweepAlpha = "sweep_alpha"
    case tailLevels = "tail_levels"
    case powerOffsets = "power_offsets"
    case oldStatisticClaim = "old_statistic_claim"
  }

  public init(
    seeds: Int, draws: [Int], sweepAlpha: Double = 0.01, tailLevels: [Double], powerOffsets: [Double],
    oldStatisticClaim: Bool = false
  ) {
    (self.oldStatisticClaim, self.seeds, self.draws) = (oldStatisticClaim, seeds, draws)
    (self.sweepAlpha, self.tailLevels, self.powerOffsets) = (sweepAlpha, tailLevels, powerOffsets)
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    seeds = try c.decode(Int.self, forKey: .seeds)
    draws = try c.decode([Int].self, forKey: .draws)
    sweepAlpha = try c.decodeIfPresent(Double.self, forKey: .sweepAlpha) ?? 0.01
    tailLevels = try c.decode([Double].self, forKey: .tailLevels)
    powerOffsets = try c.decode([Double].self, forKey: .powerOffsets)
    oldStatisticClaim = try c.decodeIfPresent(Bool.self, forKey: .oldStatisticClaim) ?? false
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

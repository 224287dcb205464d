/// SplitMix64: a 64-bit mixing generator, used here only to hash seeds and names into Philox keys.
///
/// ```
/// state += 0x9E3779B97F4A7C15
/// z = (state ^ state>>30)·0xBF58476D1CE4E5B9;  z = (z ^ z>>27)·0x94D049BB133111EB;  return z ^ z>>31
/// ```
///
/// G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014, doi:10.1145/2660193.2660195.
public struct SplitMix64: Sendable {
  @usableFromInline var state: UInt64

  @inlinable public init(seed: UInt64) { state = seed }

  @inlinable public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A 64-bit key derived from a seed and a name (FNV-1a of the name's UTF-8, mixed with the seed).
  public static func key(seed: UInt64, name: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 {
      h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    var mixer = SplitMix64(seed: seed ^ h)
    return mixer.next()
  }
}

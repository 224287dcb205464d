/// Philox4x32-10, a counter-based generator: output = bijection of (counter, key), 10 rounds.
///
/// ```
/// round: (hi₀,lo₀) = M₀·c₀, (hi₁,lo₁) = M₁·c₂;  c ← (hi₁⊕c₁⊕k₀, lo₁, hi₀⊕c₃⊕k₁, lo₀);  k += (W₀, W₁)
/// ```
///
/// Any random number is a pure function of its logical coordinates, so streams can be split across
/// threads and machines without changing a single bit.
///
/// J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw, "Parallel random numbers: as easy as 1, 2, 3",
/// SC'11, doi:10.1145/2063384.2063405.
package enum Philox4x32 {
  public typealias Counter = (UInt32, UInt32, UInt32, UInt32)
  public typealias Key = (UInt32, UInt32)

  @inlinable static func mulhilo(_ a: UInt32, _ b: UInt32) -> (hi: UInt32, lo: UInt32) {
    let p = UInt64(a) &* UInt64(b)
    return (UInt32(truncatingIfNeeded: p >> 32), UInt32(truncatingIfNeeded: p))
  }

  /// The 10-round bijection of one 128-bit counter under a 64-bit key.
  @inlinable public static func block(_ counter: Counter, key: Key) -> Counter {
    var c = counter
    var k = key
    for round in 0..<10 {
      if round > 0 {
        k.0 &+= 0x9E37_79B9
        k.1 &+= 0xBB67_AE85
      }
      let (hi0, lo0) = mulhilo(0xD251_1F53, c.0)
      let (hi1, lo1) = mulhilo(0xCD9E_8D57, c.2)
      c = (hi1 ^ c.1 ^ k.0, lo1, hi0 ^ c.3 ^ k.1, lo0)
    }
    return c
  }
}

/// A stream of random numbers at fixed logical coordinates: key from (seed, name), counter words
/// 2–3 the substream, words 0–1 the position. Position i always gives the same numbers.
///
/// Stream layout version 2: `key = SplitMix64.key(seed, name)`, counter = (pos lo, pos hi, sub lo, sub hi);
/// each block's four 32-bit words are used in order, block after block, a 64-bit draw taking two
/// consecutive words (low word first) and a 32-bit draw one. Blocks are computed four at a time.
package struct PhiloxStream: Sendable {
  public static let layoutVersion = 2
  @usableFromInline let key: Philox4x32.Key
  @usableFromInline let substream: UInt64
  @usableFromInline var position: UInt64 = 0
  /// The words of blocks position − 4 … position − 1, in order (four words per block).
  @usableFromInline var words = SIMD16<UInt32>()
  /// How many of `words` are used (16: refill before the next draw).
  @usableFromInline var used = 16

  /// - Parameters:
  ///   - seed: the run's seed.
  ///   - name: what the stream is for (e.g. "data/clusters"); different names give independent streams.
  ///   - substream: a further logical coordinate (e.g. a cell or block index).
  public init(seed: UInt64, name: String, substream: UInt64 = 0) {
    let k = SplitMix64.key(seed: seed, name: name)
    key = (UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32))
    self.substream = substream
  }

  /// The next four blocks at once, lane j of each vector the block at position + j: `Philox4x32.block`'s
  /// rounds on four counters side by side (the same words, a quarter of the loop overhead).
  @inlinable mutating func refill() {
    let counters = SIMD4<UInt64>(repeating: position) &+ SIMD4<UInt64>(0, 1, 2, 3)
    var c0 = SIMD4<UInt32>(truncatingIfNeeded: counters)
    var c1 = SIMD4<UInt32>(truncatingIfNeeded: counters &>> 32)
    var c2 = SIMD4<UInt32>(repeating: UInt32(truncatingIfNeeded: substream))
    var c3 = SIMD4<UInt32>(repeating: UInt32(truncatingIfNeeded: substream >> 32))
    var k0 = SIMD4<UInt32>(repeating: key.0)
    var k1 = SIMD4<UInt32>(repeating: key.1)
    let m0 = SIMD4<UInt64>(repeating: 0xD251_1F53)
    let m1 = SIMD4<UInt64>(repeating: 0xCD9E_8D57)
    for round in 0..<10 {
      if round > 0 {
        k0 &+= 0x9E37_79B9
        k1 &+= 0xBB67_AE85
      }
      let p0 = SIMD4<UInt64>(truncatingIfNeeded: c0) &* m0
      let p1 = SIMD4<UInt64>(truncatingIfNeeded: c2) &* m1
      (c0, c1, c2, c3) = (
        SIMD4<UInt32>(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ k0, SIMD4<UInt32>(truncatingIfNeeded: p1),
        SIMD4<UInt32>(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ k1, SIMD4<UInt32>(truncatingIfNeeded: p0)
      )
    }
    words = SIMD16(
      c0[0], c1[0], c2[0], c3[0], c0[1], c1[1], c2[1], c3[1], c0[2], c1[2], c2[2], c3[2], c0[3], c1[3], c2[3], c3[3])
    position &+= 4
    used = 0
  }

  /// The next 32 random bits.
  @inlinable public mutating func next32() -> UInt32 {
    if used == 16 { refill() }
    let w = words[used]
    used += 1
    return w
  }

  /// The next 64 random bits (two consecutive words, low first).
  @inlinable public mutating func next() -> UInt64 {
    let low = UInt64(next32())
    return low | (UInt64(next32()) << 32)
  }

  /// A double uniform on [0, 1): (bits >> 11) · 2⁻⁵³.
  @inlinable public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A standard normal deviate by the Box–Muller transform: √(−2 ln u₁) · cos(2π u₂), u₁ ∈ (0, 1].
  ///
  /// G. E. P. Box and M. E. Muller, Ann. Math. Statist. 29 (1958) 610–611, doi:10.1214/aoms/1177706645.
  @inlinable public mutating func nextNormal() -> Double {
    let u1 = Double((next() >> 11) + 1) * 0x1p-53
    let u2 = nextUniform()
    return (-2 * Double.log(u1)).squareRoot() * Foundation_cos(2 * Double.pi * u2)
  }

  /// An integer uniform on 0..<bound by Lemire's multiply-and-reject method: 32-bit words while the bound
  /// fits in 32 bits, 64-bit words otherwise.
  ///
  /// D. Lemire, "Fast random integer generation in an interval", ACM TOMACS 29 (2019), doi:10.1145/3230636.
  @inlinable public mutating func nextBounded(_ bound: UInt64) -> UInt64 {
    precondition(bound > 0, "bound must be positive")
    if bound <= UInt64(UInt32.max) {
      let b32 = UInt32(bound)
      var m = UInt64(next32()) &* bound
      if UInt32(truncatingIfNeeded: m) < b32 {
        let threshold = (0 &- b32) % b32
        while UInt32(truncatingIfNeeded: m) < threshold {
          m = UInt64(next32()) &* bound
        }
      }
      return m >> 32
    }
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold {
        m = next().multipliedFullWidth(by: bound)
      }
    }
    return m.high
  }
}

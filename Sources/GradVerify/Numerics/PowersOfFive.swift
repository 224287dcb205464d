/// 5^q for q = −342 … 308 as 128-bit truncations, computed exactly once at first use: the table of the
/// Eisel–Lemire decimal-to-binary conversion (D. Lemire, "Number parsing at a gigabyte per second",
/// Software: Practice and Experience 51, 2021, doi:10.1002/spe.2984).
///
/// Entry q holds T with 2¹²⁷ ≤ T < 2¹²⁸ and an exponent e such that T·2^e ≤ 5^q < (T + 1)·2^e, with
/// equality on the left exactly when `exact` (5^q < 2¹²⁸, q = 0 … 55).
enum PowersOfFive {
  static let smallest = -342
  static let largest = 308

  struct Entry {
    var high: UInt64
    var low: UInt64
    var exponent: Int
    var exact: Bool
  }

  static let table: [Entry] = (smallest...largest).map(entry)

  /// T and e for one q, by exact big-integer arithmetic.
  static func entry(_ q: Int) -> Entry {
    let power = BigNatural.powerOfFive(Swift.abs(q))
    let bits = power.bitLength
    if q >= 0 {
      // 5^q = T·2^(L−128) with T the leading 128 bits.
      let (t, exact) = power.leading128(bitLength: bits)
      return Entry(high: UInt64(t >> 64), low: UInt64(t & UInt128(UInt64.max)), exponent: bits - 128, exact: exact)
    }
    // 5^q = 1/5^p: T = ⌊2^(127+L)/5^p⌋ lies in [2¹²⁷, 2¹²⁸) (5^p is not a power of two), e = −(127 + L).
    var dividend = BigNatural.powerOfTwo(127 + bits)
    var remaining = -q
    while remaining > 0 {  // ⌊⌊x/a⌋/b⌋ = ⌊x/(ab)⌋: divide by 5^13 (< 2³²) as often as it goes
      let step = Swift.min(13, remaining)
      var divisor: UInt64 = 1
      for _ in 0..<step { divisor *= 5 }
      dividend.divide(by: divisor)
      remaining -= step
    }
    let (t, _) = dividend.leading128(bitLength: dividend.bitLength)
    precondition(dividend.bitLength == 128, "⌊2^(127+L)/5^p⌋ has 128 bits")
    return Entry(high: UInt64(t >> 64), low: UInt64(t & UInt128(UInt64.max)), exponent: -(127 + bits), exact: false)
  }
}

/// A natural number as 32-bit limbs, least significant first: just enough for the table above.
struct BigNatural {
  var limbs: [UInt64]  // each < 2³²

  static func powerOfFive(_ p: Int) -> BigNatural {
    var n = BigNatural(limbs: [1])
    for _ in 0..<p { n.multiply(by: 5) }
    return n
  }

  static func powerOfTwo(_ k: Int) -> BigNatural {
    var limbs = [UInt64](repeating: 0, count: k / 32 + 1)
    limbs[k / 32] = 1 << UInt64(k % 32)
    return BigNatural(limbs: limbs)
  }

  mutating func multiply(by m: UInt64) {
    var carry: UInt64 = 0
    for i in limbs.indices {
      let v = limbs[i] * m + carry
      limbs[i] = v & 0xFFFF_FFFF
      carry = v >> 32
    }
    if carry > 0 { limbs.append(carry) }
  }

  /// self = ⌊self / d⌋ for 0 < d < 2³².
  mutating func divide(by d: UInt64) {
    var remainder: UInt64 = 0
    for i in limbs.indices.reversed() {
      let v = (remainder << 32) | limbs[i]
      limbs[i] = v / d
      remainder = v % d
    }
    while limbs.count > 1, limbs.last == 0 { limbs.removeLast() }
  }

  var bitLength: Int {
    guard let top = limbs.last(where: { $0 != 0 }), let index = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
    return 32 * index + (64 - top.leadingZeroBitCount)
  }

  /// The leading 128 bits (left-aligned when shorter) and whether nothing was cut off below them.
  func leading128(bitLength: Int) -> (UInt128, Bool) {
    var value: UInt128 = 0
    var exact = true
    for bit in stride(from: bitLength - 1, through: 0, by: -1) {
      let set = (limbs[bit / 32] >> UInt64(bit % 32)) & 1 == 1
      if bitLength - 1 - bit < 128 {
        value = value << 1 | (set ? 1 : 0)
      } else if set {
        exact = false
      }
    }
    if bitLength < 128 { value <<= UInt128(128 - bitLength) }
    return (value, exact)
  }
}

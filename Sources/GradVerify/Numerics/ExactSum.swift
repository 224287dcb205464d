/// The exact sum of any number of doubles, rounded once at the end: the same result, to the bit, for any
/// order, grouping or thread count of the additions.
///
/// Every finite double is an integer multiple of 2⁻¹⁰⁷⁴, so the sum is held as a big integer in units of
/// 2⁻¹⁰⁷⁴, in 32-bit digits stored with headroom in Int64 words (R. M. Neal, "Fast exact summation using
/// small and large superaccumulators", arXiv:1505.05571, 2015, the small superaccumulator): a double's
/// 53-bit significand, shifted to its place, touches at most three digits, and carries are propagated only
/// every 2³⁰ additions or when the value is read. Only the window of digits in use is stored, so an
/// accumulator of values of one magnitude takes a few words. Non-finite addends are summed apart, as IEEE
/// arithmetic would (∞ + (−∞) = NaN).
package struct ExactSum: Sendable {
  /// Digit k holds the multiple of 2^(32·(low + k)) units, k = 0 ..< digits.count.
  var low = 0
  var digits: [Int64] = []
  /// Additions since the digits were last normalised (each adds less than 2³² to a digit).
  var pending = 0
  /// The sum of the non-finite addends, 0 when there were none.
  var special = 0.0

  public init() {}

  public init(_ values: some Sequence<Double>) {
    for v in values { add(v) }
  }

  static let digitBits = 32
  static let digitMask: Int64 = (1 << 32) - 1

  /// Adds x exactly.
  public mutating func add(_ x: Double) {
    guard x.isFinite else {
      special += x
      if special.isNaN { special = .nan }
      return
    }
    if x == 0 { return }
    let bits = x.bitPattern
    let exponentField = Int((bits >> 52) & 0x7FF)
    var significand = bits & ((1 << 52) - 1)
    if exponentField > 0 { significand |= 1 << 52 }
    // x = significand · 2^(max(E, 1) − 1075) = significand · 2^shift units of 2⁻¹⁰⁷⁴.
    let shift = Swift.max(exponentField, 1) - 1
    let index = shift >> 5
    let placed = UInt128(significand) << UInt128(shift & 31)
    if digits.isEmpty || index < low || index + 3 >= low + digits.count { reserve(from: index, through: index + 2) }
    let sign: Int64 = x < 0 ? -1 : 1
    let k = index - low
    digits[k] += sign * Int64(placed & UInt128(Self.digitMask))
    digits[k + 1] += sign * Int64((placed >> 32) & UInt128(Self.digitMask))
    digits[k + 2] += sign * Int64(placed >> 64)
    pending += 1
    if pending >= 1 << 30 { normalize() }
  }

  /// Adds another accumulator exactly.
  public mutating func add(_ other: ExactSum) {
    special += other.special
    if special.isNaN { special = .nan }
    guard !other.digits.isEmpty else { return }
    normalize()
    var o = other
    o.normalize()
    reserve(from: o.low, through: o.low + o.digits.count - 1)
    for (k, v) in o.digits.enumerated() { digits[o.low + k - low] += v }
    pending = 1
    normalize()
  }

  /// Widens the window of digits to cover low ... high, one spare digit above for carries.
  mutating func reserve(from first: Int, through last: Int) {
    if digits.isEmpty {
      low = first
      digits = [Int64](repeating: 0, count: last - first + 2)
      return
    }
    if first < low {
      digits.insert(contentsOf: repeatElement(0, count: low - first), at: 0)
      low = first
    }
    let needed = last - low + 2
    if digits.count < needed { digits.append(contentsOf: repeatElement(0, count: needed - digits.count)) }
  }

  /// Propagates carries so every digit but the top one lies in [0, 2³²), then drops zero digits at both
  /// ends (the top digit keeps the sign; a negative value keeps its −1 top). The result is canonical: equal
  /// sums have equal digits.
  mutating func normalize() {
    pending = 0
    guard !digits.isEmpty else { return }
    var carry: Int64 = 0
    for k in digits.indices {
      let v = digits[k] + carry
      carry = v >> 32
      digits[k] = v & Self.digitMask
    }
    while carry != 0 && carry != -1 {
      digits.append(carry & Self.digitMask)
      carry >>= 32
    }
    if carry == -1 { digits.append(-1) }
    // A top digit of 2³² − 1 under a −1 merges into −1 (…, 0xFFFFFFFF, −1 is the same as …, −1).
    while digits.count >= 2, digits[digits.count - 1] == -1, digits[digits.count - 2] == Self.digitMask {
      digits.removeLast()
      digits[digits.count - 1] = -1
    }
    while let last = digits.last, last == 0 { digits.removeLast() }
    guard let first = digits.firstIndex(where: { $0 != 0 }) else {
      digits = []
      low = 0
      return
    }
    if first > 0 {
      digits.removeFirst(first)
      low += first
    }
  }

  /// The finite part's sign and magnitude: 32-bit digits from 2^(32·low) units up, the top one non-zero
  /// (no digits for zero).
  func signAndMagnitude() -> (negative: Bool, digits: [UInt64], low: Int) {
    var copy = self
    copy.normalize()
    let negative = (copy.digits.last ?? 0) < 0
    var magnitude = copy.digits.map { UInt64(bitPattern: $0) & UInt64(Self.digitMask) }
    if negative {  // two's complement over the window: invert and add one
      var carry: UInt64 = 1
      for k in magnitude.indices {
        let v = (~magnitude[k] & UInt64(Self.digitMask)) + carry
        magnitude[k] = v & UInt64(Self.digitMask)
        carry = v >> 32
      }
    }
    while let last = magnitude.last, last == 0 { magnitude.removeLast() }
    return (negative, magnitude, copy.low)
  }

  /// The exact sum rounded to the nearest double (ties to even).
  public var value: Double {
    if special != 0 || special.isNaN { return special }
    let (negative, magnitude, low) = signAndMagnitude()
    guard !magnitude.isEmpty else { return 0 }
    let rounded = Self.round(magnitude: magnitude, low: low)
    return negative ? -rounded : rounded
  }

  /// Σ digits[k]·2^(32(low + k) − 1074), digits in [0, 2³²), the top one non-zero, rounded to nearest even.
  static func round(magnitude digits: [UInt64], low: Int) -> Double {
    let topIndex = digits.count - 1
    let bitLength = 32 * topIndex + (64 - digits[topIndex].leadingZeroBitCount)
    // The leading 64 bits (zero-padded below the last digit) and whether anything non-zero lies under them.
    var leading: UInt64 = 0
    var taken = 0
    var k = topIndex
    var sticky = false
    var firstBits = bitLength - 32 * topIndex
    while k >= 0 {
      let digit = digits[k]
      if taken + firstBits <= 64 {
        leading = (leading << UInt64(firstBits)) | digit
        taken += firstBits
      } else {
        let room = 64 - taken
        if room > 0 { leading = (leading << UInt64(room)) | (digit >> UInt64(firstBits - room)) }
        if digit & ((1 << UInt64(firstBits - room)) - 1) != 0 { sticky = true }
        taken = 64
        k -= 1
        while k >= 0 {
          if digits[k] != 0 { sticky = true }
          k -= 1
        }
        break
      }
      firstBits = 32
      k -= 1
    }
    if taken < 64 { leading <<= UInt64(64 - taken) }
    // value = leading · 2^(bitLength − 64 + 32·low − 1074); leading has its top bit set.
    let exponentOfLeadingBit = bitLength - 1 + 32 * low - 1074
    // Bits kept: 53 for a normal result, fewer below 2⁻¹⁰²² (where the grid is 2⁻¹⁰⁷⁴, the sum's own unit).
    let kept = exponentOfLeadingBit >= -1022 ? 53 : 53 - (-1022 - exponentOfLeadingBit)
    if kept <= 0 { return 0 }  // impossible: the sum is a multiple of 2⁻¹⁰⁷⁴
    let dropped = 64 - kept
    var significand = leading >> UInt64(dropped)
    let remainder = leading & ((1 << UInt64(dropped)) - 1)
    let half: UInt64 = 1 << UInt64(dropped - 1)
    if remainder > half || (remainder == half && (sticky || significand & 1 == 1)) { significand += 1 }
    return Double(sign: .plus, exponent: exponentOfLeadingBit - kept + 1, significand: Double(significand))
  }

  /// Whether the sum could come from `draws` addends, as a ledger read from a file must: a finite sum of
  /// finite doubles is below draws·2¹⁰²⁴ in magnitude, and not negative when every addend is not
  /// (`nonNegative`); a non-finite one needs a draw.
  func isReachable(byDraws draws: Int, nonNegative: Bool) -> Bool {
    if special.isNaN { return draws > 0 }
    if special != 0 { return draws > 0 && (!nonNegative || special > 0) }
    let (negative, magnitude, low) = signAndMagnitude()
    guard let top = magnitude.last else { return true }
    guard draws > 0, !(negative && nonNegative) else { return false }
    let bits = 32 * (low + magnitude.count - 1) + (64 - top.leadingZeroBitCount)
    return bits <= 1024 + 1074 + (Int.bitWidth - draws.leadingZeroBitCount)
  }

  // MARK: Text form

  /// The 32-bit digits a sum may span: from 2⁻¹⁰⁷⁴ up to 2^(32·68 − 1074) = 2¹¹⁰², above any sum of up to
  /// 2⁷⁸ finite doubles.
  static let textDigits = 68

  /// The exact value as short text: `+` or `-`, the magnitude's 32-bit digits from its highest to its lowest
  /// nonzero one in hexadecimal (no leading zeros), `@`, and the place of that lowest digit in units of
  /// 2³² · 2⁻¹⁰⁷⁴ (0 … 67): the value is ±HEX · 2^(32·W − 1074). Zero is `+0`; `inf`, `-inf` or `nan` when a
  /// non-finite term was added. A sum of doubles of similar size spans a few digits, so the text is tens of
  /// characters. Canonical: equal sums give equal text, and only that text reads back.
  public var text: String {
    if special.isNaN { return "nan" }
    if special != 0 { return special > 0 ? "inf" : "-inf" }
    let (negative, magnitude, low) = signAndMagnitude()
    guard let lowest = magnitude.firstIndex(where: { $0 != 0 }) else { return "+0" }
    precondition(low + magnitude.count <= Self.textDigits, "an exact sum beyond 2^1102")
    var hex = String(magnitude.last!, radix: 16)
    for w in magnitude[lowest..<(magnitude.count - 1)].reversed() {
      let digits = String(w, radix: 16)
      hex += String(repeating: "0", count: 8 - digits.count) + digits
    }
    return (negative ? "-" : "+") + hex + "@" + String(low + lowest)
  }

  /// Reads `text`'s form; nil unless it is exactly what `text` writes for some sum.
  public init?(text: some StringProtocol) {
    self.init()
    switch text {
    case "inf": special = .infinity; return
    case "-inf": special = -.infinity; return
    case "nan": special = .nan; return
    case "+0": return
    default: break
    }
    let bytes = Array(text.utf8)
    guard bytes.count >= 4, bytes.count <= 2 + 8 * Self.textDigits + 3,
      bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
      let at = bytes.firstIndex(of: UInt8(ascii: "@")), at >= 2,
      let place = Int(String(decoding: bytes[(at + 1)...], as: UTF8.self)), (0..<Self.textDigits).contains(place)
    else { return nil }
    let hex = bytes[1..<at]
    let count = (hex.count + 7) / 8
    guard place + count <= Self.textDigits else { return nil }
    var words = [Int64](repeating: 0, count: place + count)
    for (k, c) in hex.reversed().enumerated() {
      let v: Int64
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int64(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): v = Int64(c - UInt8(ascii: "a") + 10)
      default: return nil
      }
      words[place + k / 8] |= v << Int64(4 * (k % 8))
    }
    let negative = bytes[0] == UInt8(ascii: "-")
    digits = negative ? words.map { -$0 } : words
    low = 0
    normalize()
    // Canonical only: no leading zeros, a nonzero lowest digit, the place written without leading zeros.
    guard self.text == String(text) else { return nil }
  }
}

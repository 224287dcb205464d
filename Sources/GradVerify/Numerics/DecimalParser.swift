/// Decimal text to the nearest double, straight from bytes, with the result of `Double(String)` for every
/// input (the same value to the bit, and nil for the same texts).
///
/// Plain decimals `[+-] digits [. digits] [e|E [+-] digits]` of at most 19 significant digits take a fast
/// path: Clinger's exact one-operation case (w ≤ 2⁵³, |q| ≤ 22), else Eisel–Lemire (D. Lemire, "Number
/// parsing at a gigabyte per second", Software: Practice and Experience 51, 2021, doi:10.1002/spe.2984)
/// with the product w·5^q bracketed between the table's truncation and the next integer: when both ends
/// round to the same double that double is the answer (proved, not assumed). Everything else (more digits,
/// a bracket that straddles a rounding boundary, exact halfway cases, hexadecimal, `inf`, `nan`, text the
/// grammar refuses) goes to the standard library's correctly rounded `Double(String)`.
package enum DecimalParser {
  /// The double `Double(String(decoding: bytes, as: UTF8.self))` gives.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    if let fast = parseFast(bytes) { return fast }
    return Double(String(decoding: bytes, as: UTF8.self))
  }

  /// The fast path alone: nil when it cannot decide (then `Double(String)` must). For tests and benchmarks.
  public static func parseFast(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    guard let base = bytes.baseAddress, let (end, value) = scan(base, 0, bytes.count, tables), end == bytes.count else {
      return nil
    }
    return value
  }

  /// The plain decimal that starts at base[start] and is as long as the grammar allows before `limit`:
  /// where it ends, and its value, nil when the fast path cannot decide it (more than 19 significant
  /// digits, or a bracket that straddles a rounding boundary). Nil when no plain decimal starts there.
  @inline(__always)
  static func scan(
    _ base: UnsafePointer<UInt8>, _ start: Int, _ limit: Int, _ tables: Tables
  ) -> (end: Int, value: Double?)? {
    var i = start
    guard i < limit else { return nil }
    var negative = false
    if base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") {
      negative = base[i] == UInt8(ascii: "-")
      i += 1
    }
    var w: UInt64 = 0
    var significant = 0  // digits in w, leading zeros not counted
    var truncated = false  // a significant digit beyond the 19th
    // The integer digits, then the fraction's, leading zeros skipped (the fraction's count in its scale).
    let integerStart = i
    while i < limit, base[i] == UInt8(ascii: "0") { i &+= 1 }
    _ = takeDigits(base, &i, limit, &w, &significant, &truncated)
    var digits = i &- integerStart
    var scale = 0  // fraction digits in w: w·10^(exponent − scale) is the value
    if i < limit, base[i] == UInt8(ascii: ".") {
      i &+= 1
      let fractionStart = i
      if significant == 0 {
        while i < limit, base[i] == UInt8(ascii: "0") { i &+= 1 }
        scale = i &- fractionStart
      }
      scale &+= takeDigits(base, &i, limit, &w, &significant, &truncated)
      digits &+= i &- fractionStart
    }
    guard digits > 0 else { return nil }
    var exponent = 0
    if i < limit, base[i] | 0x20 == UInt8(ascii: "e") {
      var j = i + 1
      var exponentNegative = false
      if j < limit, base[j] == UInt8(ascii: "-") || base[j] == UInt8(ascii: "+") {
        exponentNegative = base[j] == UInt8(ascii: "-")
        j += 1
      }
      let first = j
      while j < limit, base[j] &- UInt8(ascii: "0") < 10 {
        if exponent < 100_000 { exponent = exponent * 10 + Int(base[j] &- UInt8(ascii: "0")) }
        j += 1
      }
      // In "1e" or "1e+x" the number ends before the "e"; the caller sees what follows it.
      if j > first {
        if exponentNegative { exponent = -exponent }
        i = j
      } else {
        exponent = 0
      }
    }
    if truncated { return (i, nil) }
    let q = exponent - scale
    if w == 0 { return (i, negative ? -0.0 : 0.0) }
    if w <= 1 << 53, q >= -22, q <= 22 {
      let value = q >= 0 ? Double(w) * tables.powersOfTen[q] : Double(w) / tables.powersOfTen[-q]
      return (i, negative ? -value : value)
    }
    guard let value = eiselLemire(w, q, tables) else { return (i, nil) }
    return (i, negative ? -value : value)
  }

  /// Takes the digits at base[i…] into w: eight at a time while they fit (at most 19 significant digits in
  /// all), one at a time otherwise; digits past the 19th set `truncated`. Returns how many went into w.
  /// (A function with inout arguments, inlined, keeps them in registers, as a nested closure would not.)
  @inline(__always)
  static func takeDigits(
    _ base: UnsafePointer<UInt8>, _ i: inout Int, _ limit: Int, _ w: inout UInt64, _ significant: inout Int,
    _ truncated: inout Bool
  ) -> Int {
    var taken = 0
    while i < limit, base[i] &- UInt8(ascii: "0") < 10 {
      if significant < 19 {
        w = w &* 10 &+ UInt64(base[i] &- UInt8(ascii: "0"))
        significant &+= 1
        taken &+= 1
      } else {
        truncated = true
      }
      i &+= 1
      while significant <= 11 && i &+ 8 <= limit, let eight = eightDigits(base + i) {
        w = w &* 100_000_000 &+ eight
        significant &+= 8
        taken &+= 8
        i &+= 8
      }
    }
    return taken
  }

  /// The value of eight ASCII digits at p, or nil unless all eight are digits (SWAR: eight bytes as one
  /// 64-bit word, pairs, then quadruples, combined by multiplication).
  @inline(__always)
  static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
    let v = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
    guard (v & high) | (((v &+ 0x0606_0606_0606_0606) & high) >> 4) == 0x3333_3333_3333_3333 else { return nil }
    var x = v &- 0x3030_3030_3030_3030
    x = x &* 10 &+ (x >> 8)  // byte 2k: 10·d(2k) + d(2k+1)
    let mask: UInt64 = 0x0000_00FF_0000_00FF
    // bytes 0 and 4 times 10⁶ and 10², bytes 2 and 6 times 10⁴ and 1, gathered in the top 32 bits
    x = ((x & mask) &* (100 + 1_000_000 << 32) &+ ((x >> 16) & mask) &* (1 + 10_000 << 32)) >> 32
    return x
  }

  /// The tables, in memory allocated once and never freed, so a hot loop reads them without the lazy
  /// initialisation check a `static let` array costs on every access.
  struct Tables: @unchecked Sendable {
    /// 10⁰ … 10²², every one exact in a double.
    let powersOfTen: UnsafePointer<Double>
    /// `PowersOfFive.table`, from q = −342.
    let powersOfFive: UnsafePointer<PowersOfFive.Entry>

    init() {
      let ten = UnsafeMutablePointer<Double>.allocate(capacity: 23)
      var x = 1.0
      for k in 0...22 {
        ten[k] = x
        x *= 10
      }
      let five = UnsafeMutablePointer<PowersOfFive.Entry>.allocate(capacity: PowersOfFive.table.count)
      five.initialize(from: PowersOfFive.table, count: PowersOfFive.table.count)
      powersOfTen = UnsafePointer(ten)
      powersOfFive = UnsafePointer(five)
    }
  }

  static let tables = Tables()

  /// The double nearest w·10^q (w ≥ 1), or nil when the bracket w·T ≤ w·5^q·2^−e < w·(T + 1) leaves the
  /// rounding undecided.
  @inline(__always)
  static func eiselLemire(_ w: UInt64, _ q: Int, _ tables: Tables) -> Double? {
    // Below 2⁶⁴·10⁻³⁴³ < 2⁻¹⁰⁷⁵ the nearest double is 0; from 10³⁰⁹ up it is ∞.
    if q < PowersOfFive.smallest { return 0 }
    if q > PowersOfFive.largest { return .infinity }
    let entry = tables.powersOfFive[q - PowersOfFive.smallest]
    let shift = w.leadingZeroBitCount
    let wn = w << UInt64(shift)
    // P = wn · T as three 64-bit words: top·2¹²⁸ + middle·2⁶⁴ + bottom.
    let (h1, l1) = wn.multipliedFullWidth(by: entry.high)
    let (h2, l2) = wn.multipliedFullWidth(by: entry.low)
    let (middle, carry) = l1.addingReportingOverflow(h2)
    let top = h1 &+ (carry ? 1 : 0)
    // w·10^q = wn·2^−shift · 5^q · 2^q, and 5^q = T·2^e (+ less than one unit of T).
    let exponent = entry.exponent + q - shift
    let (lower, certain) = round(top: top, middle: middle, bottom: l2, exponent: exponent)
    if entry.exact || certain { return lower }
    // The true value lies in (P, P + wn): decided when P + wn rounds the same way.
    let (bottomUp, c1) = l2.addingReportingOverflow(wn)
    let (middleUp, c2) = middle.addingReportingOverflow(c1 ? 1 : 0)
    let (upper, _) = round(top: top &+ (c2 ? 1 : 0), middle: middleUp, bottom: bottomUp, exponent: exponent)
    return lower.bitPattern == upper.bitPattern ? lower : nil
  }

  /// (top·2¹²⁸ + middle·2⁶⁴ + bottom)·2^exponent rounded to the nearest double, ties to even; top ≥ 2⁶².
  ///
  /// `certain` is true when adding anything below 2⁶⁴ to the value cannot change the result: the value is
  /// not exactly on a tie and the 64 bits under the leading word are not all ones (only then can a carry
  /// of less than 2⁶⁴ reach the bits that decide the rounding).
  @inline(__always)
  static func round(top: UInt64, middle: UInt64, bottom: UInt64, exponent: Int) -> (Double, certain: Bool) {
    var leading = top
    var below = middle  // the 64 bits under `leading`
    var rest = middle | bottom
    var e = exponent + 128 + 63  // the exponent of leading's top bit
    if leading >> 63 == 0 {
      leading = leading << 1 | middle >> 63
      below = middle << 1 | bottom >> 63
      rest = below | (bottom << 1)
      e -= 1
    }
    // A carry of less than 2⁶⁵ (2·wn after the shift) into `below` cannot reach `leading` unless below ≥ 2⁶⁴ − 2.
    let carryFree = below < UInt64.max - 1
    if e > 1023 { return (.infinity, carryFree) }
    let kept = e >= -1022 ? 53 : e + 1075  // fewer bits below 2⁻¹⁰²², on the 2⁻¹⁰⁷⁴ grid
    if kept < 0 { return (0, carryFree) }
    let dropped = 64 - kept
    var significand = dropped >= 64 ? 0 : leading >> UInt64(dropped)
    let remainder = dropped >= 64 ? leading : leading & ((1 << UInt64(dropped)) &- 1)
    let half: UInt64 = 1 << UInt64(dropped - 1)
    let certain = carryFree && !(remainder == half && rest == 0)
    if remainder > half || (remainder == half && (rest != 0 || significand & 1 == 1)) { significand += 1 }
    if kept < 53 { return (Double(bitPattern: significand), certain) }  // subnormal (2⁵² is the least normal)
    if significand == 1 << 53 {
      significand = 1 << 52
      e += 1
      if e > 1023 { return (.infinity, certain) }
    }
    return (Double(bitPattern: UInt64(e + 1023) << 52 | (significand & ((1 << 52) - 1))), certain)
  }
}

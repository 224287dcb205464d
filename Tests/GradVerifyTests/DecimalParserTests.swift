import Foundation
import GradVerify
import Testing

/// Decimal text to double, straight from bytes: identical to `Double(String)` on every input, and the
/// fast path (Clinger, then Eisel–Lemire) decides nearly all of them itself.
@Suite struct DecimalParserTests {
  /// The parser's answer and the standard library's must be the same bits (or both nil).
  static func check(_ text: String, _ fastCount: inout Int) {
    let bytes = Array(text.utf8)
    let expected = Double(text)
    let got = bytes.withUnsafeBufferPointer { DecimalParser.parse($0) }
    let fast = bytes.withUnsafeBufferPointer { DecimalParser.parseFast($0) }
    #expect(got?.bitPattern == expected?.bitPattern, "\(text): \(String(describing: got)) against \(String(describing: expected))")
    if let fast {
      fastCount += 1
      #expect(fast.bitPattern == expected?.bitPattern, "fast path on \(text): \(fast)")
    }
  }

  @Test("known hard cases: ties, subnormals, the limits of the exponent, long mantissas, the grammar's edges")
  func hardCases() {
    var fast = 0
    let cases = [
      "0", "-0", "+0", "0.0", "00000", "-0e999999", "1", "-1", "+1", ".5", "5.", "-.5e-3", "1E5", "1e+05", "1e-05",
      // 2⁵³ + 1 is halfway between 2⁵³ and 2⁵³ + 2: ties to even (2⁵³); 2⁵³ + 3 ties up to 2⁵³ + 4.
      "9007199254740993", "9007199254740995", "9007199254740993.0000000000001", "18014398509481985",
      "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
      // Limits: the largest double, the tie above it (rounds to ∞), overflow; the least normal and subnormal,
      // and the halfway point below the least subnormal (rounds to 0) with a hair above it (rounds up).
      "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309", "-1e400",
      "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9406564584124654e-324", "5e-324", "3e-324",
      "2.4703282292062327e-324", "2.4703282292062328e-324", "2.470328229206232720e-324", "1e-342", "1e-343", "1e-400",
      "4.9e-324", "1e-323", "2.225073858507201136057409796709131975934819546351645648e-308",
      // Long mantissas (the fallback) and a classic: 0.1, 0.2, 0.3 and 1/3 at 17 to 40 digits.
      "0.1", "0.2", "0.3", "0.30000000000000004", "0.33333333333333331", "0.3333333333333333148296162562473909929395",
      "123456789012345678901234567890", "1.00000000000000011102230246251565404236316680908203125",
      "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
      "7.2057594037927933e16", "1448997445238699", "8.98846567431158e307", "3.4028234663852886e38",
      // Not plain decimals: the standard library decides (and refuses the same texts).
      "", "+", "-", ".", ".e1", "e5", "1e", "1e+", " 1", "1 ", "1_000", "1.5.", "1e5.5", "+-1", "0x1p3", "inf", "-Infinity",
      "nan", "NaN", "nan(0x1)", "1d", "1f", "١", "1e0000000000000000000000000000001", "--1", "1..2", "1e-", "1ee5",
    ]
    for c in cases { Self.check(c, &fast) }
  }

  @Test("200 000 random texts: doubles printed shortest and at 17 digits, digit strings of 1–19 digits with random exponents, subnormals")
  func randomTexts() {
    var rng = SplitMix64(seed: 2026)
    var fast = 0
    var total = 0
    var decidable = 0  // at most 19 significant digits: the fast path's domain
    for k in 0..<200_000 {
      let text: String
      switch k % 5 {
      case 0:  // any finite double, shortest round-trip text
        let x = Double(bitPattern: rng.next() & ~(1 << 62) | (rng.next() & 1) << 62)
        text = x.isFinite ? x.description : "1e308"
      case 1:  // 17 significant digits
        let x = Double(bitPattern: rng.next() >> 1)
        text = x.isFinite ? String(format: "%.16e", x) : "2e-300"
      case 2:  // a random digit string with a random decimal exponent from −360 to 330
        let digits = 1 + Int(rng.next() % 19)
        var s = String(1 + rng.next() % 9)
        for _ in 1..<digits { s += String(rng.next() % 10) }
        let point = Int(rng.next() % UInt64(digits + 1))
        if point < digits { s.insert(".", at: s.index(s.startIndex, offsetBy: point)) }
        text = s + "e" + String(Int(rng.next() % 691) - 360)
      case 3:  // subnormals and the smallest normals
        let x = Double(bitPattern: rng.next() % (1 << 53))
        text = rng.next() & 1 == 0 ? x.description : String(format: "%.17e", x)
      default:  // integers around 2⁵³ … 2⁶⁴, where ties between doubles are integers
        let shift = UInt64(rng.next() % 11)
        let v = (rng.next() >> shift) | (1 << 53)
        text = String(v)
      }
      Self.check(text, &fast)
      total += 1
      let significant = text.split(separator: "e").first!.filter(\.isNumber).drop { $0 == "0" }.count
      if significant <= 19 { decidable += 1 }
    }
    // Measured, not assumed: the fast path decides almost every text it may take (the rest are ties and
    // brackets that straddle a rounding boundary, which are rare).
    #expect(Double(fast) >= 0.99 * Double(decidable), "fast path decided \(fast) of \(decidable) (\(total) texts)")
  }
}

import Foundation
import GradVerify
import Testing

/// The exact accumulator: the correctly rounded sum whatever the order, grouping or magnitude of the terms.
@Suite struct ExactSumTests {
  static func sum(_ xs: [Double]) -> Double { ExactSum(xs).value }

  @Test("known answers: cancellation, ties to even, subnormals, overflow, non-finite terms")
  func knownAnswers() {
    #expect(Self.sum([]) == 0)
    #expect(Self.sum([1, 1e100, 1, -1e100]) == 2)
    // 1 + 2⁻⁵³ is a tie between 1 and 1 + 2⁻⁵²: to even (1); anything above the tie rounds up.
    #expect(Self.sum([1, 0x1p-53]) == 1)
    #expect(Self.sum([1, 0x1p-53, 0x1p-300]) == (1.0).nextUp)
    #expect(Self.sum([(1.0).nextUp, 0x1p-53]) == (1.0).nextUp.nextUp)
    #expect(Self.sum([-1, -0x1p-53, -0x1p-300]) == -((1.0).nextUp))
    // The double 0.1 is 0.1000000000000000055511151231257827…: ten of them are 1 + 5.55e-17, below half
    // an ulp of 1 (1.11e-16), so 1; the naive sum is 0.9999999999999999.
    #expect(Self.sum(Array(repeating: 0.1, count: 10)) == 1)
    let tiny = Double.leastNonzeroMagnitude
    #expect(Self.sum([tiny, tiny, tiny]) == 3 * tiny)
    #expect(Self.sum([Double.leastNormalMagnitude, -tiny]) == Double.leastNormalMagnitude.nextDown)
    let big = Double.greatestFiniteMagnitude
    #expect(Self.sum([big, big]) == .infinity)
    #expect(Self.sum([big, big, -big]) == big)
    #expect(Self.sum([-big, -big]) == -.infinity)
    #expect(Self.sum([.infinity, 1]) == .infinity)
    #expect(Self.sum([.infinity, -.infinity]).isNaN)
    #expect(Self.sum([.nan, 1]).isNaN)
    #expect(Self.sum([3, -3]) == 0 && ExactSum([3, -3]).text == ExactSum().text)
  }

  @Test("equal to an independent exact sum in 128-bit fixed point, for 2000 random sets in random orders")
  func againstFixedPoint() {
    var rng = SplitMix64(seed: 7)
    for _ in 0..<2000 {
      // Terms that are multiples of 2⁻⁶⁰ below 2⁶⁰ in magnitude: at most 64 of them sum exactly in Int128.
      let count = 1 + Int(rng.next() % 64)
      var terms: [Double] = []
      var exact: Int128 = 0
      for _ in 0..<count {
        let exponent = Int(rng.next() % 110) - 60  // 2^exponent · [1, 2) with 52 random fraction bits
        let fraction = Double(rng.next() >> 12) * 0x1p-52
        var x = Double(sign: rng.next() & 1 == 0 ? .plus : .minus, exponent: exponent, significand: 1 + fraction)
        // Keep only the bits at or above 2⁻⁶⁰.
        x = (x * 0x1p60).rounded(.towardZero) * 0x1p-60
        terms.append(x)
        exact += Int128(x * 0x1p60)
      }
      let reference = Double(exact) * 0x1p-60  // Double(Int128) rounds to nearest; the scaling is exact
      #expect(Self.sum(terms) == reference, "\(terms)")
      // Any order and any grouping into partial accumulators give the same bits.
      var shuffled = terms
      for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
      let cut = Int(rng.next() % UInt64(shuffled.count + 1))
      var a = ExactSum(shuffled[..<cut])
      a.add(ExactSum(shuffled[cut...]))
      #expect(a.value.bitPattern == reference.bitPattern)
      #expect(a.text == ExactSum(terms).text)
    }
  }

  @Test("terms over the whole exponent range: every grouping gives one text and one value")
  func wideRange() {
    var rng = SplitMix64(seed: 11)
    for _ in 0..<300 {
      let terms = (0..<100).map { _ -> Double in
        Double(bitPattern: rng.next() & ~(0x7FF << 52) | (UInt64(rng.next() % 2047) << 52))
      }
      let whole = ExactSum(terms)
      var parts = [ExactSum](repeating: ExactSum(), count: 7)
      for (k, x) in terms.reversed().enumerated() { parts[k % 7].add(x) }
      var merged = ExactSum()
      for p in parts.reversed() { merged.add(p) }
      #expect(merged.text == whole.text)
      #expect(merged.value.bitPattern == whole.value.bitPattern)
      // The largest term dominates unless cancelled; the sum is finite or ±∞ by overflow, never NaN.
      #expect(!whole.value.isNaN)
    }
  }

  @Test("the text form reads back to the same sum, and only canonical text is accepted")
  func textRoundTrip() throws {
    var rng = SplitMix64(seed: 3)
    for _ in 0..<500 {
      let terms = (0..<20).map { _ in Double(bitPattern: rng.next() >> 2) * (rng.next() & 1 == 0 ? 1 : -1) }
      let s = ExactSum(terms)
      let back = try #require(ExactSum(text: s.text), "\(s.text)")
      #expect(back.text == s.text && back.value.bitPattern == s.value.bitPattern)
    }
    // 0.75 = 3 · 2⁻² is 3 · 2¹⁰⁷² units of 2⁻¹⁰⁷⁴, digit 33 (2^(32·33) = 2¹⁰⁵⁶ units) holding 3 · 2¹⁶.
    #expect(ExactSum([0.75]).text == "+30000@33")
    #expect(ExactSum([-0.75]).text == "-30000@33")
    #expect(ExactSum([]).text == "+0" && ExactSum([1, -1]).text == "+0")
    // 1e300 + 1e-300 spans from 2⁻¹⁰⁴⁹ to 2⁹⁹⁷: every digit between is written.
    #expect(ExactSum([1e300, 1e-300]).text.count <= 2 + 8 * 68 + 3)
    let bad: [String] = [
      "", "+", "-0", "+00", "+0@0", "+30000@033", "+030000@33", "+3000000000@32", "+30000@68", "+30000@-1",
      "+3@", "+@33", "+30000@33x", "+3000g@33", "+3000A@33", "nan(1)", "Inf", "+1" + String(repeating: "0", count: 8 * 67) + "@1",
    ]
    for bad in bad {
      #expect(ExactSum(text: bad) == nil, "\(bad.prefix(12))…")
    }
    #expect(ExactSum(text: "+0")?.value == 0 && ExactSum(text: "+30000@33")?.value == 0.75)
  }
}

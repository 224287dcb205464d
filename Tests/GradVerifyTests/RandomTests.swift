import GradVerify
import Testing

/// Known answers and statistical sanity of the random-number layer: Philox4x32-10, SplitMix64 and
/// the `PhiloxStream` built on them (stream layout version 1).
@Suite struct RandomTests {
  // MARK: - Philox4x32-10 known answers

  /// One row of Random123's `kat_vectors` for philox4x32_10: counter[4], key[2] → output[4].
  struct PhiloxAnswer: Sendable, CustomTestStringConvertible {
    var counter: [UInt32]
    var key: [UInt32]
    var output: [UInt32]
    var testDescription: String { "ctr \(counter.map(hex)) key \(key.map(hex))" }
  }

  static let philoxAnswers: [PhiloxAnswer] = [
    PhiloxAnswer(
      counter: [0, 0, 0, 0], key: [0, 0],
      output: [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8]),
    PhiloxAnswer(
      counter: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], key: [0xFFFF_FFFF, 0xFFFF_FFFF],
      output: [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD]),
    PhiloxAnswer(
      counter: [0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344], key: [0xA409_3822, 0x299F_31D0],
      output: [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1]),
  ]

  @Test("Philox4x32-10 matches Random123's kat_vectors", arguments: philoxAnswers)
  func philoxKnownAnswer(_ row: PhiloxAnswer) {
    let c = Philox4x32.block((row.counter[0], row.counter[1], row.counter[2], row.counter[3]), key: (row.key[0], row.key[1]))
    #expect([c.0, c.1, c.2, c.3] == row.output, "got \([c.0, c.1, c.2, c.3].map(hex))")
  }

  // MARK: - SplitMix64 known answers

  @Test("SplitMix64 seeded with 1234567 gives the reference sequence")
  func splitMixKnownAnswer() {
    var rng = SplitMix64(seed: 1_234_567)
    let first5 = (0..<5).map { _ in rng.next() }
    #expect(
      first5 == [
        6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
        4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
      ])
  }

  // MARK: - PhiloxStream layout and repeatability

  /// Stream layout version 2: key = SplitMix64.key(seed, name) split (lo, hi); block i of substream s is
  /// Philox(counter (i lo, i hi, s lo, s hi)); the blocks' 32-bit words are consumed in order, one per
  /// `next32()` and two (low word first) per `next()`, so a 64-bit draw may straddle two blocks.
  @Test("PhiloxStream follows stream layout version 2", arguments: [(UInt64(0), UInt64(0)), (42, 7), (1 << 40, 1 << 33)])
  func streamLayout(_ seed: UInt64, _ substream: UInt64) {
    #expect(PhiloxStream.layoutVersion == 2)
    let name = "tests/layout"
    let k = SplitMix64.key(seed: seed, name: name)
    let key = (UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32))
    var words: [UInt32] = []
    // Twelve blocks: the stream computes four at a time, so this crosses two of its refills.
    for position in UInt64(0)..<12 {
      let c = Philox4x32.block(
        (
          UInt32(truncatingIfNeeded: position), UInt32(truncatingIfNeeded: position >> 32),
          UInt32(truncatingIfNeeded: substream), UInt32(truncatingIfNeeded: substream >> 32)
        ), key: key)
      words += [c.0, c.1, c.2, c.3]
    }
    // Draw widths chosen so that 64-bit draws start at every word offset 0–3 and straddle blocks.
    let widths = Array(repeating: [64, 64, 32, 64, 32, 32, 64, 32, 64, 64], count: 3).flatMap { $0 }
    var stream = PhiloxStream(seed: seed, name: name, substream: substream)
    var w = 0
    for (d, width) in widths.enumerated() {
      if width == 32 {
        #expect(stream.next32() == words[w], "draw \(d) (32 bits) at word \(w)")
        w += 1
      } else {
        #expect(stream.next() == UInt64(words[w]) | UInt64(words[w + 1]) << 32, "draw \(d) (64 bits) at word \(w)")
        w += 2
      }
    }
    #expect(w == words.count)
  }

  @Test("Re-seeding a stream reproduces it exactly (bits, uniforms, normals, bounded integers)")
  func repeatable() {
    func draw() -> ([UInt64], [Double], [Double], [UInt64]) {
      var rng = PhiloxStream(seed: 20_240_601, name: "tests/repeat", substream: 3)
      // An odd number of 32-bit draws first, so the 64-bit draws that follow straddle blocks.
      let words = (0..<101).map { _ in UInt64(rng.next32()) }
      let bits = words + (0..<100).map { _ in rng.next() }
      let uniforms = (0..<100).map { _ in rng.nextUniform() }
      let normals = (0..<100).map { _ in rng.nextNormal() }
      let bounded = (0..<100).map { _ in rng.nextBounded(1000) }
      return (bits, uniforms, normals, bounded)
    }
    let a = draw()
    let b = draw()
    #expect(a.0 == b.0)
    #expect(a.1.map(\.bitPattern) == b.1.map(\.bitPattern))
    #expect(a.2.map(\.bitPattern) == b.2.map(\.bitPattern))
    #expect(a.3 == b.3)
  }

  @Test("Different seeds, names and substreams give different streams")
  func independentCoordinates() {
    func first(_ seed: UInt64, _ name: String, _ sub: UInt64) -> [UInt64] {
      var rng = PhiloxStream(seed: seed, name: name, substream: sub)
      return (0..<8).map { _ in rng.next() }
    }
    let base = first(1, "a", 0)
    let others = [first(2, "a", 0), first(1, "b", 0), first(1, "a", 1), first(1, "", 0), first(0, "a", 0)]
    for other in others {
      // Two independent 64-bit streams agree in a word with probability 2⁻⁶⁴: demand every word differs.
      #expect(zip(base, other).allSatisfy { $0 != $1 }, "\(base) vs \(other)")
    }
    #expect(Set(others.map { $0[0] }).count == others.count)
  }

  // MARK: - Distributions

  @Test("nextUniform lies in [0, 1) on 53-bit lattice points; its mean is 1/2 within 5 standard errors")
  func uniformRange() {
    var rng = PhiloxStream(seed: 7, name: "tests/uniform")
    let n = 100_000
    var sum = 0.0
    for _ in 0..<n {
      let u = rng.nextUniform()
      #expect(u >= 0 && u < 1)
      #expect((u * 0x1p53).rounded() == u * 0x1p53, "\(u) is not a multiple of 2⁻⁵³")
      sum += u
    }
    // Var U = 1/12, so the sample mean has standard error √(1/(12n)) ≈ 9.1e-4 at n = 10⁵;
    // 5 standard errors is a two-sided level of about 6e-7 under the null.
    let standardError = (1.0 / (12.0 * Double(n))).squareRoot()
    #expect(abs(sum / Double(n) - 0.5) <= 5 * standardError)
  }

  @Test("nextBounded stays in 0..<bound", arguments: [1, 2, 3, 6, 7, 1000, 3 << 30, 1 << 32 - 1, 1 << 32, 1 << 32 + 1, 3 << 62, UInt64.max] as [UInt64])
  func boundedRange(_ bound: UInt64) {
    var rng = PhiloxStream(seed: 11, name: "tests/bounded/\(bound)")
    for _ in 0..<10_000 {
      #expect(rng.nextBounded(bound) < bound)
    }
  }

  @Test("nextBounded(6) is uniform: every count of 60000 draws within 5σ of 10000")
  func boundedUniformity() {
    var rng = PhiloxStream(seed: 12_345, name: "tests/dice")
    let n = 60_000
    var counts = [Int](repeating: 0, count: 6)
    for _ in 0..<n { counts[Int(rng.nextBounded(6))] += 1 }
    // Each count is Binomial(60000, 1/6): mean 10000, σ = √(60000·(1/6)·(5/6)) ≈ 91.3.
    // |count − 10000| ≤ 5σ ≈ 456: a two-sided level of 5.7e-7 per count, 3.4e-6 for all six (Bonferroni).
    let sigma = (Double(n) * (1.0 / 6) * (5.0 / 6)).squareRoot()
    for (face, c) in counts.enumerated() {
      #expect(abs(Double(c) - 10_000) <= 5 * sigma, "face \(face): \(c) (σ = \(sigma))")
    }
  }

  /// Bounds 3·2³⁰ (32-bit words) and 3·2⁶² (64-bit words): for b = 3·2^(w−2) the plain multiply-shift
  /// ⌊x·b/2^w⌋ = ⌊3x/4⌋ gives every multiple of 3 two preimages and every other value one, so
  /// P(v ≡ 0 mod 3) = 1/2. Rejecting the low word below 2^w mod b = 2^(w−2) makes it exactly 1/3.
  @Test("Lemire's rejection removes the bias of the bound 3·2^(w−2): residues mod 3 equally likely", arguments: [3 << 30, 3 << 62] as [UInt64])
  func boundedLargeBoundUnbiased(_ bound: UInt64) {
    var rng = PhiloxStream(seed: 99, name: "tests/lemire")
    let n = 30_000
    var multiples = 0
    for _ in 0..<n where rng.nextBounded(bound) % 3 == 0 { multiples += 1 }
    // Binomial(n, 1/3): σ = √(n·(1/3)·(2/3)) ≈ 81.6, 5σ ≈ 408 (level ≈ 6e-7); the biased map would
    // give ≈ 15 000, 61σ away.
    let sigma = (Double(n) * (1.0 / 3) * (2.0 / 3)).squareRoot()
    #expect(abs(Double(multiples) - Double(n) / 3) <= 5 * sigma, "multiples of 3: \(multiples) of \(n)")
  }

  @Test("nextNormal has mean 0 and variance 1 within 5 standard errors, and P(|Z| ≤ 1) ≈ 0.6827")
  func normalMoments() {
    var rng = PhiloxStream(seed: 2_718, name: "tests/normal")
    let n = 200_000
    var sum = 0.0
    var sumSquares = 0.0
    var withinOne = 0
    for _ in 0..<n {
      let z = rng.nextNormal()
      #expect(z.isFinite)
      sum += z
      sumSquares += z * z
      if abs(z) <= 1 { withinOne += 1 }
    }
    let mean = sum / Double(n)
    let variance = (sumSquares - Double(n) * mean * mean) / Double(n - 1)
    // Standard errors under N(0, 1): mean √(1/n) ≈ 2.2e-3; sample variance √(2/(n−1)) ≈ 3.2e-3
    // (Var s² = 2σ⁴/(n−1) for a normal); the proportion √(p(1−p)/n) ≈ 1.0e-3 with p = 0.682689.
    // 5 standard errors each: two-sided level about 6e-7 per statistic.
    #expect(abs(mean) <= 5 * (1 / Double(n)).squareRoot(), "mean \(mean)")
    #expect(abs(variance - 1) <= 5 * (2 / Double(n - 1)).squareRoot(), "variance \(variance)")
    let p = 0.682_689_492_137_085_9
    #expect(abs(Double(withinOne) / Double(n) - p) <= 5 * (p * (1 - p) / Double(n)).squareRoot(), "P(|Z| ≤ 1)")
  }
}

private func hex(_ x: UInt32) -> String {
  let digits = String(x, radix: 16)
  return String(repeating: "0", count: 8 - digits.count) + digits
}

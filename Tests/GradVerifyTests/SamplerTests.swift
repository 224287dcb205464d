import GradVerify
import Testing

/// The batch a draw stands for: the listed indices, or everything not listed when the sampler draws the
/// complement (2b > N without replacement or Poisson).
func batchMembers(of sampler: BatchSampler, listed: [Int32]) -> [Int] {
  guard sampler.drawsComplement else { return listed.map(Int.init) }
  var taken = [Bool](repeating: true, count: sampler.count)
  for i in listed { taken[Int(i)] = false }
  return (0..<sampler.count).filter { taken[$0] }
}

/// The upper 1 − α point of χ²_k by the Wilson–Hilferty cube-root approximation:
///
/// ```
/// χ²_k(1 − α) ≈ k · (1 − 2/(9k) + z_{1−α} · √(2/(9k)))³
/// ```
/// Checked against SciPy's `chi2.isf`: for k ≥ 20 at α = 10⁻⁴ it is high by at most 0.6% (a slightly
/// conservative test), for k = 9 by 1.3%.
///
/// E. B. Wilson and M. M. Hilferty, "The distribution of chi-square", PNAS 17 (1931) 684–688,
/// doi:10.1073/pnas.17.12.684.
func chiSquareCritical(degreesOfFreedom k: Int, alpha: Double) -> Double {
  let kd = Double(k)
  let z = -normalQuantile(alpha)
  let c = 1 - 2 / (9 * kd) + z * (2 / (9 * kd)).squareRoot()
  return kd * c * c * c
}

/// Level of every χ² test in this file: 10⁻⁴ each, so the ~20 χ² tests below have a family-wise false
/// alarm rate under 0.2% (the streams are seeded, so a run is reproducible; the level says how unlucky a
/// seed would have to be to fail a correct sampler).
let samplerTestAlpha = 1e-4

@Suite("Sampling: BatchSampler draws the laws it claims", .serialized)
struct SamplerTests {
  // MARK: - Inclusion counts

  /// One inclusion-count experiment: R draws of (sampler, N, b), each example's count of appearances.
  struct InclusionRow: Sendable, CustomTestStringConvertible {
    var kind: SamplerKind
    var count: Int
    var batch: Int
    var draws: Int
    var neverPicks: Int? = nil
    var testDescription: String {
      "\(kind.rawValue) N=\(count) b=\(batch)" + (neverPicks.map { " never picks \($0)" } ?? "")
    }
  }

  /// The per-example counts cᵢ over R draws, and their χ² statistic under the sampler's law.
  ///
  /// ```
  /// with replacement (R·b multinomial picks):   X = Σ (cᵢ − Rb/N)² / (Rb/N)                 ~ χ²_{N−1}
  /// without (each draw's indicators sum to b):  Cov(c) = R·p(1−p)·N/(N−1)·(I − 11ᵀ/N), p = b/N,
  ///                                             X = Σ (cᵢ − Rp)² · (N−1) / (R·p(1−p)·N)      ~ χ²_{N−1}
  /// Poisson (independent Bernoulli(q = b/N)):   X = Σ (cᵢ − Rq)² / (R·q(1−q))               ~ χ²_N
  /// ```
  static func inclusionStatistic(_ row: InclusionRow) -> (statistic: Double, degreesOfFreedom: Int, counts: [Int]) {
    let sampler = BatchSampler(kind: row.kind, count: row.count, batch: row.batch, neverPicks: row.neverPicks)
    var workspace = SamplerWorkspace(count: row.count)
    var rng = PhiloxStream(seed: 11, name: "tests/sampler/inclusion/\(row.testDescription)")
    var listed: [Int32] = []
    var counts = [Int](repeating: 0, count: row.count)
    for _ in 0..<row.draws {
      _ = sampler.draw(into: &listed, workspace: &workspace, using: &rng)
      // (The faulty sampler never draws a complement: it hands back the batch itself.)
      for i in batchMembers(of: sampler, listed: listed) { counts[i] += 1 }
    }
    let n = Double(row.count)
    let r = Double(row.draws)
    let p = Double(row.batch) / n
    let squares = counts.map { c -> Double in
      let expected = row.kind == .withReplacement ? r * Double(row.batch) / n : r * p
      return (Double(c) - expected) * (Double(c) - expected)
    }.reduce(0, +)
    switch row.kind {
    case .withReplacement: return (squares / (r * Double(row.batch) / n), row.count - 1, counts)
    case .withoutReplacement: return (squares * (n - 1) / (r * p * (1 - p) * n), row.count - 1, counts)
    case .poisson, .poissonRealized: return (squares / (r * p * (1 - p)), row.count, counts)
    }
  }

  static let inclusionRows: [InclusionRow] = [
    InclusionRow(kind: .withReplacement, count: 50, batch: 7, draws: 20_000),
    InclusionRow(kind: .withReplacement, count: 50, batch: 80, draws: 4_000),  // b > N is legal with replacement
    InclusionRow(kind: .withoutReplacement, count: 50, batch: 7, draws: 20_000),
    InclusionRow(kind: .withoutReplacement, count: 50, batch: 40, draws: 20_000),  // complement path
    InclusionRow(kind: .poisson, count: 50, batch: 7, draws: 20_000),
    InclusionRow(kind: .poisson, count: 50, batch: 40, draws: 20_000),  // complement path, listed rate 0.2
  ]

  @Test("every example is included equally often (χ² at α = 1e-4)", arguments: inclusionRows)
  func inclusionUniform(_ row: InclusionRow) {
    let (x, k, counts) = Self.inclusionStatistic(row)
    let critical = chiSquareCritical(degreesOfFreedom: k, alpha: samplerTestAlpha)
    #expect(x <= critical, "χ²_\(k) = \(x) > \(critical); counts \(counts)")
    // The statistic has mean k: a value far below it would mean the counts are too even to be random
    // (e.g. a round-robin sampler). The lower 10⁻⁴ point of χ²_49 is about 20.
    #expect(x >= chiSquareCritical(degreesOfFreedom: k, alpha: 1 - samplerTestAlpha), "χ²_\(k) = \(x): too even")
  }

  @Test(
    "a sampler that never picks one example fails the same χ² test",
    arguments: [
      InclusionRow(kind: .withReplacement, count: 50, batch: 7, draws: 20_000, neverPicks: 13),
      InclusionRow(kind: .withoutReplacement, count: 50, batch: 7, draws: 20_000, neverPicks: 13),
      InclusionRow(kind: .withoutReplacement, count: 50, batch: 40, draws: 20_000, neverPicks: 0),
      InclusionRow(kind: .poisson, count: 50, batch: 40, draws: 20_000, neverPicks: 49),
    ])
  func inclusionCatchesSkippedExample(_ row: InclusionRow) {
    let (x, k, counts) = Self.inclusionStatistic(row)
    #expect(counts[row.neverPicks!] == 0)
    // Example k's count is 0 instead of R·b/N = 2800 (b = 7) or 16000 (b = 40): that term alone is
    // thousands of times the critical value of about 95.
    #expect(x > 10 * chiSquareCritical(degreesOfFreedom: k, alpha: samplerTestAlpha), "χ²_\(k) = \(x)")
  }

  // MARK: - The law of whole batches

  /// One batch-law experiment: every possible batch of a small population is a category.
  struct LawRow: Sendable, CustomTestStringConvertible {
    var kind: SamplerKind
    var count: Int
    var batch: Int
    var draws: Int
    var complement: Bool
    var testDescription: String { "\(kind.rawValue) N=\(count) b=\(batch)\(complement ? " (complement path)" : "")" }
  }

  static let lawRows: [LawRow] = [
    // C(7, 2) = 21 subsets, 1000 expected each.
    LawRow(kind: .withoutReplacement, count: 7, batch: 2, draws: 21_000, complement: false),
    // 2b > N: the sampler lists a uniform 2-subset and the batch is its complement, again 21 subsets.
    LawRow(kind: .withoutReplacement, count: 7, batch: 5, draws: 21_000, complement: true),
    LawRow(kind: .withoutReplacement, count: 7, batch: 4, draws: 35_000, complement: true),
    // 4³ = 64 ordered tuples, 500 expected each.
    LawRow(kind: .withReplacement, count: 4, batch: 3, draws: 32_000, complement: false),
    // 2⁶ = 64 subsets with P(S) = q^|S| (1 − q)^(6 − |S|); the rarest has probability 3⁻⁶, 82 expected.
    LawRow(kind: .poisson, count: 6, batch: 2, draws: 60_000, complement: false),
    LawRow(kind: .poisson, count: 6, batch: 4, draws: 60_000, complement: true),
  ]

  @Test(
    "whole batches follow the sampler's law, on the direct and the complement path (χ² at α = 1e-4)",
    arguments: lawRows)
  func batchLaw(_ row: LawRow) {
    let sampler = BatchSampler(kind: row.kind, count: row.count, batch: row.batch)
    #expect(sampler.drawsComplement == row.complement)
    var workspace = SamplerWorkspace(count: row.count)
    var rng = PhiloxStream(seed: 12, name: "tests/sampler/law/\(row.testDescription)")
    var listed: [Int32] = []
    var frequency: [Int: Int] = [:]
    for _ in 0..<row.draws {
      _ = sampler.draw(into: &listed, workspace: &workspace, using: &rng)
      let members = batchMembers(of: sampler, listed: listed)
      let key: Int
      if row.kind == .withReplacement {
        #expect(members.count == row.batch)
        key = members.reduce(0) { $0 * row.count + $1 }  // the ordered tuple in base N
      } else {
        key = members.reduce(0) { $0 | (1 << $1) }  // the subset as a bit mask
        if row.kind == .withoutReplacement { #expect(key.nonzeroBitCount == row.batch) }
      }
      frequency[key, default: 0] += 1
    }
    // Expected probability of every category.
    var probability: [Int: Double] = [:]
    switch row.kind {
    case .withReplacement:
      let tuples = (0..<row.batch).reduce(1) { a, _ in a * row.count }
      for t in 0..<tuples { probability[t] = 1 / Double(tuples) }
    case .withoutReplacement:
      let subsets = (0..<(1 << row.count)).filter { $0.nonzeroBitCount == row.batch }
      for s in subsets { probability[s] = 1 / Double(subsets.count) }
    case .poisson, .poissonRealized:
      let q = Double(row.batch) / Double(row.count)
      for s in 0..<(1 << row.count) {
        let k = s.nonzeroBitCount
        var p = 1.0
        for _ in 0..<k { p *= q }
        for _ in 0..<(row.count - k) { p *= 1 - q }
        probability[s] = p
      }
    }
    #expect(Set(frequency.keys).isSubset(of: Set(probability.keys)), "a batch outside the support")
    var x = 0.0
    for (key, p) in probability {
      let expected = p * Double(row.draws)
      let observed = Double(frequency[key] ?? 0)
      x += (observed - expected) * (observed - expected) / expected
    }
    let k = probability.count - 1
    let critical = chiSquareCritical(degreesOfFreedom: k, alpha: samplerTestAlpha)
    #expect(x <= critical, "χ²_\(k) = \(x) > \(critical)")
  }

  // MARK: - Draw structure

  @Test("a draw without replacement lists distinct indices in 0..<N, b of them or N − b on the complement path",
        arguments: [1, 7, 25, 26, 40, 49, 50])
  func withoutReplacementDistinct(batch: Int) {
    let n = 50
    let sampler = BatchSampler(kind: .withoutReplacement, count: n, batch: batch)
    #expect(sampler.drawsComplement == (2 * batch > n))
    var workspace = SamplerWorkspace(count: n)
    var rng = PhiloxStream(seed: 13, name: "tests/sampler/distinct", substream: UInt64(batch))
    var listed: [Int32] = []
    var duplicates = 0
    var outOfRange = 0
    var wrongSize = 0
    for _ in 0..<2_000 {
      let divisor = sampler.draw(into: &listed, workspace: &workspace, using: &rng)
      #expect(divisor == Double(batch))
      if Set(listed).count != listed.count { duplicates += 1 }
      if listed.contains(where: { $0 < 0 || Int($0) >= n }) { outOfRange += 1 }
      if listed.count != (sampler.drawsComplement ? n - batch : batch) { wrongSize += 1 }
      if batchMembers(of: sampler, listed: listed).count != batch { wrongSize += 1 }
    }
    #expect(duplicates == 0 && outOfRange == 0 && wrongSize == 0, "\(duplicates) \(outOfRange) \(wrongSize)")
  }

  @Test("partial Fisher–Yates restores the workspace: a shared workspace gives the same draws as fresh ones")
  func workspaceRestored() {
    let n = 40
    let samplers = [7, 33, 1, 20].map { BatchSampler(kind: .withoutReplacement, count: n, batch: $0) }
    var shared = SamplerWorkspace(count: n)
    var rngShared = PhiloxStream(seed: 14, name: "tests/sampler/workspace")
    var rngFresh = PhiloxStream(seed: 14, name: "tests/sampler/workspace")
    var a: [Int32] = []
    var b: [Int32] = []
    var mismatches = 0
    for t in 0..<400 {
      let sampler = samplers[t % samplers.count]
      var fresh = SamplerWorkspace(count: n)
      _ = sampler.draw(into: &a, workspace: &shared, using: &rngShared)
      _ = sampler.draw(into: &b, workspace: &fresh, using: &rngFresh)
      if a != b { mismatches += 1 }
    }
    #expect(mismatches == 0)
  }

  @Test("draws are a pure function of the stream: re-seeding repeats them, another seed changes them",
        arguments: SamplerKind.allCases)
  func repeatable(_ kind: SamplerKind) {
    func draws(seed: UInt64) -> [[Int32]] {
      let sampler = BatchSampler(kind: kind, count: 30, batch: 9)
      var workspace = SamplerWorkspace(count: 30)
      var rng = PhiloxStream(seed: seed, name: "tests/sampler/repeat")
      var listed: [Int32] = []
      return (0..<50).map { _ in
        _ = sampler.draw(into: &listed, workspace: &workspace, using: &rng)
        return listed
      }
    }
    #expect(draws(seed: 1) == draws(seed: 1))
    #expect(draws(seed: 1) != draws(seed: 2))
  }

  // MARK: - Poisson sizes

  @Test("Poisson realised sizes average b with variance N·q(1 − q); poisson-realized divides by that size",
        arguments: [10, 100, 150, 199])
  func poissonSizes(batch: Int) {
    let n = 200
    let draws = 20_000
    let q = Double(batch) / Double(n)
    let sampler = BatchSampler(kind: .poissonRealized, count: n, batch: batch)
    var workspace = SamplerWorkspace(count: n)
    var rng = PhiloxStream(seed: 15, name: "tests/sampler/poisson-size", substream: UInt64(batch))
    var listed: [Int32] = []
    var sum = 0.0
    var squares = 0.0
    var divisorMismatches = 0
    for _ in 0..<draws {
      let divisor = sampler.draw(into: &listed, workspace: &workspace, using: &rng)
      let size = Double(batchMembers(of: sampler, listed: listed).count)
      if divisor != size { divisorMismatches += 1 }
      sum += size
      squares += size * size
    }
    #expect(divisorMismatches == 0)
    let mean = sum / Double(draws)
    let variance = (squares - Double(draws) * mean * mean) / Double(draws - 1)
    let exactVariance = Double(n) * q * (1 - q)
    // The mean of 20000 Binomial(N, q) sizes is normal to high accuracy; |z| ≤ 4 is a two-sided level of
    // 6·10⁻⁵ per row.
    let z = (mean - Double(batch)) / (exactVariance / Double(draws)).squareRoot()
    #expect(Swift.abs(z) <= 4, "mean size \(mean), b = \(batch), z = \(z)")
    // The sample variance has relative standard error √((2 + γ₂)/R) ≈ 1% (γ₂ = (1 − 6q(1−q))/(Nq(1−q)) ≤ 1
    // here, at q = 0.995); 5% is five standard errors, and a sampler using the wrong rate (say 1 − q for q on the
    // complement path) would still pass this line but fail the mean above by hundreds of standard errors.
    #expect(Swift.abs(variance / exactVariance - 1) <= 0.05, "size variance \(variance), exact \(exactVariance)")
  }

  // MARK: - Contracts

  @Test("a batch larger than N without replacement is a broken contract")
  func batchTooLarge() async {
    await #expect(processExitsWith: .failure) {
      _ = BatchSampler(kind: .withoutReplacement, count: 5, batch: 6)
    }
    await #expect(processExitsWith: .failure) {
      _ = BatchSampler(kind: .poisson, count: 5, batch: 0)
    }
  }
}


/// Negative control N4: averaging micro-batch means (gradient accumulation, data-parallel all-reduce of
/// per-worker means) when the micro-batches hold unequal numbers of tokens.
///
/// A batch B of documents is split into M micro-batches of k documents, T_m tokens each, T_B in all; the
/// cost of B is the token mean C_B. Then, exactly (the mean-of-means identity):
///
/// ```
/// ĝ = (1/M) Σ_m ∇C_{B_m},     ĝ − ∇C_B = Σ_m (1/M − T_m/T_B) ∇C_{B_m}
/// ```
///
/// zero only when the T_m are equal; summing the micro-batch sums and dividing by T_B once is the fix.
/// Every sum here is exact (`ExactSum`), so each computed mean is within γ₂ of its value and the identity
/// holds in every batch to the rounding bound τ below. With one document per micro-batch (k = 1) and the M
/// documents a simple random sample of the D, E[ĝ] is the mean of the D document means, so
/// E[ĝ] − ∇C = (1/D) Σ_d ḡ_d − ∇C exactly, with Var(ĝⱼ) = (1 − M/D) S²ⱼ / M (S²ⱼ the documents' sample
/// variance; W. G. Cochran, *Sampling Techniques*, 3rd ed., Wiley 1977, Thm 2.2): the Monte Carlo mean over
/// R batches is judged against that prediction with that exact standard error.
package struct MeanOfMeansControl: Sendable {
  /// M micro-batches of k documents each.
  public struct Scheme: Sendable, Equatable {
    public var name: String
    public var microBatches: Int
    public var documentsPerMicroBatch: Int

    public init(name: String, microBatches: Int, documentsPerMicroBatch: Int) {
      self.name = name
      self.microBatches = microBatches
      self.documentsPerMicroBatch = documentsPerMicroBatch
    }

    public var documentsPerBatch: Int { microBatches * documentsPerMicroBatch }
    /// Whether E[ĝ] has the exact prediction (one document per micro-batch).
    public var hasExactExpectation: Bool { documentsPerMicroBatch == 1 }
  }

  public var scheme: Scheme
  public var documents: Int
  public var tokens: Int
  /// The shortest and longest document.
  public var lengthRange: (Int, Int)
  public var draws: Int
  /// Batches where the identity missed its rounding bound (0: it held in every batch).
  public var identityViolations: Int
  /// max over batches and coordinates of |(ĝ − ∇C_B) − Σ_m w_m ∇C_{B_m}| / τ.
  public var identityMaxRatio: Double
  /// Batches where some coordinate of ĝ − ∇C_B exceeds its rounding bound (a real gap).
  public var batchesWithGap: Int
  /// Means over batches of ‖ĝ − ∇C_B‖/‖∇C_B‖ (measured) and of ‖Σ_m w_m ∇C_{B_m}‖/‖∇C_B‖ (predicted).
  public var meanRelativeGap: Double
  public var meanRelativePrediction: Double
  /// Batches where sum-then-divide-once missed ∇C_B by more than its rounding bound.
  public var sumViolations: Int
  /// The Monte Carlo mean of ĝ − ∇C over batches, its prediction and exact standard error (k = 1 only).
  public var meanBias: [Double]
  public var predictedBias: [Double]
  public var biasStandardError: [Double]
  /// The family-wise critical |z| and the |z| the exact-law test needs for power 0.99.
  public var criticalZ: Double

  /// γ₃ and u of binary64.
  static let u = RoundingBoundNumber.unitRoundoff
  static let gamma3 = roundingGamma(3, unitRoundoff: u)

  /// - Parameters:
  ///   - rows: row i is token i's gradient, N × P row-major.
  ///   - layout: the documents (token indices); tokens outside every document are not part of the cost.
  ///   - weights: the identity's wₘ from the micro-batches' token counts; only a test passes another, to
  ///     show that a wrong identity fails.
  public init(
    rows: [Double], dimension p: Int, layout: DocumentLayout, scheme: Scheme, draws: Int, seed: UInt64, name: String,
    criticalZ: Double, threads: Int, weights gapWeights: @Sendable ([Int]) -> [Double] = MeanOfMeansControl.gapWeights
  ) {
    let d = layout.documents.count
    let m = scheme.microBatches
    let k = scheme.documentsPerMicroBatch
    precondition(2 * scheme.documentsPerBatch <= d, "a batch must hold at most half the documents")
    let lengths = layout.documents.map(\.count)
    // Each document's exact sum per coordinate, and its mean rounded once more.
    var documentSums: [ExactSum] = []
    documentSums.reserveCapacity(d * p)
    for doc in layout.documents {
      for j in 0..<p { documentSums.append(ExactSum(doc.lazy.map { rows[$0 * p + j] })) }
    }
    let documentMeans = (0..<(d * p)).map { documentSums[$0].value / Double(lengths[$0 / p]) }
    let tokenTotal = lengths.reduce(0, +)
    let g = (0..<p).map { j in
      var s = ExactSum()
      for doc in 0..<d { s.add(documentSums[doc * p + j]) }
      return s.value / Double(tokenTotal)
    }
    self.scheme = scheme
    documents = d
    tokens = tokenTotal
    lengthRange = (lengths.min() ?? 0, lengths.max() ?? 0)
    self.draws = draws
    self.criticalZ = criticalZ

    struct Part: Sendable {
      var biasSums: [Double]
      var identityViolations = 0, batchesWithGap = 0, sumViolations = 0
      var identityMaxRatio = 0.0, relativeGap = 0.0, relativePrediction = 0.0
    }
    let sampler = BatchSampler(kind: .withoutReplacement, count: d, batch: scheme.documentsPerBatch)
    let documentsCopy = documentSums
    let parts = DrawBlocks.map(
      draws: draws, threads: threads, makeScratch: { (SamplerWorkspace(count: d), [Int32]()) }
    ) { block, count, scratch -> Part in
      var rng = PhiloxStream(seed: seed, name: "n4/\(name)/\(scheme.name)/batches", substream: UInt64(block))
      var part = Part(biasSums: [Double](repeating: 0, count: p))
      var microMeans = [Double](repeating: 0, count: m)
      var microSums = [Double](repeating: 0, count: m)
      var microTokens = [Int](repeating: 0, count: m)
      var gap = [Double](repeating: 0, count: p)
      var predicted = [Double](repeating: 0, count: p)
      var batchMean = [Double](repeating: 0, count: p)
      for _ in 0..<count {
        _ = sampler.draw(into: &scratch.1, workspace: &scratch.0, using: &rng)
        let drawn = scratch.1.map(Int.init)
        for q in 0..<m { microTokens[q] = (0..<k).reduce(0) { $0 + lengths[drawn[q * k + $1]] } }
        let batchTokens = microTokens.reduce(0, +)
        let weights = gapWeights(microTokens)
        var worstIdentity = 0.0, worstSum = 0.0, hasGap = false
        for j in 0..<p {
          var batchSum = ExactSum()
          for q in 0..<m {
            if k == 1 {
              microMeans[q] = documentMeans[drawn[q] * p + j]
              microSums[q] = documentsCopy[drawn[q] * p + j].value
              batchSum.add(documentsCopy[drawn[q] * p + j])
            } else {
              var s = ExactSum()
              for r in 0..<k { s.add(documentsCopy[drawn[q * k + r] * p + j]) }
              batchSum.add(s)
              microSums[q] = s.value
              microMeans[q] = microSums[q] / Double(microTokens[q])
            }
          }
          let exactBatch = batchSum.value / Double(batchTokens)
          let averaged = ExactSum(microMeans).value / Double(m)
          let summed = ExactSum(microSums).value / Double(batchTokens)
          var rhs = ExactSum()
          var scale = Swift.abs(exactBatch)
          var sumScale = 0.0
          for q in 0..<m {
            rhs.add(weights[q] * microMeans[q])
            scale += (Double(microTokens[q]) / Double(batchTokens) + 1 / Double(m) + Swift.abs(weights[q])) * Swift.abs(microMeans[q])
            sumScale += Swift.abs(microSums[q])
          }
          gap[j] = averaged - exactBatch
          predicted[j] = rhs.value
          batchMean[j] = exactBatch
          let tau = Self.gamma3 * scale + Self.u * (Swift.abs(gap[j]) + Swift.abs(predicted[j]))
          worstIdentity = Swift.max(worstIdentity, Self.ratio(gap[j] - predicted[j], tau))
          if Swift.abs(gap[j]) > tau { hasGap = true }
          let sumTau = Self.gamma3 * (sumScale / Double(batchTokens) + 2 * Swift.abs(exactBatch))
          worstSum = Swift.max(worstSum, Self.ratio(summed - exactBatch, sumTau))
          part.biasSums[j] += averaged - g[j]
        }
        if worstIdentity > 1 { part.identityViolations += 1 }
        part.identityMaxRatio = Swift.max(part.identityMaxRatio, worstIdentity)
        if hasGap { part.batchesWithGap += 1 }
        if worstSum > 1 { part.sumViolations += 1 }
        let norm = Self.norm(batchMean)
        if norm > 0 {
          part.relativeGap += Self.norm(gap) / norm
          part.relativePrediction += Self.norm(predicted) / norm
        }
      }
      return part
    }
    identityViolations = parts.reduce(0) { $0 + $1.identityViolations }
    identityMaxRatio = parts.map(\.identityMaxRatio).max() ?? 0
    batchesWithGap = parts.reduce(0) { $0 + $1.batchesWithGap }
    sumViolations = parts.reduce(0) { $0 + $1.sumViolations }
    meanRelativeGap = parts.map(\.relativeGap).reduce(0, +) / Double(draws)
    meanRelativePrediction = parts.map(\.relativePrediction).reduce(0, +) / Double(draws)
    meanBias = (0..<p).map { j in parts.map { $0.biasSums[j] }.reduce(0, +) / Double(draws) }
    if scheme.hasExactExpectation {
      let r = Double(draws)
      let meanOfMeans = (0..<p).map { j in ExactSum((0..<d).map { documentMeans[$0 * p + j] }).value / Double(d) }
      predictedBias = (0..<p).map { meanOfMeans[$0] - g[$0] }
      biasStandardError = (0..<p).map { j in
        let s2 = ExactSum((0..<d).map { let e = documentMeans[$0 * p + j] - meanOfMeans[j]; return e * e }).value / Double(d - 1)
        return ((1 - Double(m) / Double(d)) * s2 / Double(m) / r).squareRoot()
      }
    } else {
      predictedBias = []
      biasStandardError = []
    }
  }

  /// wₘ = 1/M − Tₘ/T_B = (T_B − M·Tₘ)/(M·T_B) from the token counts Tₘ: integers, one rounding.
  public static func gapWeights(_ tokens: [Int]) -> [Double] {
    let total = tokens.reduce(0, +)
    return tokens.map { Double(total - tokens.count * $0) / Double(tokens.count * total) }
  }

  static func ratio(_ difference: Double, _ bound: Double) -> Double {
    difference == 0 ? 0 : (bound > 0 ? Swift.abs(difference) / bound : .infinity)
  }

  static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

  /// The coordinates the z-tests judge: those whose document means vary (se > 0).
  var judged: [Int] { biasStandardError.indices.filter { biasStandardError[$0] > 0 } }
  /// maxⱼ |mean − prediction|/se and maxⱼ |mean|/se over the judged coordinates.
  public var maxAgreementZ: Double {
    judged.map { Swift.abs(meanBias[$0] - predictedBias[$0]) / biasStandardError[$0] }.max() ?? 0
  }
  public var maxBiasZ: Double { judged.map { Swift.abs(meanBias[$0]) / biasStandardError[$0] }.max() ?? 0 }
  /// maxⱼ |prediction|/se: the bias the test can see; detectable with power 0.99 when ≥ z* + z₀.₉₉.
  public var predictedZ: Double { judged.map { Swift.abs(predictedBias[$0]) / biasStandardError[$0] }.max() ?? 0 }
  public var detectable: Bool { predictedZ >= criticalZ + normalQuantile(0.99) }
  /// ‖mean ĝ − ∇C‖ and ‖(1/D)Σ ḡ_d − ∇C‖.
  public var meanBiasNorm: Double { Self.norm(meanBias) }
  public var predictedBiasNorm: Double { Self.norm(predictedBias) }

  /// The control's verdict (unequal token counts). The prediction in every batch is the identity: the
  /// measured gap ĝ − ∇C_B equals Σ_m w_m ∇C_{B_m} coordinate by coordinate within τ (a wrong identity, e.g.
  /// weights from the wrong token counts, FAILs). With k > 1 that per-batch size is the whole claim:
  /// FAILS-AS-PREDICTED when some batch's gap exceeds rounding (a counterexample to ĝ = ∇C_B) and every gap
  /// has its predicted size. With one document per micro-batch the expectation is predicted too:
  /// FAILS-AS-PREDICTED when the mean of means is biased (max |mean|/se > z*) by the predicted amount (max
  /// |mean − prediction|/se ≤ z*), INCONCLUSIVE when the predicted bias is too small for the test to see
  /// (with documents of unequal lengths). No gap at all: UNEXPECTED-PASS.
  public var controlVerdict: Verdict {
    let identityHeld = identityViolations == 0
    guard scheme.hasExactExpectation else { return .control(broke: batchesWithGap > 0, sizeAsPredicted: identityHeld) }
    guard identityHeld else { return .fail }
    let broke = maxBiasZ > criticalZ
    // Unequal lengths with a bias too small for the test to see: no verdict either way.
    if !broke && !detectable && lengthRange.0 != lengthRange.1 { return .inconclusive }
    return .control(broke: broke, sizeAsPredicted: maxAgreementZ <= criticalZ)
  }

  /// The equal-length twin's verdict: PASS when ĝ = ∇C_B to rounding in every batch (and, with k = 1, the
  /// Monte Carlo mean agrees with ∇C).
  public var equalTwinVerdict: Verdict {
    let exact = identityViolations == 0 && batchesWithGap == 0
    let unbiased = !scheme.hasExactExpectation || maxAgreementZ <= criticalZ
    return exact && unbiased ? .pass : .fail
  }

  /// The sum-then-divide twin: PASS when Σ_m S_m / T_B equals ∇C_B to rounding in every batch.
  public var sumTwinVerdict: Verdict { sumViolations == 0 ? .pass : .fail }
}

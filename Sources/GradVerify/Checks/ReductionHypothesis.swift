/// A reduction a training pipeline may have computed from its per-example gradients, as weights on the rows:
/// g = Gᵀw = Σᵢ wᵢ gᵢ, where row gᵢ is the gradient of example i's *summed* token loss, tᵢ its tokens, pᵢ its
/// padding, T = Σ tᵢ, and an example's micro-batch k(i) (K of them, T_k tokens) and rank r(i) (R of them, T_r).
///
/// ```
/// mean                        wᵢ = 1/N
/// token-mean                  wᵢ = 1/T                       (the loss per token over the whole batch: the intended one)
/// mean-of-micro-batch-means   wᵢ = 1/(K·T_k(i))               (gradient accumulation averaging per-step token means)
/// mean-of-rank-means          wᵢ = 1/(R·T_r(i))               (data parallel averaging per-rank token means)
/// sum                         wᵢ = 1
/// scaled-by-ranks             wᵢ = 1/(R·T)                    (the token mean divided by the world size once more)
/// padding-counted             wᵢ = 1/Σ(tⱼ + pⱼ)                (pad tokens counted in the denominator)
/// ```
/// Without a `tokens` column every tᵢ is 1 (the means are over examples). These are the reductions behind the
/// gradient-accumulation fixes of 2024 (Hugging Face transformers #34191, torchtune #1917, torchtitan #2206)
/// and the data-parallel averaging reports (PyTorch #37359, #67253).
package enum ReductionHypothesis: String, Sendable, CaseIterable, Codable {
  case mean
  case tokenMean = "token-mean"
  case meanOfMicroBatchMeans = "mean-of-micro-batch-means"
  case meanOfRankMeans = "mean-of-rank-means"
  case sum
  case scaledByRanks = "scaled-by-ranks"
  case paddingCounted = "padding-counted"

  /// The layout columns the weights need.
  public var needs: [String] {
    switch self {
    case .mean, .sum: []
    case .tokenMean: ["tokens"]
    case .meanOfMicroBatchMeans: ["micro_batch"]
    case .meanOfRankMeans, .scaledByRanks: ["rank"]
    case .paddingCounted: ["padding"]
    }
  }

  /// The rounded operations a pipeline adds per term beyond the sum itself: the divisions (and, for means of
  /// means, the second sum's additions, bounded by the groups' count).
  func extraFactors(groups: Int) -> Int {
    switch self {
    case .sum: 0
    case .mean, .tokenMean, .paddingCounted, .scaledByRanks: 2
    case .meanOfMicroBatchMeans, .meanOfRankMeans: 2 + groups
    }
  }

  /// The weights wᵢ on `layout`'s examples, or nil (with the missing column) when the layout lacks what they need.
  public func weights(layout: ExampleLayout) -> Result<[Double], MissingColumn> {
    let n = layout.count
    if let missing = needs.first(where: { name in
      switch name {
      case "tokens": layout.tokens == nil
      case "micro_batch": layout.microBatch == nil
      case "rank": layout.rank == nil
      default: layout.padding == nil
      }
    }) { return .failure(MissingColumn(name: missing)) }
    let tokens = layout.tokens ?? [Double](repeating: 1, count: n)
    let total = tokens.reduce(0, +)
    /// 1/(G·T_group(i)) for a grouping of the examples into G groups.
    func meanOfGroupMeans(_ group: [Int]) -> [Double] {
      var groupTokens: [Int: Double] = [:]
      for (i, k) in group.enumerated() { groupTokens[k, default: 0] += tokens[i] }
      let groups = Double(groupTokens.count)
      return group.map { 1 / (groups * groupTokens[$0]!) }
    }
    switch self {
    case .mean: return .success([Double](repeating: 1 / Double(n), count: n))
    case .tokenMean: return .success([Double](repeating: 1 / total, count: n))
    case .sum: return .success([Double](repeating: 1, count: n))
    case .meanOfMicroBatchMeans: return .success(meanOfGroupMeans(layout.microBatch!))
    case .meanOfRankMeans: return .success(meanOfGroupMeans(layout.rank!))
    case .scaledByRanks:
      let ranks = Double(Set(layout.rank!).count)
      return .success([Double](repeating: 1 / (ranks * total), count: n))
    case .paddingCounted:
      let padded = total + layout.padding!.reduce(0, +)
      return .success([Double](repeating: 1 / padded, count: n))
    }
  }

  public struct MissingColumn: Error, Sendable {
    public var name: String
  }
}

/// What one worker reuses from block to block of a sweep: the sampler's permutation, a draw's list, one
/// batch sum, and the group sums for dense draws (`DrawGroupSums`, allocated on first use).
struct BlockScratch {
  var workspace: SamplerWorkspace
  var indices: [Int32] = []
  var accumulator: [Double]
  var group = DrawGroupSums()

  init(count n: Int, dimension d: Int) {
    workspace = SamplerWorkspace(count: n)
    accumulator = [Double](repeating: 0, count: d)
  }
}

/// A one-hidden-layer perceptron with tanh units and a softmax output; backpropagation by hand.
///
/// ```
/// a = W₁x + b₁,  h = tanh a,  z = W₂h + b₂,  L = logsumexp(z) − z_y
/// δz = p − e_y;  ∂W₂ = δz hᵀ;  ∂b₂ = δz;  δa = (W₂ᵀ δz) ⊙ (1 − h²);  ∂W₁ = δa xᵀ;  ∂b₁ = δa
/// θ = [W₁ (H×d), b₁ (H), W₂ (K×H), b₂ (K)]      (P = H(d + 1) + K(H + 1))
/// ```
///
/// D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning representations by back-propagating
/// errors", Nature 323 (1986) 533–536, doi:10.1038/323533a0.
public struct MLPModel: PerExampleModel {
  public let featureCount: Int
  public let hiddenCount: Int
  public let classCount: Int
  public let penalty: L2Penalty

  public init(features d: Int, hidden h: Int = 16, classes k: Int, l2: Double = 0) {
    precondition(d > 0 && h > 0 && k >= 2, "need d ≥ 1, H ≥ 1 and K ≥ 2")
    featureCount = d
    hiddenCount = h
    classCount = k
    let w2 = h * (d + 1)
    penalty = L2Penalty(strength: l2, weightRanges: [0..<(h * d), w2..<(w2 + k * h)])
  }

  @inlinable var b1Offset: Int { hiddenCount * featureCount }
  @inlinable var w2Offset: Int { hiddenCount * (featureCount + 1) }
  @inlinable var b2Offset: Int { w2Offset + classCount * hiddenCount }

  public var parameterCount: Int { hiddenCount * (featureCount + 1) + classCount * (hiddenCount + 1) }
  public var operationDepth: Int { featureCount + 2 * hiddenCount + 3 * classCount + 12 }
  public var layout: String {
    "[W1 (\(hiddenCount)x\(featureCount)), b1 (\(hiddenCount)), W2 (\(classCount)x\(hiddenCount)), b2 (\(classCount))]"
  }

  @inlinable public func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    let d = featureCount
    let hc = hiddenCount
    let l = withUnsafeTemporaryAllocation(of: S.self, capacity: hc) { h in
      for u in 0..<hc {
        h.initializeElement(at: u, to: S.tanh(affine(theta, weights: u * d, bias: b1Offset + u, example.features)))
      }
      return softmaxCrossEntropy(classes: classCount, label: Int(example.target)) { k in
        affine(theta, weights: w2Offset + k * hc, bias: b2Offset + k, h)
      }
    }
    return penalty.adding(to: l, theta)
  }

  @inlinable public func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into g: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let d = featureCount
    let hc = hiddenCount
    let x = example.features
    let l = withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * hc + classCount) { scratch in
      let h = UnsafeMutableBufferPointer(rebasing: scratch[0..<hc])
      let a = UnsafeMutableBufferPointer(rebasing: scratch[hc..<(2 * hc)])
      let z = UnsafeMutableBufferPointer(rebasing: scratch[(2 * hc)...])
      for u in 0..<hc {
        a.initializeElement(at: u, to: affine(theta, weights: u * d, bias: b1Offset + u, x))
        h.initializeElement(at: u, to: Double.tanh(a[u]))
      }
      for k in 0..<classCount {
        z.initializeElement(at: k, to: affine(theta, weights: w2Offset + k * hc, bias: b2Offset + k, h))
      }
      let l = softmaxCrossEntropyGradient(z, label: Int(example.target))  // z ← δz
      for k in 0..<classCount {
        for u in 0..<hc { g[w2Offset + k * hc + u] = z[k] * h[u] }
        g[b2Offset + k] = z[k]
      }
      for u in 0..<hc {
        var back = theta[w2Offset + u] * z[0]
        for k in 1..<classCount { back += theta[w2Offset + k * hc + u] * z[k] }
        // tanh′(a) = sech² a = 1/cosh² a, accurate to a few ulps where the unit saturates; 1 − tanh² a
        // would keep only an absolute accuracy u there, far more than the entry itself once |a| ≳ 10.
        let c = Foundation_cosh(a[u])
        let delta = back * (1 / (c * c))
        for j in 0..<d { g[u * d + j] = delta * x[j] }
        g[b1Offset + u] = delta
      }
      return l
    }
    penalty.addGradient(theta, into: g)
    return penalty.adding(to: l, theta)
  }
}

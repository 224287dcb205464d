/// Multinomial logistic (softmax) regression with K classes.
///
/// ```
/// z = W x + b,   L = −log softmax(z)_y = logsumexp(z) − z_y
/// ∂L/∂W_kj = (p_k − [k = y]) x_j,   ∂L/∂b_k = p_k − [k = y]
/// θ = [W (K×d, row-major), b (K)]      (P = K(d + 1))
/// ```
public struct SoftmaxModel: PerExampleModel {
  public let featureCount: Int
  public let classCount: Int
  public let penalty: L2Penalty

  public init(features d: Int, classes k: Int, l2: Double = 0) {
    precondition(d > 0 && k >= 2, "need d ≥ 1 and K ≥ 2")
    featureCount = d
    classCount = k
    penalty = L2Penalty(strength: l2, weightRanges: [0..<(k * d)])
  }

  public var parameterCount: Int { classCount * (featureCount + 1) }
  public var operationDepth: Int { featureCount + 3 * classCount + 8 }
  public var layout: String { "[W (\(classCount)x\(featureCount), row-major), b (\(classCount))]" }

  @inlinable public func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    let d = featureCount
    let l = softmaxCrossEntropy(classes: classCount, label: Int(example.target)) { k in
      affine(theta, weights: k * d, bias: classCount * d + k, example.features)
    }
    return penalty.adding(to: l, theta)
  }

  @inlinable public func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into g: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let d = featureCount
    let x = example.features
    let l = withUnsafeTemporaryAllocation(of: Double.self, capacity: classCount) { z in
      for k in 0..<classCount {
        z.initializeElement(at: k, to: affine(theta, weights: k * d, bias: classCount * d + k, x))
      }
      let l = softmaxCrossEntropyGradient(z, label: Int(example.target))
      for k in 0..<classCount {
        for j in 0..<d { g[k * d + j] = z[k] * x[j] }
        g[classCount * d + k] = z[k]
      }
      return l
    }
    penalty.addGradient(theta, into: g)
    return penalty.adding(to: l, theta)
  }
}

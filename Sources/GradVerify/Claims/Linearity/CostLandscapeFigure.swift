import Foundation

/// The picture of claim C1 for a 2-parameter model: contours of the average cost C(w, b) with every
/// example's gradient drawn at one θ₀, their average, and the finite-difference gradient of C on top of it,
/// beside the loss surfaces of a few single examples.
///
/// ```
/// L_i(w, b) = ½ (w xᵢ + b − yᵢ)²,   C = (1/N) Σ L_i,   ∇C(θ₀) = (1/N) Σ ∇L_i(θ₀)
/// ```
enum CostLandscapeFigure {
  /// The seed of the eight-example regression data set the figure draws.
  static let dataSeed: UInt64 = 8
  static let exampleCount = 8
  static let smallMultiples = 5

  static func make() -> PlotFigure {
    let data = Dataset.syntheticRegression(count: exampleCount, features: 1, seed: dataSeed)
    let model = LinearModel(features: 1)
    let optimum = leastSquares(data)
    // θ₀ off the minimum, and the window centred on θ₀: the arrows fan out from the middle with room on
    // every side, and the bottom of the bowl shows to the lower right.
    let theta0 = [optimum[0] - 1.0, optimum[1] + 2.0]
    let radius = 3.0
    let xs = (0...80).map { theta0[0] - radius + 2 * radius * Double($0) / 80 }
    let ys = (0...80).map { theta0[1] - radius + 2 * radius * Double($0) / 80 }

    func loss(_ i: Int, _ theta: [Double]) -> Double {
      theta.withUnsafeBufferPointer { t in data.withExample(i) { model.loss(t, $0) } }
    }
    func cost(_ theta: [Double]) -> Double {
      var sum = NeumaierSum()
      for i in 0..<data.count { sum.add(loss(i, theta)) }
      return sum.value / Double(data.count)
    }
    let gradients = PerExampleGradients(model: model, data: data, theta: theta0)
    let perExample = (0..<data.count).map { i in (0..<2).map { gradients.matrix[i * 2 + $0] } }
    let average = gradients.average
    let centralCost = cost(theta0)
    let finiteDifference = (0..<2).map { j in
      FivePointDerivative(
        of: cost, at: theta0, coordinate: j, evaluationError: 4 * RoundingBoundNumber.unitRoundoff * centralCost
      ).estimate
    }
    let difference = zip(average, finiteDifference).map { abs($0 - $1) }.max()!
      / finiteDifference.map(abs).max()!

    // Arrows show −∇ (the downhill direction) on one common scale: the longest per-example arrow spans 0.9
    // radii, so every arrow stays inside its panel.
    let longest = perExample.map { hypot($0[0], $0[1]) }.max()!
    let scale = 0.9 * radius / longest
    func arrow(_ g: [Double], _ style: PlotStyle) -> PlotArrow {
      PlotArrow(from: (theta0[0], theta0[1]), to: (theta0[0] - scale * g[0], theta0[1] - scale * g[1]), style: style)
    }
    let perExampleStyle = PlotStyle(color: "#777777", dash: "", marker: nil, lineWidth: 1.2)
    let averageStyle = PlotStyle(color: "#000000", dash: "", marker: nil, lineWidth: 3.5)
    // The finite difference as a ring around the tip of the averaged arrow: where the two agree they read as one.
    let finiteDifferenceStyle = PlotStyle(color: "#E69F00", dash: nil, marker: .ring, markerSize: 9)
    let startStyle = PlotStyle(color: "#000000", dash: nil, marker: .openCircle, markerSize: 5)
    let contourStyle = PlotStyle(color: "#0072B2", dash: "", marker: nil, lineWidth: 1)
    let valleyStyle = PlotStyle(color: "#009E73", dash: "10,3,2,3", marker: nil, lineWidth: 2.5)

    let window = (theta0[0] - radius)...(theta0[0] + radius)
    let windowB = (theta0[1] - radius)...(theta0[1] + radius)
    let finiteDifferenceTip = PlotPoint(x: theta0[0] - scale * finiteDifference[0], y: theta0[1] - scale * finiteDifference[1])
    func panel(
      title: String, values: [Double], levels: [Double], arrows: [PlotArrow], notes: [String], tip: PlotPoint? = nil,
      valley: PlotSeries? = nil
    ) -> PlotPanel {
      var lines: [PlotPoint] = []
      for level in levels {
        for line in ContourLines.polylines(values: values, xs: xs, ys: ys, level: level) {
          lines += line.map { PlotPoint(x: $0.x, y: $0.y) } + [PlotPoint(x: 0, y: .nan)]
        }
      }
      return PlotPanel(
        title: title, x: PlotAxis(label: "weight w", fixed: window), y: PlotAxis(label: "bias b", fixed: windowB),
        series: [
          PlotSeries(label: "contours of the cost", points: lines, style: contourStyle),
          valley ?? PlotSeries(label: nil, points: [], style: contourStyle),
          PlotSeries(label: "θ₀", points: [PlotPoint(x: theta0[0], y: theta0[1])], style: startStyle),
          PlotSeries(label: "−∇L_i(θ₀), one per example", points: [], style: perExampleStyle),
          PlotSeries(label: "their average −(1/N) Σ ∇L_i(θ₀)", points: [], style: averageStyle),
          PlotSeries(label: "finite-difference −∇C(θ₀), ringed at the tip", points: tip.map { [$0] } ?? [], style: finiteDifferenceStyle),
        ],
        arrows: arrows, notes: notes, notesCorner: .bottomRight)
    }
    let grid = ys.flatMap { b in xs.map { w in [w, b] } }
    let costs = grid.map(cost)
    let lowest = costs.min()!, highest = costs.max()!
    var panels = [
      panel(
        // Levels spaced as squares, so the contours of a quadratic bowl fall at even distances.
        title: "average cost C(w, b), N = \(data.count)", values: costs,
        levels: (1...9).map { lowest + (highest - lowest) * pow(Double($0) / 10, 2) },
        arrows: perExample.map { arrow($0, perExampleStyle) } + [arrow(average, averageStyle)],
        notes: ["|average − FD| / |FD| = \(PlotLabel.short(difference))"], tip: finiteDifferenceTip)
    ]
    for i in 0..<smallMultiples {
      let x = data.features[i], y = data.targets[i]
      panels.append(
        panel(
          title: "example \(i + 1): x = \(PlotLabel.short(x)), y = \(PlotLabel.short(y))",
          // One set of levels for every example, L = ½r² at residuals r = 1, 2, 3, …: evenly spaced lines whose
          // spacing 1/√(1 + xᵢ²) shows how steep each example's valley is.
          values: grid.map { loss(i, $0) }, levels: (1...12).map { 0.5 * Double($0 * $0) },
          arrows: [arrow(perExample[i], perExampleStyle)], notes: ["contours at |residual| = 1, 2, 3, …"],
          valley: PlotSeries(
            label: "valley floor L_i = 0: w xᵢ + b = yᵢ",
            points: [window.lowerBound, window.upperBound].map { w in PlotPoint(x: w, y: y - w * x) }, style: valleyStyle)))
    }
    return PlotFigure(
      title: "The gradient of the average cost is the average of the per-example gradients",
      panels: panels, columns: 3, panelWidth: 330, panelHeight: 330,
      caption: [
        "Linear regression Lᵢ = ½ (w xᵢ + b − yᵢ)² on \(data.count) seeded synthetic examples. Top left: contours of the",
        "average cost C with every example's downhill direction −∇Lᵢ at one point θ₀ (grey), their average (black), and",
        "the 5-point finite-difference −∇C ringed at its tip: the ring sits on the arrowhead because the two agree to",
        "\(PlotLabel.short(difference)). The other panels are single examples' losses, each a valley along w xᵢ + b = yᵢ,",
        "contoured at the same residuals. All arrows share one scale (\(PlotLabel.short(scale)) θ units per gradient unit).",
      ])
  }

  /// The least-squares (w, b) of a one-feature data set: the minimiser of C.
  static func leastSquares(_ data: Dataset) -> [Double] {
    let n = Double(data.count)
    let meanX = data.features.reduce(0, +) / n, meanY = data.targets.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0
    for i in 0..<data.count {
      sxy += (data.features[i] - meanX) * (data.targets[i] - meanY)
      sxx += (data.features[i] - meanX) * (data.features[i] - meanX)
    }
    let w = sxy / sxx
    return [w, meanY - w * meanX]
  }
}

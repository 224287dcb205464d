import Foundation

/// One axis of a plot: its label (with unit), linear or base-10 logarithmic scale, and the data range it spans.
struct PlotAxis {
  enum Scale { case linear, logarithmic }

  var label: String
  var scale: Scale = .linear
  /// Values the range must include besides the data (e.g. 0, or 1 for a ratio).
  var include: [Double] = []
  /// A fixed range, overriding the one fitted to the data.
  var fixed: ClosedRange<Double>? = nil
  /// Label whole decades as powers of ten even where plain numbers would fit, so that every panel of a
  /// figure labels this axis alike (`PlotFigure` sets it when any panel needs powers).
  var forcePowers = false
  /// Named categories at 0, 1, 2, …: the axis spans −½ … count − ½ with one labelled tick per category.
  var categories: [String]? = nil

  /// A tick: its value, its label, and an optional raised exponent (10 with superscript −3).
  struct Tick {
    var value: Double
    var label: String
    var exponent: String? = nil
  }

  /// The range shown and its ticks, fitted to `values` (non-finite values, and non-positive ones on a
  /// log scale, are ignored): whole decades on a log scale (1-2-5 steps within two), 1-2-5 steps on a linear one.
  func layout(for values: [Double]) -> (range: ClosedRange<Double>, ticks: [Tick]) {
    let usable = self.usable(values)
    switch scale {
    case .logarithmic:
      let (low, high, first, last) = decades(for: usable)
      if last - first < 2 {
        // Less than two decades: 1-2-5 ticks in plain decimals, so the axis still has several labels.
        var ticks: [Tick] = []
        for k in (first - 1)...(last + 1) {
          for multiple in [1.0, 2, 5] {
            let value = multiple * pow(10, Double(k))
            guard value >= low * (1 - 1e-9) && value <= high * (1 + 1e-9) else { continue }
            ticks.append(Tick(value: value, label: Self.decimal(value, decimals: Swift.max(0, -k))))
          }
        }
        return (low...high, ticks)
      }
      let stride = Swift.max(1, (last - first + 7) / 8)
      // Decades from 0.01 to 10000 read as plain numbers, as the 1-2-5 ticks above do, so that panels of
      // one figure whose ranges differ by a decade label alike; wider ranges as powers of ten.
      let plain = !forcePowers && first >= -2 && last <= 4
      let ticks = Swift.stride(from: first, through: last, by: stride).map { k in
        plain
          ? Tick(value: pow(10, Double(k)), label: Self.decimal(pow(10, Double(k)), decimals: Swift.max(0, -k)))
          : Tick(value: pow(10, Double(k)), label: "10", exponent: Self.signed(k))
      }
      return (low...high, ticks)
    case .linear:
      if let categories {
        let ticks = categories.enumerated().map { Tick(value: Double($0.offset), label: $0.element) }
        return (-0.5...(Double(categories.count) - 0.5), ticks)
      }
      var low = fixed?.lowerBound ?? (usable.min() ?? 0)
      var high = fixed?.upperBound ?? (usable.max() ?? 1)
      if high <= low {
        let pad = low == 0 ? 1 : Swift.abs(low) * 0.1
        low -= pad
        high += pad
      }
      let step = Self.niceStep((high - low) / 5)
      if fixed == nil {
        low = floor(low / step + 1e-9) * step
        high = ceil(high / step - 1e-9) * step
      }
      let decimals = Swift.max(0, -Int(floor(log10(step) + 1e-9)))
      var ticks: [Tick] = []
      var k = ceil(low / step - 1e-9)
      while k * step <= high + 1e-9 * step {
        let value = k * step
        ticks.append(Tick(value: value, label: Self.decimal(value, decimals: decimals)))
        k += 1
      }
      return (low...high, ticks)
    }
  }

  /// The values the range is fitted to: `values` and `include`, finite, and positive on a log scale.
  func usable(_ values: [Double]) -> [Double] {
    (values + include).filter { Self.isPlaceable($0) && (scale == .linear || $0 > 0) }
  }

  /// Whether a value can be placed on an axis: finite, and 0 or between 10⁻³⁰⁰ and 10³⁰⁰ in size (beyond,
  /// a padded range or its decades would leave the doubles).
  static func isPlaceable(_ x: Double) -> Bool {
    x.isFinite && (x == 0 || (Swift.abs(x) >= 1e-300 && Swift.abs(x) <= 1e300))
  }

  /// The shown range of a log axis (4% of the span beyond the data on each side, so no marker sits on the
  /// frame) and the first and last whole decades in it.
  func decades(for usable: [Double]) -> (low: Double, high: Double, first: Int, last: Int) {
    var low = fixed?.lowerBound ?? (usable.min() ?? 1)
    var high = fixed?.upperBound ?? (usable.max() ?? 10)
    if fixed == nil {
      if high <= low { (low, high) = (low / 3, high * 3) }
      let pad = 0.04 * log10(high / low)
      (low, high) = (low / pow(10, pad), high * pow(10, pad))
      // Data spanning most of the doubles (10⁻³⁰⁰ to 10³⁰⁰) would pad past them: kept normal and finite, so
      // the decades are whole numbers.
      (low, high) = (Swift.max(low, Double.leastNormalMagnitude), Swift.min(high, Double.greatestFiniteMagnitude))
    }
    return (low, high, Int(ceil(log10(low) - 1e-9)), Int(floor(log10(high) + 1e-9)))
  }

  /// Whether `layout(for:)` labels this axis with powers of ten (a log axis over two decades or more that
  /// reaches below 0.01 or above 10⁴).
  func needsPowers(for values: [Double]) -> Bool {
    guard scale == .logarithmic else { return false }
    let (_, _, first, last) = decades(for: usable(values))
    return last - first >= 2 && !(first >= -2 && last <= 4)
  }

  /// Where `value` falls in `range`, as a fraction from 0 (lower end) to 1 (upper end).
  func fraction(_ value: Double, in range: ClosedRange<Double>) -> Double {
    switch scale {
    case .linear: return (value - range.lowerBound) / (range.upperBound - range.lowerBound)
    case .logarithmic:
      return (log10(value) - log10(range.lowerBound)) / (log10(range.upperBound) - log10(range.lowerBound))
    }
  }

  /// The 1-2-5 multiple of a power of ten nearest above `raw`.
  static func niceStep(_ raw: Double) -> Double {
    let magnitude = pow(10, floor(log10(raw)))
    for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= raw * (1 - 1e-9) { return multiple * magnitude }
    return 10 * magnitude
  }

  /// A number with a fixed count of decimals and a typographic minus sign.
  static func decimal(_ value: Double, decimals: Int) -> String {
    let text = String(format: "%.\(decimals)f", value == 0 ? 0 : value)
    return text.hasPrefix("-") ? "−" + text.dropFirst() : text
  }

  /// An integer with a typographic minus sign.
  static func signed(_ k: Int) -> String { k < 0 ? "−\(-k)" : "\(k)" }
}

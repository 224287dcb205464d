
/// How one series is drawn. Every style differs from the others in its dash pattern or marker shape as well
/// as its colour, so a figure stays readable in black and white.
struct PlotStyle {
  enum Marker { case circle, square, triangle, diamond, openCircle, cross, ring }

  var color: String
  /// nil draws no line; "" a solid one; otherwise an SVG dash array.
  var dash: String?
  var marker: Marker?
  var lineWidth: Double = 2
  var markerSize: Double = 4

  /// The Okabe–Ito palette, distinguishable with the common colour-vision deficiencies
  /// (Okabe & Ito 2008, "Color Universal Design").
  static let palette = ["#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
  static let dashes = ["", "8,4", "2,3", "10,3,2,3", "4,4"]
  static let markers: [Marker] = [.circle, .square, .triangle, .diamond, .openCircle, .cross]

  /// Measured points: markers joined by a thin line, the i-th colour and marker.
  static func measured(_ i: Int) -> PlotStyle {
    PlotStyle(color: cycled(palette, i), dash: "", marker: cycled(markers, i), lineWidth: 1)
  }

  /// Markers only, for scatter of many points.
  static func scatter(_ i: Int) -> PlotStyle {
    PlotStyle(color: cycled(palette, i), dash: nil, marker: cycled(markers, i), lineWidth: 1)
  }

  /// A theory or reference curve: a line, the i-th colour and dash pattern, no markers.
  static func theory(_ i: Int) -> PlotStyle {
    PlotStyle(color: cycled(palette, i), dash: cycled(dashes, i + 1), marker: nil, lineWidth: 2)
  }

  /// The i-th entry of a list taken round and round, for any integer i (a style index a table's rows
  /// computed may be negative).
  static func cycled<T>(_ list: [T], _ i: Int) -> T {
    list[(i % list.count + list.count) % list.count]
  }

  /// Draws this style's marker centred on `p`.
  func drawMarker(at p: (x: Double, y: Double), size r: Double, in svg: inout SVGDocument) {
    guard let marker else { return }
    switch marker {
    case .circle: svg.circle(centre: p, radius: r, stroke: nil, fill: color)
    case .openCircle: svg.circle(centre: p, radius: r, stroke: color, fill: "#ffffff", width: 1.5)
    case .ring: svg.circle(centre: p, radius: r, stroke: color, fill: "none", width: 2.5)
    case .square: svg.rect(x: p.x - r * 0.9, y: p.y - r * 0.9, width: 1.8 * r, height: 1.8 * r, fill: color)
    case .triangle:
      svg.polygon([(p.x, p.y - 1.2 * r), (p.x + 1.1 * r, p.y + 0.8 * r), (p.x - 1.1 * r, p.y + 0.8 * r)], stroke: nil, fill: color)
    case .diamond:
      svg.polygon([(p.x, p.y - 1.3 * r), (p.x + 1.1 * r, p.y), (p.x, p.y + 1.3 * r), (p.x - 1.1 * r, p.y)], stroke: nil, fill: color)
    case .cross:
      svg.line(from: (p.x - r, p.y - r), to: (p.x + r, p.y + r), stroke: color, width: 1.8)
      svg.line(from: (p.x - r, p.y + r), to: (p.x + r, p.y - r), stroke: color, width: 1.8)
    }
  }
}

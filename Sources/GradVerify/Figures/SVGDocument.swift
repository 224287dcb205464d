import Foundation

/// A minimal SVG 1.1 writer: elements in the order drawn, coordinates rounded to 0.01 px, text XML-escaped,
/// so the same figure always gives the same bytes.
struct SVGDocument {
  let width: Double
  let height: Double
  private var body: [String] = []
  private var definitions: [String] = []

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// The document's text, with a white background and one font stack for every label.
  var text: String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.number(width))\" "
    out += "height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" "
    out += "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
    if !definitions.isEmpty { out += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
    out += "<rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
    out += body.joined(separator: "\n")
    out += "\n</svg>\n"
    return out
  }

  /// A coordinate or length: at most two decimals, no trailing zeros, no "-0".
  static func number(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == 0 { return "0" }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// Text with the five XML special characters escaped.
  static func escape(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(c)
      }
    }
    return out
  }

  /// A rectangle clip region that later elements can name as `clip-path="url(#id)"`.
  mutating func defineClip(id: String, x: Double, y: Double, width: Double, height: Double) {
    definitions.append(
      "<clipPath id=\"\(id)\"><rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" "
        + "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\"/></clipPath>")
  }

  /// Opens a group (e.g. one clipped to a panel); close it with `endGroup`.
  mutating func beginGroup(clip: String? = nil) {
    body.append(clip.map { "<g clip-path=\"url(#\($0))\">" } ?? "<g>")
  }

  mutating func endGroup() { body.append("</g>") }

  mutating func rect(
    x: Double, y: Double, width: Double, height: Double, stroke: String? = nil, fill: String = "none",
    strokeWidth: Double = 1
  ) {
    var element = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" "
    element += "height=\"\(Self.number(height))\" fill=\"\(fill)\""
    if let stroke { element += " stroke=\"\(stroke)\" stroke-width=\"\(Self.number(strokeWidth))\"" }
    body.append(element + "/>")
  }

  mutating func line(
    from a: (x: Double, y: Double), to b: (x: Double, y: Double), stroke: String, width: Double = 1,
    dash: String? = nil
  ) {
    var element = "<line x1=\"\(Self.number(a.x))\" y1=\"\(Self.number(a.y))\" x2=\"\(Self.number(b.x))\" "
    element += "y2=\"\(Self.number(b.y))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\""
    if let dash { element += " stroke-dasharray=\"\(dash)\"" }
    body.append(element + "/>")
  }

  /// An open polyline through `points` (at least two).
  mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double, dash: String? = nil) {
    guard points.count >= 2 else { return }
    let coordinates = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
    var element = "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" "
    element += "stroke-width=\"\(Self.number(width))\" stroke-linejoin=\"round\""
    if let dash { element += " stroke-dasharray=\"\(dash)\"" }
    body.append(element + "/>")
  }

  /// A closed polygon through `points`.
  mutating func polygon(_ points: [(x: Double, y: Double)], stroke: String?, fill: String, width: Double = 1) {
    let coordinates = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
    var element = "<polygon points=\"\(coordinates)\" fill=\"\(fill)\""
    if let stroke { element += " stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"" }
    body.append(element + "/>")
  }

  mutating func circle(
    centre: (x: Double, y: Double), radius: Double, stroke: String?, fill: String, width: Double = 1
  ) {
    var element = "<circle cx=\"\(Self.number(centre.x))\" cy=\"\(Self.number(centre.y))\" r=\"\(Self.number(radius))\" "
    element += "fill=\"\(fill)\""
    if let stroke { element += " stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"" }
    body.append(element + "/>")
  }

  enum Anchor: String { case start, middle, end }

  /// A label; `superscript` is set raised and smaller after `text` (e.g. the exponent of 10⁻³).
  mutating func text(
    _ text: String, at p: (x: Double, y: Double), size: Double, anchor: Anchor = .start, bold: Bool = false,
    rotation: Double? = nil, superscript: String? = nil, color: String = "#000000"
  ) {
    var element = "<text x=\"\(Self.number(p.x))\" y=\"\(Self.number(p.y))\" font-size=\"\(Self.number(size))\" "
    element += "text-anchor=\"\(anchor.rawValue)\" fill=\"\(color)\""
    if bold { element += " font-weight=\"bold\"" }
    if let rotation {
      element += " transform=\"rotate(\(Self.number(rotation)) \(Self.number(p.x)) \(Self.number(p.y)))\""
    }
    element += ">" + Self.escape(text)
    if let superscript {
      element += "<tspan dy=\"\(Self.number(-0.4 * size))\" font-size=\"\(Self.number(0.75 * size))\">"
      element += Self.escape(superscript) + "</tspan>"
    }
    body.append(element + "</text>")
  }
}

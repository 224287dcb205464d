import Foundation

/// A point of a series, with an optional error bar from `low` to `high`.
struct PlotPoint {
  var x: Double
  var y: Double
  var low: Double? = nil
  var high: Double? = nil
}

/// A labelled series; a non-finite y (or, on a log axis, a non-positive one) breaks its line.
struct PlotSeries {
  /// The legend entry; nil keeps the series out of the legend.
  var label: String?
  var points: [PlotPoint]
  var style: PlotStyle
  /// Whether the axes' ranges are fitted to include this series (theory curves that plunge to zero do not).
  var affectsRange = true
  /// The label of the series in the same panel that this one bounds from above (a worst-case bound of a
  /// measured error), so that what a title says of the bound can be checked against what is drawn.
  var bounds: String? = nil
}

/// An arrow in data coordinates, e.g. a gradient drawn from the point it was taken at.
struct PlotArrow {
  var from: (x: Double, y: Double)
  var to: (x: Double, y: Double)
  var style: PlotStyle
}

/// One set of axes with its series, horizontal reference lines, arrows and notes.
struct PlotPanel {
  var title: String
  var x: PlotAxis
  var y: PlotAxis
  var series: [PlotSeries] = []
  /// Horizontal reference lines, each labelled at its right end.
  var rules: [(y: Double, label: String)] = []
  var arrows: [PlotArrow] = []
  /// Short lines of text in a corner of the axes.
  var notes: [String] = []
  /// The corner the notes sit in: top right unless the data run there.
  var notesCorner: Corner = .topRight

  enum Corner { case topLeft, topRight, bottomRight }
}

/// A figure: a title, panels in a grid, one legend for all of them, and a caption for the report.
struct PlotFigure {
  var title: String
  var panels: [PlotPanel]
  var columns: Int = 2
  var panelWidth: Double = 460
  var panelHeight: Double = 340
  /// What is plotted and how to read it: printed under the figure in REPORT.md, not drawn in the image,
  /// so that a slide shows the picture alone and the caption can be read aloud or set beside it.
  var caption: [String] = []

  static let margin = (left: 78.0, right: 24.0, top: 34.0, bottom: 58.0)
  static let titleHeight = 40.0
  static let font = (title: 18.0, label: 15.0, tick: 13.0, note: 13.0)

  /// The SVG text of the figure.
  func render() -> String {
    let rows = (panels.count + columns - 1) / columns
    let cellWidth = Self.margin.left + panelWidth + Self.margin.right
    let cellHeight = Self.margin.top + panelHeight + Self.margin.bottom
    let gridWidth = Double(min(columns, panels.count)) * cellWidth
    // Wide enough for the title (its width estimated from the font size), the panels centred in it: a
    // one-panel figure of a user's run keeps its title whole.
    let titleWidth: Double = Double(title.count) * 0.62 * Self.font.title + 40
    let textWidth: Double = titleWidth.rounded(.up)
    let width: Double = Swift.max(gridWidth, textWidth)
    let offset = ((width - gridWidth) / 2).rounded()
    let legend = legendEntries()
    let legendLines = legendRows(legend, width: width - 40)
    let legendHeight = Double(legendLines.count) * 24 + (legend.isEmpty ? 0 : 12)
    let height = Self.titleHeight + Double(rows) * cellHeight + legendHeight
    var svg = SVGDocument(width: width, height: height)
    svg.text(title, at: (width / 2, 26), size: Self.font.title, anchor: .middle, bold: true)
    // One labelling per axis across the panels: powers of ten everywhere if any panel needs them.
    let values = panels.map(axisValues)
    let xPowers = zip(panels, values).contains { $0.x.needsPowers(for: $1.xs) }
    let yPowers = zip(panels, values).contains { $0.y.needsPowers(for: $1.ys) }
    for (i, var panel) in panels.enumerated() {
      panel.x.forcePowers = xPowers
      panel.y.forcePowers = yPowers
      let left = offset + Double(i % columns) * cellWidth + Self.margin.left
      let top = Self.titleHeight + Double(i / columns) * cellHeight + Self.margin.top
      draw(panel, values: values[i], id: "panel\(i)", left: left, top: top, into: &svg)
    }
    var y = Self.titleHeight + Double(rows) * cellHeight + 14
    for line in legendLines {
      var x = 20.0
      for entry in line {
        drawLegendSample(entry.style, at: (x, y), into: &svg)
        svg.text(entry.label, at: (x + 40, y + 5), size: Self.font.tick)
        x += Self.legendWidth(entry.label)
      }
      y += 24
    }
    return svg.text
  }

  // MARK: - Panels

  /// Where the figure does not show what it says: each marked point or reference line outside its panel's
  /// axes (clipped), an axis whose unit is "(1)", each measured point above the bound drawn for it, and,
  /// when the title or caption says the errors "never" pass their bound, each measured point drawn with no
  /// bound at its x. Empty for a
  /// figure true to its words; the tests require that of every committed figure.
  func problems() -> [String] {
    var found: [String] = []
    let words = ([title] + caption).joined(separator: " ").lowercased()
    let promisesEverywhere = words.contains("never") && words.contains("bound")
    for panel in panels {
      let values = axisValues(panel)
      let (xRange, _) = panel.x.layout(for: values.xs)
      let (yRange, _) = panel.y.layout(for: values.ys)
      func drawable(_ v: Double, _ axis: PlotAxis) -> Bool { v.isFinite && (axis.scale == .linear || v > 0) }
      // Marked points (lines are cut at the axes by design) that the axes can show at all: x ≤ 0 on a log
      // axis is left out, as the axis labels say.
      for series in panel.series where series.style.marker != nil {
        for p in series.points where drawable(p.x, panel.x) && drawable(p.y, panel.y) {
          guard !(xRange.contains(p.x) && yRange.contains(p.y)) else { continue }
          found.append("\(panel.title): '\(series.label ?? "unlabelled")' point (\(p.x), \(p.y)) outside the axes")
        }
      }
      for label in [panel.x.label, panel.y.label] where label.hasSuffix("(1)") {
        found.append("\(panel.title): axis '\(label)' gives its unit as (1): a ratio or count needs the unit in words or none")
      }
      for rule in panel.rules where drawable(rule.y, panel.y) && !yRange.contains(rule.y) {
        found.append("\(panel.title): line '\(rule.label)' at \(rule.y) outside the axes")
      }
      for bound in panel.series {
        guard let label = bound.bounds, let measured = panel.series.first(where: { $0.label == label }) else { continue }
        for p in measured.points where p.y.isFinite && p.y > 0 {
          let drawn = bound.points.first { $0.x == p.x && $0.y.isFinite }
          if let drawn, drawn.y < p.y * (1 - 1e-12) {
            found.append("\(panel.title): '\(label)' at x = \(p.x) is \(p.y), above its bound \(drawn.y)")
          } else if drawn == nil && promisesEverywhere {
            found.append("\(panel.title): '\(label)' at x = \(p.x) has no bound drawn, while the words say it never passes its bound")
          }
        }
      }
    }
    return found
  }

  /// The values each axis of `panel` must show: its series' points and error bars, its arrows and rules.
  private func axisValues(_ panel: PlotPanel) -> (xs: [Double], ys: [Double]) {
    var xs: [Double] = [], ys: [Double] = []
    for series in panel.series where series.affectsRange {
      // Points a log axis cannot show (x ≤ 0) do not stretch the other axis either.
      for p in series.points where p.y.isFinite && p.x.isFinite && (panel.x.scale == .linear || p.x > 0) {
        xs.append(p.x)
        ys.append(p.y)
        if let low = p.low { ys.append(low) }
        if let high = p.high { ys.append(high) }
      }
    }
    for arrow in panel.arrows {
      xs += [arrow.from.x, arrow.to.x]
      ys += [arrow.from.y, arrow.to.y]
    }
    ys += panel.rules.map(\.y)
    return (xs, ys)
  }

  /// Draws `panel` with its axes fitted to `values` (its `axisValues`).
  private func draw(
    _ panel: PlotPanel, values: (xs: [Double], ys: [Double]), id: String, left: Double, top: Double,
    into svg: inout SVGDocument
  ) {
    let width = panelWidth, height = panelHeight
    let (xs, ys) = values
    let (xRange, xTicks) = panel.x.layout(for: xs)
    let (yRange, yTicks) = panel.y.layout(for: ys)
    func position(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
      (left + panel.x.fraction(x, in: xRange) * width, top + (1 - panel.y.fraction(y, in: yRange)) * height)
    }
    func shown(_ value: Double, on axis: PlotAxis) -> Bool {
      value.isFinite && (axis.scale == .linear || value > 0)
    }

    // A long title shrinks to the width of its cell (bold characters are about 0.62 of the font size wide).
    let titleRoom = width + Self.margin.left + Self.margin.right - 20
    let titleSize = Swift.min(Self.font.label, (titleRoom / (0.62 * Double(panel.title.count))).rounded(.down))
    svg.text(panel.title, at: (left + width / 2, top - 12), size: titleSize, anchor: .middle, bold: true)
    for tick in xTicks {
      let x = position(tick.value, yRange.lowerBound).x
      svg.line(from: (x, top), to: (x, top + height), stroke: "#e3e3e3")
      svg.line(from: (x, top + height), to: (x, top + height + 5), stroke: "#000000")
      svg.text(tick.label, at: (x, top + height + 21), size: Self.font.tick, anchor: .middle, superscript: tick.exponent)
    }
    for tick in yTicks {
      let y = position(xRange.lowerBound, tick.value).y
      svg.line(from: (left, y), to: (left + width, y), stroke: "#e3e3e3")
      svg.line(from: (left - 5, y), to: (left, y), stroke: "#000000")
      let exponentWidth = Double(tick.exponent?.count ?? 0) * 0.75 * 0.62 * Self.font.tick
      svg.text(tick.label, at: (left - 8 - exponentWidth, y + 5), size: Self.font.tick, anchor: .end)
      if let exponent = tick.exponent {
        svg.text(exponent, at: (left - 8, y - 1), size: 0.75 * Self.font.tick, anchor: .end)
      }
    }
    svg.text(panel.x.label, at: (left + width / 2, top + height + 46), size: Self.font.label, anchor: .middle)
    svg.text(panel.y.label, at: (left - 58, top + height / 2), size: Self.font.label, anchor: .middle, rotation: -90)

    svg.defineClip(id: id, x: left, y: top, width: width, height: height)
    svg.beginGroup(clip: id)
    for rule in panel.rules where shown(rule.y, on: panel.y) {
      let y = position(xRange.lowerBound, rule.y).y
      svg.line(from: (left, y), to: (left + width, y), stroke: "#555555", width: 1.2, dash: "6,4")
      svg.text(rule.label, at: (left + width - 6, y - 5), size: Self.font.tick, anchor: .end, color: "#333333")
    }
    for series in panel.series {
      var segment: [(x: Double, y: Double)] = []
      for p in series.points {
        if shown(p.x, on: panel.x) && shown(p.y, on: panel.y) {
          segment.append(position(p.x, p.y))
        } else {
          drawLine(segment, series.style, into: &svg)
          segment = []
        }
      }
      drawLine(segment, series.style, into: &svg)
      for p in series.points where shown(p.x, on: panel.x) && shown(p.y, on: panel.y) {
        if let low = p.low, let high = p.high {
          let floor = panel.y.scale == .linear ? low : Swift.max(low, yRange.lowerBound)
          let a = position(p.x, floor), b = position(p.x, high)
          svg.line(from: a, to: b, stroke: series.style.color, width: 1.2)
          svg.line(from: (a.x - 3, a.y), to: (a.x + 3, a.y), stroke: series.style.color, width: 1.2)
          svg.line(from: (b.x - 3, b.y), to: (b.x + 3, b.y), stroke: series.style.color, width: 1.2)
        }
        series.style.drawMarker(at: position(p.x, p.y), size: series.style.markerSize, in: &svg)
      }
    }
    for arrow in panel.arrows {
      drawArrow(from: position(arrow.from.x, arrow.from.y), to: position(arrow.to.x, arrow.to.y), arrow.style, into: &svg)
    }
    svg.endGroup()
    if !panel.notes.isEmpty {
      let noteWidth = panel.notes.map { Double($0.count) * 0.58 * Self.font.note }.max() ?? 0
      let noteHeight = Double(panel.notes.count) * 17 + 6
      let boxLeft = panel.notesCorner == .topLeft ? left + 6 : left + width - noteWidth - 14
      let boxTop = panel.notesCorner == .bottomRight ? top + height - noteHeight - 6 : top + 6
      svg.rect(x: boxLeft, y: boxTop, width: noteWidth + 8, height: noteHeight,
               stroke: "#999999", fill: "#ffffff", strokeWidth: 0.8)
      for (k, note) in panel.notes.enumerated() {
        svg.text(note, at: (boxLeft + noteWidth + 4, boxTop + 16 + 17 * Double(k)), size: Self.font.note, anchor: .end)
      }
    }
    svg.rect(x: left, y: top, width: width, height: height, stroke: "#000000", strokeWidth: 1.2)
  }

  private func drawLine(_ points: [(x: Double, y: Double)], _ style: PlotStyle, into svg: inout SVGDocument) {
    guard let dash = style.dash else { return }
    svg.polyline(points, stroke: style.color, width: style.lineWidth, dash: dash.isEmpty ? nil : dash)
  }

  private func drawArrow(
    from a: (x: Double, y: Double), to b: (x: Double, y: Double), _ style: PlotStyle, into svg: inout SVGDocument
  ) {
    let dx = b.x - a.x, dy = b.y - a.y
    let length = (dx * dx + dy * dy).squareRoot()
    guard length > 0.5 else { return }
    let ux = dx / length, uy = dy / length
    let head = Swift.min(4 * style.lineWidth + 6, 0.45 * length)
    let base = (x: b.x - ux * head, y: b.y - uy * head)
    svg.line(from: a, to: base, stroke: style.color, width: style.lineWidth, dash: style.dash.flatMap { $0.isEmpty ? nil : $0 })
    svg.polygon(
      [b, (base.x - uy * head * 0.45, base.y + ux * head * 0.45), (base.x + uy * head * 0.45, base.y - ux * head * 0.45)],
      stroke: nil, fill: style.color)
  }

  // MARK: - Legend

  private func legendEntries() -> [(label: String, style: PlotStyle)] {
    var seen = Set<String>()
    var entries: [(label: String, style: PlotStyle)] = []
    for panel in panels {
      for series in panel.series {
        if let label = series.label, seen.insert(label).inserted { entries.append((label, series.style)) }
      }
    }
    return entries
  }

  private static func legendWidth(_ label: String) -> Double { 56 + Double(label.count) * 0.6 * font.tick }

  private func legendRows(_ entries: [(label: String, style: PlotStyle)], width: Double) -> [[(label: String, style: PlotStyle)]] {
    var rows: [[(label: String, style: PlotStyle)]] = []
    var used = 0.0
    for entry in entries {
      let w = Self.legendWidth(entry.label)
      if rows.isEmpty || used + w > width {
        rows.append([])
        used = 0
      }
      rows[rows.count - 1].append(entry)
      used += w
    }
    return rows
  }

  private func drawLegendSample(_ style: PlotStyle, at p: (x: Double, y: Double), into svg: inout SVGDocument) {
    if let dash = style.dash {
      svg.line(from: (p.x, p.y), to: (p.x + 32, p.y), stroke: style.color, width: style.lineWidth, dash: dash.isEmpty ? nil : dash)
    }
    style.drawMarker(at: (p.x + 16, p.y), size: Swift.max(style.markerSize, 4), in: &svg)
  }
}


/// Contour lines of a function sampled on a grid, by marching squares with linear interpolation along the
/// cell edges (Lorensen & Cline 1987, doi:10.1145/37402.37422, in its two-dimensional form).
package enum ContourLines {
  /// The segments where the sampled function crosses `level`.
  /// - Parameters:
  ///   - values: row-major samples, `values[j * xs.count + i]` at (xs[i], ys[j]).
  ///   - xs, ys: the grid coordinates, increasing.
  /// - Returns: segments as pairs of points in the grid's coordinates.
  /// - Complexity: O(xs.count · ys.count).
  public static func segments(
    values: [Double], xs: [Double], ys: [Double], level: Double
  ) -> [((x: Double, y: Double), (x: Double, y: Double))] {
    precondition(values.count == xs.count * ys.count, "grid has \(xs.count)×\(ys.count) points, values \(values.count)")
    var out: [((x: Double, y: Double), (x: Double, y: Double))] = []
    let width = xs.count
    func crossing(_ p: (x: Double, y: Double, v: Double), _ q: (x: Double, y: Double, v: Double)) -> (x: Double, y: Double) {
      // Both cells sharing an edge compute its crossing from the same ordered pair, so they agree to the bit.
      let (a, b) = (p.x, p.y) < (q.x, q.y) ? (p, q) : (q, p)
      let t = (level - a.v) / (b.v - a.v)
      return (a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
    }
    for j in 0..<(ys.count - 1) {
      for i in 0..<(width - 1) {
        // Corners counter-clockwise from the lower left; edges k join corner k to corner k+1.
        let corners = [
          (x: xs[i], y: ys[j], v: values[j * width + i]),
          (x: xs[i + 1], y: ys[j], v: values[j * width + i + 1]),
          (x: xs[i + 1], y: ys[j + 1], v: values[(j + 1) * width + i + 1]),
          (x: xs[i], y: ys[j + 1], v: values[(j + 1) * width + i]),
        ]
        var points: [(x: Double, y: Double)] = []
        for k in 0..<4 {
          let a = corners[k], b = corners[(k + 1) % 4]
          if (a.v < level) != (b.v < level) { points.append(crossing(a, b)) }
        }
        if points.count == 2 {
          out.append((points[0], points[1]))
        } else if points.count == 4 {
          // A saddle: when the centre lies on the side of corners 0 and 2, they are joined through it and the
          // lines cut off corners 1 and 3; otherwise they cut off corners 0 and 2.
          let centre = corners.map(\.v).reduce(0, +) / 4
          if (centre < level) == (corners[0].v < level) {
            out.append((points[0], points[1]))
            out.append((points[2], points[3]))
          } else {
            out.append((points[3], points[0]))
            out.append((points[1], points[2]))
          }
        }
      }
    }
    return out
  }

  /// The contour at `level` as polylines: segments chained end to end where they share a crossing point.
  public static func polylines(values: [Double], xs: [Double], ys: [Double], level: Double) -> [[(x: Double, y: Double)]] {
    struct Key: Hashable {
      let x: UInt64, y: UInt64
      init(_ p: (x: Double, y: Double)) { (x, y) = (p.x.bitPattern, p.y.bitPattern) }
    }
    let pieces = segments(values: values, xs: xs, ys: ys, level: level)
    var byEnd: [Key: [Int]] = [:]
    for (k, piece) in pieces.enumerated() {
      byEnd[Key(piece.0), default: []].append(k)
      byEnd[Key(piece.1), default: []].append(k)
    }
    var used = [Bool](repeating: false, count: pieces.count)
    var lines: [[(x: Double, y: Double)]] = []
    for start in pieces.indices where !used[start] {
      used[start] = true
      var line = [pieces[start].0, pieces[start].1]
      // Grow forward from the last point, then backward from the first.
      for direction in 0..<2 {
        while let end = direction == 0 ? line.last : line.first,
          let next = byEnd[Key(end)]?.first(where: { !used[$0] })
        {
          used[next] = true
          let piece = pieces[next]
          let other = Key(piece.0) == Key(end) ? piece.1 : piece.0
          if direction == 0 { line.append(other) } else { line.insert(other, at: 0) }
        }
      }
      lines.append(line)
    }
    return lines
  }
}

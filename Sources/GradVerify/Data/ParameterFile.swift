import Foundation

/// Reads θ from a text file: one number per line, in the model's layout; blank lines are skipped.
package enum ParameterFile {
  public static func load(path: String, expectedCount p: Int, layout: String) throws(InputError) -> [Double] {
    let data: Data
    do {
      data = try InputFile.read(path)
    } catch {
      throw error.naming(flag: "--params")
    }
    return try parse(data, path: path, expectedCount: p, layout: layout)
  }

  /// Parses the file's bytes; errors name the file and line.
  public static func parse(_ data: Data, path: String, expectedCount p: Int, layout: String) throws(InputError) -> [Double] {
    guard let text = String(data: data, encoding: .utf8) else { throw InputError(file: path, "not valid UTF-8 text") }
    var theta: [Double] = []
    for (index, raw) in text.textLines.enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty { continue }
      guard let value = Double(line) else { throw InputError("\(path):\(index + 1): \(InputError.quote(line)) is not a number") }
      guard value.isFinite else { throw InputError("\(path):\(index + 1): \(InputError.quote(line)) is not finite") }
      theta.append(value)
    }
    guard theta.count == p else {
      throw InputError(file: path, "has \(theta.count) numbers; the model needs P = \(p) in the layout \(layout)")
    }
    return theta
  }
}

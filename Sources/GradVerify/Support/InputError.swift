/// A problem with what the user gave us (a file, a flag, a spec), reported as one line and exit code 64.
///
/// The message names the place: `file:line: …`, `file: key 'cases[0].model': …` or `--flag: …`.
/// Control characters and line breaks that arrive inside it (from a cell, a file name) are escaped, so the
/// message stays one line whatever the input held.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
  public var message: String
  public init(_ message: String) { self.message = Self.oneLine(message) }
  public var description: String { message }

  /// Text from the user's input, quoted for a message: at most `limit` characters, the rest elided.
  public static func quote(_ text: some StringProtocol, limit: Int = 60) -> String {
    text.count <= limit ? "'\(text)'" : "'\(text.prefix(limit))…' (\(text.utf8.count) bytes)"
  }

  /// The message with control, line- and paragraph-separator scalars written as Swift escapes (\r, \u{85}).
  static func oneLine(_ message: String) -> String {
    func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
      switch scalar.properties.generalCategory {
      case .control, .lineSeparator, .paragraphSeparator, .format: true
      default: false
      }
    }
    guard message.unicodeScalars.contains(where: breaksLine) else { return message }
    var escaped = String.UnicodeScalarView()
    for scalar in message.unicodeScalars {
      if breaksLine(scalar) {
        escaped.append(contentsOf: scalar.escaped(asASCII: true).unicodeScalars)
      } else {
        escaped.append(scalar)
      }
    }
    return String(escaped)
  }
}

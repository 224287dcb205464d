/// A problem with what the user gave us (a file, a flag, a spec), reported as one line and exit code 64.
///
/// The error names its place when it has one: a file (with a line, or a spec key) or a command-line flag;
/// `message` is the one line printed: `file:line: …`, `file: key 'cases[0].model': …` or `command: --flag …`.
/// Control characters and line breaks that arrive inside it (from a cell, a file name) are escaped, so the
/// message stays one line whatever the input held.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
  /// Where the problem is.
  public enum Place: Equatable, Sendable {
    /// A file, with the line (1-based) or the spec key ("cases[0].data.file") where known.
    case file(path: String, line: Int?, key: String?)
    /// A flag of a command ("--out"), and the command when known.
    case flag(name: String, command: String?)
  }

  /// Where, when known (nil: a problem of the input as a whole).
  public var place: Place?
  /// What is wrong, without the place.
  public var reason: String
  /// The one line printed: the place, then the reason.
  public var message: String

  /// A problem without a structured place (the message names what it concerns).
  public init(_ message: String) {
    place = nil
    reason = Self.oneLine(message)
    self.message = reason
  }

  /// A problem in a file, at a line or a spec key.
  public init(file: String, line: Int? = nil, key: String? = nil, _ reason: String) {
    place = .file(path: file, line: line, key: key)
    self.reason = Self.oneLine(reason)
    let at = line.map { ":\($0)" } ?? ""
    let within = key.map { " key '\($0)':" } ?? ""
    message = Self.oneLine("\(file)\(at):\(within) ") + self.reason
  }

  /// A problem with a flag: "command: --flag reason" (the reason follows the flag's name).
  public init(flag: String, command: String? = nil, _ reason: String) {
    place = .flag(name: flag, command: command)
    self.reason = Self.oneLine(reason)
    message = Self.oneLine((command.map { "\($0): " } ?? "") + flag) + " " + self.reason
  }

  /// The same problem attributed to the flag that named its file: "--out DIR: is not a folder".
  public func naming(flag: String, command: String? = nil) -> InputError {
    InputError(flag: flag, command: command, message)
  }

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

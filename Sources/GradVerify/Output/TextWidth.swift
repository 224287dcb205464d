import Foundation

/// The width that text for people is laid out to, and the wrapping of a line to it.
package enum TextWidth {
  /// The narrowest width honoured: below it the layouts would be all indentation.
  package static let minimum = 40

  /// COLUMNS when it is set to a whole number (at least `minimum`), else the width of the terminal that
  /// `descriptor` writes to, else nil: a pipe or a file gets whole lines, one row per line.
  package static func current(descriptor: Int32 = STDOUT_FILENO) -> Int? {
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text) {
      return Swift.max(minimum, columns)
    }
    guard isatty(descriptor) == 1 else { return nil }
    var size = winsize()
    guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Swift.max(minimum, Int(size.ws_col))
  }

  /// The columns `text` takes on a terminal: one per character (the harness prints no wide characters).
  package static func columns(_ text: some StringProtocol) -> Int { text.count }

  /// `text` as lines of at most `width` columns: the first as it starts, the others after `indent`
  /// spaces; broken at spaces, and inside a word only when the word alone is longer than a line.
  package static func wrap(_ text: String, width: Int, indent: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    func room() -> Int { Swift.max(1, width - (lines.isEmpty ? 0 : indent)) }
    for piece in text.split(separator: " ") {
      var word = piece
      if !line.isEmpty && columns(line) + 1 + columns(word) <= room() {
        line += " " + word
        continue
      }
      if !line.isEmpty {
        lines.append(line)
        line = ""
      }
      while columns(word) > room() {
        lines.append(String(word.prefix(room())))
        word = word.dropFirst(room())
      }
      line = String(word)
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    let lead = String(repeating: " ", count: indent)
    return lines.enumerated().map { $0.offset == 0 ? $0.element : lead + $0.element }
  }
}

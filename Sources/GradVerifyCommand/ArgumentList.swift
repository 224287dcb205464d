import GradVerify

/// The arguments of one command, consumed option by option; whatever is left over is an error.
struct ArgumentList {
  let command: String
  private var arguments: [String]
  /// The options the command declares (`CommandOptions`, its `--help`); main takes --help and --quiet first.
  private let declared: Set<String>
  /// Every option name the command asked for: exactly the declared ones (`positionals` checks).
  private var known: Set<String> = []

  init(command: String, declared: [Option], _ arguments: [String]) {
    self.command = command
    self.declared = Set(declared.map(\.flag))
    self.arguments = arguments
  }

  /// The arguments not consumed yet, as given.
  var remaining: [String] { arguments }

  /// Whether the option appears, alone or as --name=value (without consuming it).
  mutating func contains(_ name: String) -> Bool {
    known.insert(name)
    return arguments.contains { $0 == name || $0.hasPrefix(name + "=") }
  }

  /// True when the bare flag is present (and removes it).
  mutating func flag(_ name: String) throws(InputError) -> Bool {
    known.insert(name)
    let hits = arguments.filter { $0 == name }
    if arguments.contains(where: { $0.hasPrefix(name + "=") }) {
      throw InputError(flag: name, command: command, "takes no value")
    }
    guard hits.count <= 1 else { throw InputError(flag: name, command: command, "given more than once") }
    arguments.removeAll { $0 == name }
    return hits.count == 1
  }

  /// The value of `--name VALUE` or `--name=VALUE`, if given.
  mutating func value(_ name: String) throws(InputError) -> String? {
    known.insert(name)
    var found: String?
    var i = 0
    while i < arguments.count {
      let argument = arguments[i]
      var value: String?
      if argument == name {
        guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
          throw InputError(flag: name, command: command, "needs a value")
        }
        value = arguments[i + 1]
        arguments.removeSubrange(i...(i + 1))
      } else if argument.hasPrefix(name + "=") {
        value = String(argument.dropFirst(name.count + 1))
        arguments.remove(at: i)
      } else {
        i += 1
        continue
      }
      guard found == nil else { throw InputError(flag: name, command: command, "given more than once") }
      found = value
    }
    if let found, found.isEmpty { throw InputError(flag: name, command: command, "needs a non-empty value") }
    return found
  }

  /// A comma-separated option, each item read by `item` (nil refuses it, with the message `refused` gives
  /// for that item); nil when the option is absent.
  mutating func list<T>(
    _ name: String, item: (Substring) -> T?, refused: (Substring) -> String
  ) throws(InputError) -> [T]? {
    guard let text = try value(name) else { return nil }
    var items: [T] = []
    for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard let value = item(piece) else { throw InputError("\(command): \(refused(piece))") }
      items.append(value)
    }
    return items
  }

  /// An integer option within `range`.
  mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(InputError) -> Int? {
    guard let text = try value(name) else { return nil }
    guard let n = Int(text), range.contains(n) else {
      throw InputError(flag: name, command: command, "must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
    }
    return n
  }

  /// A seed: an unsigned 64-bit integer.
  mutating func seed(_ name: String) throws(InputError) -> UInt64? {
    guard let text = try value(name) else { return nil }
    guard let n = UInt64(text) else {
      throw InputError(flag: name, command: command, "must be an integer from 0 to \(UInt64.max), got '\(text)'")
    }
    return n
  }

  /// A finite number option.
  mutating func number(_ name: String) throws(InputError) -> Double? {
    guard let text = try value(name) else { return nil }
    guard let x = Double(text), x.isFinite else { throw InputError(flag: name, command: command, "must be a finite number, got '\(text)'") }
    return x
  }

  /// `--threads T`, default: every core.
  mutating func threads() throws(InputError) -> Int {
    try integer("--threads", in: 1...4096) ?? availableCores
  }

  /// The remaining positional arguments; any leftover option is an error.
  /// Called once every option is read, so it also checks that the command read exactly the options its
  /// help declares: a difference is the harness's bug, named as such.
  mutating func positionals(expected: ClosedRange<Int>, usage: String) throws(InputError) -> [String] {
    guard known == declared else {
      let undeclared = known.subtracting(declared).sorted(), unread = declared.subtracting(known).sorted()
      throw InputError(
        "\(command): internal error, please report: options read but not in --help \(undeclared), in --help but never read \(unread)")
    }
    if let option = arguments.first(where: { $0.hasPrefix("-") && $0 != "-" }) {
      let name = String(option.prefix { $0 != "=" })
      let hint = Self.nearest(to: name, among: known.union(["--help", "--quiet"])).map { "; did you mean '\($0)'?" } ?? ""
      throw InputError("\(command): unknown option '\(option)'\(hint) (see 'gradverify \(command) --help')")
    }
    guard expected.contains(arguments.count) else {
      throw InputError("\(command): expected \(usage), got \(arguments.isEmpty ? "nothing" : "'\(arguments.joined(separator: " "))'")")
    }
    return arguments
  }

  /// The known option within edit distance max(1, ⌊length/5⌋) of `name` (the closest; ties by name), or nil:
  /// "--standardise" → "--standardize", "--sampel" → "--sample"… but no guess for a name far from all.
  static func nearest(to name: String, among known: Set<String>) -> String? {
    let limit = Swift.max(1, name.count / 5)
    return known.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= limit }
      .min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
  }

  /// Levenshtein distance (insertions, deletions, substitutions) by the two-row dynamic programme.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let (x, y) = (Array(a), Array(b))
    var previous = Array(0...y.count)
    for i in 1...Swift.max(1, x.count) where !x.isEmpty {
      var current = [i] + [Int](repeating: 0, count: y.count)
      for j in 1...Swift.max(1, y.count) where !y.isEmpty {
        current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return x.isEmpty ? y.count : previous[y.count]
  }
}

/// A problem with what the user gave us (a file, a flag, a spec), reported as one line and exit code 64.
///
/// The message names the place: `file:line: …`, `file: key 'cases[0].model': …` or `--flag: …`.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

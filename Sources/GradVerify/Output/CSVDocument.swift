import Foundation

/// A table to write as CSV: UTF-8, one header row, "\n" line ends, rows in the order given,
/// doubles by Swift's shortest round-trip `description`, an empty cell for "not applicable".
public struct CSVDocument: Sendable, Equatable {
  public var header: [String]
  public var rows: [[String]] = []

  public init(header: [String]) { self.header = header }

  /// Appends a row; its cells must match the header.
  package mutating func append(_ cells: [CSVCell]) {
    precondition(cells.count == header.count, "row has \(cells.count) cells, header \(header.count)")
    rows.append(cells.map(\.text))
  }

  /// The file's bytes as text.
  public var text: String {
    var out = ""
    for line in [header] + rows {
      out += line.map(Self.escape).joined(separator: ",")
      out += "\n"
    }
    return out
  }

  static func escape(_ cell: String) -> String {
    guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
    return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

/// One cell's text, written the same way everywhere.
package struct CSVCell: Sendable, ExpressibleByStringLiteral {
  public var text: String
  public init(stringLiteral value: String) { text = value }
  public init(_ text: String) { self.text = text }
  /// Shortest round-trip decimal; empty when not finite (not applicable).
  public init(_ value: Double) { text = value.isFinite ? value.description : "" }
  public init(_ value: Int) { text = String(value) }
  public init(_ value: Bool) { text = value ? "true" : "false" }
  /// An optional number: empty when absent.
  public init(_ value: Double?) { self.init(value ?? .nan) }
  public init(_ value: Int?) { text = value.map(String.init) ?? "" }
}

/// Writes files atomically: a temporary file in the same folder, then a rename, so a killed run
/// never leaves a half-written file. What is not a regular file is never replaced: "-" is standard output,
/// a FIFO or a character device (a terminal, /dev/stdout's target, /dev/null) is written into, a symbolic
/// link is followed (its target replaced, the link kept), anything else (a socket, a block device) refused.
package enum AtomicFile {
  /// Where `path` leads: standard output, a stream to write into, or a regular file (perhaps new) to replace.
  enum Destination: Equatable {
    case standardOutput
    case stream(String)
    case file(String)
  }

  static func destination(of path: String) throws(InputError) -> Destination {
    if path == "-" { return .standardOutput }
    var info = stat()
    var target = path
    if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
      target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
    guard stat(target, &info) == 0 else { return .file(target) }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file(target)
    case S_IFIFO, S_IFCHR: return .stream(target)
    case S_IFDIR: throw InputError(file: path, "is a folder")
    default: throw InputError(file: path, "exists and is not a regular file, a FIFO or a device; it is not replaced")
    }
  }

  public static func write(_ text: String, to path: String) throws(InputError) {
    switch try destination(of: path) {
    case .standardOutput:
      FileHandle.standardOutput.write(Data(text.utf8))
    case .stream(let target):
      guard let handle = FileHandle(forWritingAtPath: target) else {
        throw InputError(file: path, "cannot open for writing (\(String(cString: strerror(errno))))")
      }
      defer { try? handle.close() }
      do {
        try handle.write(contentsOf: Data(text.utf8))
      } catch {
        throw InputError(file: path, "cannot write (\(error.localizedDescription))")
      }
    case .file(let target):
      try replace(target, with: text)
    }
  }

  private static func replace(_ path: String, with text: String) throws(InputError) {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    do {
      try Data(text.utf8).write(to: temporary)
      // rename(2) replaces the target atomically: readers see the old file or the new one, never a mix.
      guard rename(temporary.path, path) == 0 else {
        throw InputError(file: path, "cannot write (\(String(cString: strerror(errno))))")
      }
    } catch let error as InputError {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw InputError(file: path, "cannot write (\(error.localizedDescription))")
    }
  }

  /// Fails now, before any work, if `folder` cannot receive files (creating it if needed).
  public static func prepareFolder(_ folder: String) throws(InputError) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw InputError(file: folder, "exists and is not a folder") }
    } else {
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      } catch {
        throw InputError(file: folder, "cannot create folder (\(error.localizedDescription))")
      }
    }
    guard FileManager.default.isWritableFile(atPath: folder) else { throw InputError(file: folder, "folder is not writable") }
  }

  /// Fails now if a file cannot be written at `path` (its folder must exist and be writable; standard
  /// output, a FIFO and a device always can).
  public static func checkWritable(_ path: String) throws(InputError) {
    guard case .file(let path) = try destination(of: path) else { return }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw InputError(file: path, "folder \(folder) does not exist")
    }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw InputError(file: path, "is a folder")
    }
    guard FileManager.default.isWritableFile(atPath: folder) else {
      throw InputError(file: path, "folder \(folder) is not writable")
    }
  }
}

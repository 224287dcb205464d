import Foundation

/// The git state of the sources, for the provenance of results/: the last commit that touched Sources/,
/// Experiments/ or Package.swift, and whether they have uncommitted changes. Outside a repository, or
/// without git, the commit is "unknown" and the sources count as changed.
struct SourceState {
  var commit = "unknown"
  var dirty = true

  static func current() -> SourceState {
    let paths = ["--", "Sources", "Experiments", "Package.swift"]
    let commit = git(["log", "-1", "--format=%H"] + paths) ?? ""
    let status = git(["status", "--porcelain"] + paths)
    return SourceState(commit: commit.isEmpty ? "unknown" : commit, dirty: status.map { !$0.isEmpty } ?? true)
  }

  static func git(_ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

import Foundation

/// A folder of outputs (`--out DIR`, `--report DIR`) written all at once or not at all.
///
/// `check` runs before any work and creates nothing: the folder, if it exists, must be a writable folder;
/// if not, its nearest existing ancestor must be. `write` stages every file in a hidden sibling folder first
/// (a full disk or any other failure stops there, and the stage is removed, leaving the target as it was),
/// then moves them in by rename(2), which needs no space: the whole stage when the folder did not exist,
/// otherwise file by file, each replaced atomically.
package enum OutputFolder {
  public static func check(_ folder: String) throws(InputError) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw InputError(file: folder, "exists and is not a folder") }
      guard FileManager.default.isWritableFile(atPath: folder) else { throw InputError(file: folder, "folder is not writable") }
      return
    }
    var ancestor = URL(fileURLWithPath: folder).standardizedFileURL.deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
      ancestor = ancestor.deletingLastPathComponent()
    }
    guard isDirectory.boolValue else { throw InputError(file: folder, "cannot be created: \(ancestor.path) is not a folder") }
    guard FileManager.default.isWritableFile(atPath: ancestor.path) else {
      throw InputError(file: folder, "cannot be created: \(ancestor.path) is not writable")
    }
  }

  public static func write(_ files: [(name: String, text: String)], to folder: String) throws(InputError) {
    try check(folder)
    let target = URL(fileURLWithPath: folder).standardizedFileURL
    let parent = target.deletingLastPathComponent()
    let stage = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
    let manager = FileManager.default
    do {
      try manager.createDirectory(at: parent, withIntermediateDirectories: true)
      try? manager.removeItem(at: stage)
      try manager.createDirectory(at: stage, withIntermediateDirectories: false)
      for file in files { try Data(file.text.utf8).write(to: stage.appendingPathComponent(file.name)) }
    } catch {
      try? manager.removeItem(at: stage)
      throw InputError(file: folder, "cannot write (\(error.localizedDescription)); nothing was written")
    }
    defer { try? manager.removeItem(at: stage) }
    if !manager.fileExists(atPath: target.path), rename(stage.path, target.path) == 0 { return }
    for file in files {
      guard rename(stage.appendingPathComponent(file.name).path, target.appendingPathComponent(file.name).path) == 0 else {
        throw InputError(file: folder + "/" + file.name, "cannot write (\(String(cString: strerror(errno))))")
      }
    }
  }
}

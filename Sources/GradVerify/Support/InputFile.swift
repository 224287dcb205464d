import Foundation

/// Reads an input file whole, saying exactly what is wrong when it cannot: no such file, a folder, a pipe
/// or device (which cannot be read twice or mapped: save it to a file first), no read permission, or the
/// system's own reason. Regular files only; `mapped` maps them instead of copying.
public enum InputFile {
  public static func read(_ path: String, mapped: Bool = false) throws(InputError) -> Data {
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw InputError(file: path, errno == ENOENT || errno == ENOTDIR ? "no such file" : "cannot read (\(String(cString: strerror(errno))))")
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw InputError(file: path, "is a folder, not a file")
    case S_IFIFO, S_IFCHR, S_IFSOCK:
      throw InputError(file: path, "is a pipe or device, not a regular file (save it to a file first)")
    default: throw InputError(file: path, "is not a regular file")
    }
    guard access(path, R_OK) == 0 else { throw InputError(file: path, "cannot read (permission denied)") }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path), options: mapped ? .alwaysMapped : [])
    } catch {
      throw InputError(file: path, "cannot read (\(error.localizedDescription))")
    }
  }
}

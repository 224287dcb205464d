import Foundation

/// Reads an input file, saying exactly what is wrong when it cannot: no such file, a folder, a pipe or
/// device (which cannot be read twice or mapped: save it to a file first), no read permission, or the
/// system's own reason. Regular files only.
package enum InputFile {
  /// The whole file; `mapped` maps it instead of copying.
  public static func read(_ path: String, mapped: Bool = false) throws(InputError) -> Data {
    _ = try size(of: path)
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path), options: mapped ? .alwaysMapped : [])
    } catch {
      throw InputError(file: path, "cannot read (\(error.localizedDescription))")
    }
  }

  /// The size in bytes of a readable regular file, or the reason it is not one.
  public static func size(of path: String) throws(InputError) -> Int {
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
    return Int(status.st_size)
  }

  /// Reads `count` bytes from `offset` in pieces of at most `chunk` bytes, handing each to `body` with its
  /// offset from `offset`; the file is never held whole (the page cache is not this process's memory), so a
  /// pass over a file larger than memory costs one chunk. A file shorter than asked is an error.
  public static func stream(
    _ path: String, from offset: Int, count: Int, chunk: Int = 8 << 20,
    _ body: (UnsafeRawBufferPointer, Int) throws(InputError) -> Void
  ) throws(InputError) {
    _ = try size(of: path)
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw InputError(file: path, "cannot read (\(String(cString: strerror(errno))))") }
    defer { close(fd) }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(1, Swift.min(chunk, count)), alignment: 64)
    defer { buffer.deallocate() }
    var done = 0
    while done < count {
      let want = Swift.min(buffer.count, count - done)
      var got = 0
      while got < want {
        let r = pread(fd, buffer.baseAddress! + got, want - got, off_t(offset + done + got))
        if r < 0 && errno == EINTR { continue }
        guard r >= 0 else { throw InputError(file: path, "cannot read (\(String(cString: strerror(errno))))") }
        guard r > 0 else { throw InputError(file: path, "ended after \(offset + done + got) bytes (changed while read?)") }
        got += r
      }
      try body(UnsafeRawBufferPointer(rebasing: buffer[0..<want]), done)
      done += want
    }
  }
}

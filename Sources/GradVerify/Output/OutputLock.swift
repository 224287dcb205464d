import Foundation

/// An exclusive claim on an output file while a run writes it (`sweep --out`): a second run naming the same
/// file is refused at once instead of replacing the first one's checkpoint. The claim is flock(2) on
/// `path + ".lock"`, released by the kernel if the process dies; the lock file is removed on `release`.
package final class OutputLock {
  let path: String
  private var descriptor: Int32

  public init(for output: String) throws(InputError) {
    path = output + ".lock"
    descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw InputError(file: path, "cannot create the lock file (\(String(cString: strerror(errno))))") }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      close(descriptor)
      descriptor = -1
      throw InputError(file: output, "is being written by another gradverify run (locked: \(path))")
    }
  }

  public func release() {
    guard descriptor >= 0 else { return }
    unlink(path)
    close(descriptor)
    descriptor = -1
  }

  deinit { release() }
}

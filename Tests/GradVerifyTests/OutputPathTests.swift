import Foundation
import GradVerify
import Testing

/// Output paths that are not regular files are written into or refused, never replaced: `--json -` is
/// standard output; a FIFO is written into; a symbolic link keeps being a link (its target gets the bytes).
@Suite("output paths: '-', a FIFO and a symbolic link are written into, never replaced", .serialized)
struct OutputPathTests {
  static let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path
  static let checkArguments = ["check", "--model", "softmax", "--data", iris, "--standardize"]

  @Test("--json - puts the JSON alone on standard output and the verdict table on standard error")
  func jsonToStandardOutput() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(Self.checkArguments + ["--json", "-"], in: folder)
    #expect(run.status == 0, "\(run.stderr)")
    let report = try JSON.parse(Data(run.stdout.utf8))
    #expect(schemaProblems(report, VerdictReportTests.schema).isEmpty)
    #expect(run.stderr.contains("C1") && run.stderr.contains("PASS"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("-").path))
  }

  @Test("--json into a FIFO: a reader gets the report; the FIFO stays a FIFO")
  func jsonIntoFIFO() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("report.fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    // A reader on another thread, as a shell's `cat fifo` would be: open (waiting for the writer), read to EOF.
    let received = Received()
    let reader = Thread {
      let fd = open(fifo, O_RDONLY)
      var bytes: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 65_536)
      while fd >= 0 {
        let k = read(fd, &buffer, buffer.count)
        if k <= 0 { break }
        bytes += buffer[0..<k]
      }
      if fd >= 0 { close(fd) }
      received.data = Data(bytes)
    }
    reader.start()
    let run = try CommandRun(Self.checkArguments + ["--json", fifo], in: folder)
    // At most 30 s for the reader; if the command never opened the FIFO, release the reader and fail.
    var waited = 0
    while received.data == nil && waited < 3_000 { usleep(10_000); waited += 1 }
    if received.data == nil {
      close(open(fifo, O_WRONLY | O_NONBLOCK))
      Issue.record("the command never wrote into the FIFO: \(run.stderr)")
      return
    }
    #expect(run.status == 0, "\(run.stderr)")
    #expect(schemaProblems(try JSON.parse(received.data!), VerdictReportTests.schema).isEmpty)
    var info = stat()
    #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
  }

  @Test("--json and sweep --out through a symbolic link: the link stays, its target gets the bytes")
  func throughSymbolicLink() throws {
    let folder = try temporaryFolder(["target.json": "old", "table.csv": "old"])
    defer { try? FileManager.default.removeItem(at: folder) }
    for (link, target) in [("link.json", "target.json"), ("link.csv", "table.csv")] {
      try FileManager.default.createSymbolicLink(
        atPath: folder.appendingPathComponent(link).path, withDestinationPath: folder.appendingPathComponent(target).path)
    }
    let run = try CommandRun(
      ["sweep", "--model", "softmax", "--data", Self.iris, "--standardize", "--sampler", "with", "--draws", "200",
       "--batch-sizes", "4,16", "--out", "link.csv", "--json", "link.json"], in: folder)
    #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
    for (link, target, prefix) in [("link.json", "target.json", "{"), ("link.csv", "table.csv", "case,")] {
      var info = stat()
      #expect(lstat(folder.appendingPathComponent(link).path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "\(link)")
      let text = try String(contentsOf: folder.appendingPathComponent(target), encoding: .utf8)
      #expect(text.hasPrefix(prefix), "\(target): \(text.prefix(40))")
    }
  }

  @Test("a socket as an output is refused before any work, exit 64, and left alone")
  func socketRefused() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("s.sock").path
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (k, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[k] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try #require(bound == 0)
    let run = try CommandRun(Self.checkArguments + ["--json", path], in: folder)
    #expect(run.status == 64 && run.stderr.contains("is not a regular file, a FIFO or a device"), "\(run.stderr)")
    var info = stat()
    #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK)
  }
}

/// The bytes a reader thread got.
final class Received: @unchecked Sendable {
  var data: Data?
}

/// Small courtesies of the command line: a misspelt option gets a suggestion; `sweep` samples with and
/// without replacement unless told otherwise.
@Suite("command line: did you mean, and sweep's default samplers", .serialized)
struct CommandLineCourtesyTests {
  @Test("a misspelt option exits 64 with the nearest known one; a name far from all gets no guess",
        arguments: [("--standardise", "did you mean '--standardize'?"), ("--sed=3", "did you mean '--seed'?"),
                    ("--colour-by-magic", "unknown option '--colour-by-magic' (see")])
  func didYouMean(option: String, message: String) throws {
    let run = try CommandRun(["check", "--model", "softmax", "--data", OutputPathTests.iris, option])
    #expect(run.status == 64 && run.stderr.contains(message), "\(run.stderr)")
    if !message.hasPrefix("did") { #expect(!run.stderr.contains("did you mean")) }
  }

  @Test("sweep without --sampler runs with and without replacement")
  func defaultSamplers() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CommandRun(
      ["sweep", "--model", "softmax", "--data", OutputPathTests.iris, "--standardize", "--draws", "200",
       "--batch-sizes", "4,16", "--out", "t.csv"], in: folder)
    #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
    let table = try String(contentsOf: folder.appendingPathComponent("t.csv"), encoding: .utf8)
    let samplers = Set(table.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] })
    #expect(samplers == ["with", "without"])
  }
}

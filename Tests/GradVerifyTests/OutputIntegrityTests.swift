import Foundation
import GradVerify
import Testing

@Suite("Outputs: all or nothing, and one writer at a time")
struct OutputIntegrityTests {
  @Test("a second claim on the same output is refused while the first holds it, and allowed after")
  func lockRefusesASecondWriter() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("o.csv").path
    let first = try OutputLock(for: out)
    #expect(throws: InputError.self) { try OutputLock(for: out) }
    first.release()
    #expect(!FileManager.default.fileExists(atPath: out + ".lock"))
    let again = try OutputLock(for: out)
    again.release()
  }

  @Test("an output folder is written whole: created only when every file is staged; a failure leaves nothing")
  func folderAllOrNothing() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let target = folder.appendingPathComponent("a/b").path
    try OutputFolder.check(target)
    #expect(!FileManager.default.fileExists(atPath: target), "check created the folder")
    try OutputFolder.write([("x.csv", "1\n"), ("y.csv", "2\n")], to: target)
    #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted() == ["x.csv", "y.csv"])
    // A file name that cannot be written (a folder in the way) fails while staging: nothing new appears.
    let other = folder.appendingPathComponent("c").path
    #expect(throws: InputError.self) { try OutputFolder.write([("x.csv", "1\n"), ("no/such/z.csv", "2\n")], to: other) }
    #expect(!FileManager.default.fileExists(atPath: other))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["a"])
  }

  @Test("GRADVERIFY_PROGRESS_SECONDS of inf, 1e300, -5 or text: the command runs", arguments: ["inf", "1e300", "-5", "nan", "soon"])
  func progressSecondsAnyText(_ value: String) throws {
    let run = try CommandRun(
      ["sweep", "--model", "softmax", "--data", ShardResumeTests.iris, "--sampler", "with", "--batch-sizes", "4", "--draws", "300"],
      environment: ["GRADVERIFY_PROGRESS_SECONDS": value])
    #expect(run.status == 0 || run.status == 1, "exit \(run.status): \(run.stderr)")
  }
}

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

  @Test("results removes the tables and figures of a spec no longer run, names them, and leaves every other file")
  func resultsRemovesLeftovers() throws {
    let c1 = """
      {"claim": "C1", "title": "t", "seed": 3, "points": [{"name": "unit", "scale": 1}],
       "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 16, "d": 2, "seed": 1}}]}
      """
    let sweep = """
      {"claim": "C2C3", "title": "t", "seed": 3, "draws": 200, "alpha": 0.01, "samplers": ["with"],
       "points": [{"name": "unit", "scale": 1}],
       "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 16, "d": 2, "seed": 1}}]}
      """
    let folder = try temporaryFolder(["C1-small.json": c1, "C2C3-small.json": sweep])
    defer { try? FileManager.default.removeItem(at: folder) }
    let results = folder.appendingPathComponent("results").path
    let first = try CommandRun(["results", "--experiments", folder.path, "--out", results])
    #expect(first.status != 64 && !first.stderr.contains("removed"), "\(first.stderr)")
    let mine = results + "/notes.txt"
    try Data("kept".utf8).write(to: URL(fileURLWithPath: mine))
    #expect(FileManager.default.fileExists(atPath: results + "/C2C3-small-coordinates.csv"))
    try FileManager.default.removeItem(at: folder.appendingPathComponent("C2C3-small.json"))
    let second = try CommandRun(["results", "--experiments", folder.path, "--out", results])
    #expect(second.status != 64, "\(second.stderr)")
    let removed = ["C2C3-small.csv", "C2C3-small-population.csv", "C2C3-small-coordinates.csv", "fig-mse-vs-b.svg", "fig-bias-z.svg"]
    // The note, its lines joined again (it is wrapped to the terminal's width).
    let notes = second.stderr.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    let note = notes.components(separatedBy: "note: ").first { $0.contains("written by an earlier run") } ?? ""
    #expect(removed.allSatisfy { note.contains($0) } && !note.contains("C1-small"), "\(second.stderr)")
    let left = try FileManager.default.contentsOfDirectory(atPath: results)
    #expect(Set(left).isDisjoint(with: removed), "\(left.sorted())")
    #expect(left.contains("C1-small.csv") && left.contains("fig-fd-error-vs-h.svg") && left.contains("datapackage.json"))
    #expect(try String(contentsOfFile: mine, encoding: .utf8) == "kept")
    // A package naming what no run writes (a folder, a hidden file, another kind of file, a path outside)
    // removes none of them.
    let package = results + "/datapackage.json"
    let recorded = try String(contentsOfFile: package, encoding: .utf8)
    for name in ["keep.csv", ".hidden.csv", "notes.txt"] { try Data("kept".utf8).write(to: URL(fileURLWithPath: results + "/" + name)) }
    try FileManager.default.createDirectory(atPath: results + "/sub.csv", withIntermediateDirectories: false)
    var hostile = recorded
    for name in ["sub.csv", ".hidden.csv", "notes.txt", "../C1-small.json"] {
      hostile = hostile.replacingOccurrences(of: #""path" : "C1-small.csv""#, with: "\"path\" : \"\(name)\"")
      try Data(hostile.utf8).write(to: URL(fileURLWithPath: package))
      let run = try CommandRun(["results", "--experiments", folder.path, "--out", results])
      #expect(run.status != 64 && !run.stderr.contains("removed"), "\(name): \(run.stderr)")
      hostile = recorded
    }
    let kept = try FileManager.default.contentsOfDirectory(atPath: results)
    #expect(["keep.csv", ".hidden.csv", "notes.txt", "sub.csv"].allSatisfy { kept.contains($0) }, "\(kept.sorted())")
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("C1-small.json").path))
    // Nothing left over: a third run removes nothing.
    let third = try CommandRun(["results", "--experiments", folder.path, "--out", results])
    #expect(third.status != 64 && !third.stderr.contains("removed"), "\(third.stderr)")
  }
}

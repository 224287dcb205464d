import Foundation
import GradVerify
import Testing

/// `InputError`: one line, with its place (file and line, spec key, or flag) as data beside the message.
@Suite struct InputErrorTests {
  @Test("a file error at a line: the place is the file and the line; the message is file:line: reason")
  func fileAndLine() {
    let e = InputError(file: "d.csv", line: 3, "expected 3 columns")
    #expect(e.place == .file(path: "d.csv", line: 3, key: nil))
    #expect(e.reason == "expected 3 columns" && e.message == "d.csv:3: expected 3 columns")
  }

  @Test("a flag error names the command and the flag; a file error renamed to its flag keeps the file")
  func flags() {
    let e = InputError(flag: "--draws", command: "sweep", "must be an integer from 2 to 10, got 'x'")
    #expect(e.place == .flag(name: "--draws", command: "sweep"))
    #expect(e.message == "sweep: --draws must be an integer from 2 to 10, got 'x'")
    let renamed = InputError(file: "out", "exists and is not a folder").naming(flag: "--out")
    #expect(renamed.message == "--out out: exists and is not a folder" && renamed.place == .flag(name: "--out", command: nil))
  }

  @Test("line breaks and control characters inside a reason are escaped: one line")
  func oneLine() {
    let e = InputError(file: "a\nb.csv", line: 1, "cell '4\r9'")
    #expect(!e.message.contains("\n") && !e.message.contains("\r"))
    #expect(e.message == #"a\nb.csv:1: cell '4\r9'"#)
  }

  @Test("errors from the readers carry their place: a CSV line, a spec key")
  func readersPlaceTheirErrors() throws {
    let folder = try temporaryFolder([
      "d.csv": "a,b,label\n1,2,x\n3,4,y,9\n",
      "s.json": #"{"claim": "C1", "title": "t", "seed": 1, "draws": 5, "points": [], "cases": []}"#,
    ])
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = folder.appendingPathComponent("d.csv").path
    do {
      _ = try Dataset.load(csv: csv, target: .label)
      Issue.record("a ragged row was read")
    } catch {
      #expect(error.place == .file(path: csv, line: 3, key: nil), "\(error.message)")
    }
    let spec = folder.appendingPathComponent("s.json").path
    do {
      _ = try ExperimentSpec.load(path: spec)
      Issue.record("a spec with a key of another claim was read")
    } catch {
      #expect(error.place == .file(path: spec, line: nil, key: "draws"), "\(error.message)")
      #expect(error.reason.hasPrefix("unknown key for a C1 spec"), "\(error.message)")
    }
  }
}

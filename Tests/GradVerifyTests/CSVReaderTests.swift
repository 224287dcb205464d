import Foundation
import GradVerify
import Testing

/// The byte-level CSV reader against the reader it replaced (`ReferenceCSVReader`): the same data set, bit
/// for bit, or the same error message, on random files full of the awkward cases; for any thread count.
@Suite struct CSVReaderTests {
  /// A random small CSV file: mostly valid, with every awkward case now and then.
  static func randomFile(_ rng: inout SplitMix64) -> Data {
    func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
    // Half the files use only names and cells that are valid, so that many are accepted.
    let clean = rng.next() % 2 == 0
    let columns = 1 + Int(rng.next() % 4)
    let validNames = ["a", "b", " c ", "\"d,e\"", "é", "x", "\"q\"\"r\"", "\t t", "  \"s\"  ", "y"]
    let names = validNames + ["f\"g", "", "a", "\"u\"v"]
    var lines: [String] = []
    if rng.next() % 10 == 0 { lines.append(pick(["", "  ", "\t"])) }  // blank lines before the header
    var header: [String] = []
    for k in 0..<columns { header.append(clean ? validNames[(k * 3 + Int(rng.next() % 3)) % validNames.count] : pick(names)) }
    lines.append(header.joined(separator: ","))
    let rows = Int(rng.next() % 6)
    let validCells = [
      "1", "-2.5", "3e2", " 4 ", "\"5\"", " \"6\" ", "\"7\" ", "4.9e-324", "\t10\t", "12345678901234567890123", ".5",
      "5.", "\"\u{A0}7\"", "2.4703282292062328e-324", "+1", "0.30000000000000004", "0x10", "-0",
    ]
    let cells = validCells + [
      "1e400", "nan", "-inf", "", "x", "é", "\"8", "\"9\"x", "1.7976931348623159e308", "\"1\"\"2\"", "\u{A0}7",
      "7\u{2003}", "3\r9", "\"a,b\"", "1_0",
    ]
    for _ in 0..<rows {
      if clean {
        lines.append((0..<columns).map { _ in pick(validCells) }.joined(separator: ","))
        continue
      }
      let width = rng.next() % 8 == 0 ? columns + pick([-1, 1]) : columns
      lines.append((0..<Swift.max(0, width)).map { _ in pick(cells) }.joined(separator: ","))
      if rng.next() % 8 == 0 { lines.append(pick(["", " ", "\t \t", "\r"])) }
    }
    var text = lines.joined(separator: rng.next() % 3 == 0 ? "\r\n" : "\n")
    if rng.next() % 2 == 0 { text += pick(["\n", "\r\n", "\n\n", "\r"]) }
    if rng.next() % 10 == 0 { text = "\u{FEFF}" + text }
    var data = Data(text.utf8)
    if rng.next() % 40 == 0, !data.isEmpty { data[Int(rng.next() % UInt64(data.count))] = 0xFF }  // not UTF-8
    return data
  }

  static func same(_ a: Result<Dataset, InputError>, _ b: Result<Dataset, InputError>) -> Bool {
    switch (a, b) {
    case (.failure(let x), .failure(let y)): return x.message == y.message
    case (.success(let x), .success(let y)):
      return x.featureNames == y.featureNames && x.classNames == y.classNames && x.name == y.name
        && x.features.map(\.bitPattern) == y.features.map(\.bitPattern)
        && x.targets.map(\.bitPattern) == y.targets.map(\.bitPattern)
    default: return false
    }
  }

  @Test("20 000 random files: the same data set or the same error as the reader it replaced, on 1 and 3 threads")
  func againstReference() {
    var rng = SplitMix64(seed: 13)
    var accepted = 0
    for _ in 0..<20_000 {
      let data = Self.randomFile(&rng)
      for target in [TargetKind.numeric, .label] {
        let old = ReferenceCSVReader.read(data, path: "r.csv", target: target)
        let one = Result { () throws(InputError) in try Dataset.read(csv: data, path: "r.csv", target: target, threads: 1) }
        let three = Result { () throws(InputError) in
          try Dataset.read(csv: data, path: "r.csv", target: target, threads: 3, parallelAbove: 0)
        }
        #expect(Self.same(old, one), "\(String(decoding: data, as: UTF8.self).debugDescription): \(old) against \(one)")
        #expect(Self.same(one, three), "threads changed the result on \(String(decoding: data, as: UTF8.self).debugDescription)")
        if case .success = old { accepted += 1 }
      }
    }
    // Both outcomes are exercised: many files are accepted and many refused.
    #expect(accepted > 2_000 && accepted < 38_000, "\(accepted) of 40 000 accepted")
  }

  /// A file of `rows` rows of random doubles in every textual form, with the target last.
  static func bigFile(rows: Int, columns: Int, seed: UInt64) -> String {
    var rng = SplitMix64(seed: seed)
    var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + ",y\r\n"
    for i in 0..<rows {
      var cells: [String] = []
      for _ in 0...columns {
        let x = Double(bitPattern: rng.next() >> 2) * (rng.next() & 1 == 0 ? 1 : -1)
        cells.append(
          rng.next() % 4 == 0 ? String(format: "%.17g", x) : rng.next() % 3 == 0 ? "\"\(x)\"" : (x * 1e-300).description)
      }
      text += cells.joined(separator: ",") + (i % 97 == 0 ? "\n\n" : "\r\n")
    }
    return text
  }

  @Test("a 2 MB file on 1 to 8 threads: identical values, each the Double(String) of its cell")
  func parallelLargeFile() throws {
    let text = Self.bigFile(rows: 6000, columns: 12, seed: 5)
    let data = Data(text.utf8)
    let reference = try ReferenceCSVReader.dataset(data, path: "big.csv", target: .numeric)
    for threads in [1, 2, 3, 8] {
      let read = Result { () throws(InputError) in
        try Dataset.read(csv: data, path: "big.csv", target: .numeric, threads: threads, parallelAbove: 0)
      }
      #expect(Self.same(.success(reference), read), "threads \(threads)")
    }
  }

  @Test("errors in a large file read in parallel: the first structural error wins over an earlier bad cell, with its line")
  func parallelErrors() {
    var lines = Self.bigFile(rows: 5000, columns: 8, seed: 9).components(separatedBy: "\r\n")
    var cells = lines[1000].components(separatedBy: ",")
    cells[0] = "oops"
    lines[1000] = cells.joined(separator: ",")
    let badCell = Data(lines.joined(separator: "\r\n").utf8)
    lines[4000] += ",1"
    let ragged = Data(lines.joined(separator: "\r\n").utf8)
    for (data, expected) in [(badCell, "'oops' is not a number"), (ragged, "expected 9 columns as in the header, found 10")] {
      let old = ReferenceCSVReader.read(data, path: "e.csv", target: .numeric)
      let new = Result { () throws(InputError) in
        try Dataset.read(csv: data, path: "e.csv", target: .numeric, threads: 4, parallelAbove: 0)
      }
      #expect(Self.same(old, new), "\(old) against \(new)")
      if case .failure(let error) = new { #expect(error.message.contains(expected), "\(error.message)") }
    }
  }
}

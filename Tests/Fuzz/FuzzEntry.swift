// The fuzz target for `make fuzz`: every reader of user files gets arbitrary bytes.
//
// Built by swiftc together with the library's sources (not by SwiftPM) with -sanitize=fuzzer, so libFuzzer
// (LLVM's coverage-guided fuzzer, https://llvm.org/docs/LibFuzzer.html) drives `LLVMFuzzerTestOneInput`.
// The first byte picks the reader (selector % 7: CSV as numbers or labels, spec, parameter file, .npy, sweep
// ledger, a results table under the figures), the rest is the file; GRADVERIFY_FUZZ_TARGET (csv, spec,
// params, npy, ledger, figures) sends every input to one reader (`make fuzz-each`). The CSV reader is checked
// against the reader it replaced (Tests/GradVerifyTests/Reference/ReferenceCSVReader.swift, compiled in with
// its import removed). Beyond "no crash, no trap", each reader must either accept the bytes or throw an
// InputError whose message is one non-empty line naming the file (the figures: the table); accepted sweep
// ledgers must survive a round trip to the same text.
import Foundation

/// The readers, by the selector's residue mod 7.
enum FuzzTarget: UInt8, CaseIterable {
  case csvNumeric = 0, csvLabel, spec, params, npy, ledger, figures

  /// The reader for a selector byte: its residue, or the one GRADVERIFY_FUZZ_TARGET names (the CSV's
  /// target type then still taken from the selector).
  static func of(_ selector: UInt8) -> FuzzTarget {
    let own = FuzzTarget(rawValue: selector % 7)!
    switch forced {
    case nil: return own
    case "csv": return selector % 2 == 0 ? .csvNumeric : .csvLabel
    case let name?: return [.spec, .params, .npy, .ledger, .figures].first { "\($0)" == name } ?? own
    }
  }

  static let forced: String? = {
    let name = ProcessInfo.processInfo.environment["GRADVERIFY_FUZZ_TARGET"]
    let known = ["csv", "spec", "params", "npy", "ledger", "figures"]
    if let name, !known.contains(name) { fatalError("GRADVERIFY_FUZZ_TARGET '\(name)' is not one of \(known)") }
    return name
  }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  guard let bytes, count > 0 else { return 0 }
  let selector = bytes[0]
  let variant = Int(selector / 7)
  let data = Data(bytes: bytes + 1, count: count - 1)
  let path = "fuzz.in"
  let target = FuzzTarget.of(selector)
  do throws(InputError) {
    switch target {
    case .csvNumeric, .csvLabel:
      // The byte-level reader on 1 and 3 threads against the reader it replaced: the same data set to the
      // bit, or the same error message.
      let kind: TargetKind = target == .csvNumeric ? .numeric : .label
      let old = ReferenceCSVReader.read(data, path: path, target: kind)
      for threads in [1, 3] {
        let new = Result { () throws(InputError) in
          try Dataset.read(csv: data, path: path, target: kind, threads: threads, parallelAbove: 0)
        }
        switch (old, new) {
        case (.failure(let a), .failure(let b)) where a.message == b.message: break
        case (.success(let a), .success(let b))
        where a.features.map(\.bitPattern) == b.features.map(\.bitPattern)
          && a.targets.map(\.bitPattern) == b.targets.map(\.bitPattern) && a.classNames == b.classNames
          && a.featureNames == b.featureNames:
          break
        default: fatalError("the CSV reader differs from the reference on \(threads) threads: \(old) against \(new)")
        }
      }
      _ = try Dataset.read(csv: data, path: path, target: kind, threads: 1)
    case .spec:
      _ = try decodeStrictly(ExperimentSpec.self, from: data, file: path)
    case .params:
      _ = try ParameterFile.parse(data, path: path, expectedCount: variant % 8, layout: "fuzz")
    case .npy:
      // The .npy reader: an accepted file holds exactly its shape's finite values.
      let npy = try NPYMatrix.parse(Array(data), path: path)
      guard npy.values.count == npy.rows * npy.columns, npy.values.allSatisfy(\.isFinite) else {
        fatalError("the .npy reader accepted an inconsistent matrix")
      }
    case .ledger:
      // Odd variant: the bytes signed with their own checksum first, so the fuzzer reaches the layout
      // checks behind it; even: as they come, checksum and all.
      let ledger = try SweepLedger.parse(variant % 2 == 1 ? signedLedger(data) : data, path: path)
      let again = try SweepLedger.parse(Data(ledger.text.utf8), path: path)
      guard again.text == ledger.text else { fatalError("sweep ledger round trip changed the text") }
    case .figures:
      // The bytes as one table of a claim (variant: which claim and table), the claim's other tables as
      // committed in results/: the figures are drawn or refused with one line naming the table.
      let table = try CSVTable.parse(data, path: path)
      var document = CSVDocument(header: table.header)
      document.rows = table.records.map(\.cells)
      guard let run = FigureInputs.run(variant, replacingWith: document) else { return 0 }
      do {
        _ = try ExperimentRunner.figures([run])
      } catch {
        guard !error.message.isEmpty, !error.message.contains(where: \.isNewline), error.message.contains(run.claim) else {
          fatalError("figure error is not one line naming the claim's table: \(error.message.debugDescription)")
        }
      }
    }
  } catch {
    let message = error.message
    guard !message.isEmpty, !message.contains(where: \.isNewline), message.contains(path) else {
      fatalError("input error is not one line naming the file: \(message.debugDescription)")
    }
  }
  return 0
}

/// `body` with the last line a ledger ends with: `end CELLS sha256 HEX`, CELLS read from its 'cells' line.
func signedLedger(_ body: Data) -> Data {
  var text = String(decoding: body, as: UTF8.self)
  if !text.hasSuffix("\n") { text += "\n" }
  let cells = text.split(separator: "\n").first { $0.hasPrefix("cells ") }?.dropFirst("cells ".count) ?? "0"
  return Data((text + "end \(cells) sha256 \(sha256Hex(Array(text.utf8)))\n").utf8)
}

/// The committed results' tables by claim (read once from results/ and Experiments/ in the folder the
/// fuzzer runs in, the repository root), for the figures target.
enum FigureInputs {
  static let runs: [(claim: String, tables: [String: CSVDocument])] = {
    guard let specs = try? ExperimentRunner.loadAll(folder: "Experiments"),
      let tables = try? ResultArtifacts.tables(in: "results")
    else { fatalError("the figures target runs from the repository root (Experiments/ and results/)") }
    return specs.compactMap { file, spec in
      let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
      let suffixes = type(of: spec.experiment).tableSuffixes
      let found = suffixes.compactMap { suffix in tables["\(stem)\(suffix).csv"].map { (suffix, $0) } }
      return found.count == suffixes.count ? (spec.claim, Dictionary(uniqueKeysWithValues: found)) : nil
    }
  }()

  /// Run `variant % runs.count` with its `(variant / runs.count)`-th table (by suffix) replaced.
  static func run(_ variant: Int, replacingWith document: CSVDocument) -> (claim: String, tables: [String: CSVDocument])? {
    guard !runs.isEmpty else { return nil }
    var run = runs[variant % runs.count]
    let suffixes = run.tables.keys.sorted()
    run.tables[suffixes[(variant / runs.count) % suffixes.count]] = document
    return run
  }
}

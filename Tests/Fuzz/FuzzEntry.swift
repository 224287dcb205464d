// The fuzz target for `make fuzz`: every reader of user files gets arbitrary bytes.
//
// Built by swiftc together with the library's sources (not by SwiftPM) with -sanitize=fuzzer, so libFuzzer
// (LLVM's coverage-guided fuzzer, https://llvm.org/docs/LibFuzzer.html) drives `LLVMFuzzerTestOneInput`.
// The first byte picks the reader (CSV, spec, parameter file, .npy, sweep ledger), the rest is the file. The CSV reader is checked against the reader it
// replaced (Tests/GradVerifyTests/Reference/ReferenceCSVReader.swift, compiled in with its import removed). Beyond "no crash, no trap", each reader must either
// accept the bytes or throw an InputError whose message is one non-empty line naming the file; accepted
// sweep ledgers must survive a round trip to the same text.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  guard let bytes, count > 0 else { return 0 }
  let selector = bytes[0]
  let data = Data(bytes: bytes + 1, count: count - 1)
  let path = "fuzz.in"
  do throws(InputError) {
    switch selector % 6 {
    case 0, 1:
      // The byte-level reader on 1 and 3 threads against the reader it replaced: the same data set to the
      // bit, or the same error message.
      let target: TargetKind = selector % 6 == 0 ? .numeric : .label
      let old = ReferenceCSVReader.read(data, path: path, target: target)
      for threads in [1, 3] {
        let new = Result { () throws(InputError) in
          try Dataset.read(csv: data, path: path, target: target, threads: threads, parallelAbove: 0)
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
      _ = try Dataset.read(csv: data, path: path, target: target, threads: 1)
    case 2:
      _ = try decodeStrictly(ExperimentSpec.self, from: data, file: path)
    case 3:
      _ = try ParameterFile.parse(data, path: path, expectedCount: Int(selector / 6) % 8, layout: "fuzz")
    case 4:
      // The .npy reader: an accepted file holds exactly its shape's finite values.
      let npy = try NPYMatrix.parse(Array(data), path: path)
      guard npy.values.count == npy.rows * npy.columns, npy.values.allSatisfy(\.isFinite) else {
        fatalError("the .npy reader accepted an inconsistent matrix")
      }
    default:
      // Odd (selector / 6): the bytes signed with their own checksum first, so the fuzzer reaches the layout
      // checks behind it; even: as they come, checksum and all.
      let ledger = try SweepLedger.parse((selector / 6) % 2 == 1 ? signedLedger(data) : data, path: path)
      let again = try SweepLedger.parse(Data(ledger.text.utf8), path: path)
      guard again.text == ledger.text else { fatalError("sweep ledger round trip changed the text") }
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

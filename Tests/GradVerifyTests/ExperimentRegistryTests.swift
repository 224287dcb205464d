import Foundation
import GradVerify
import Testing

/// The registry: one type per claim, each refusing every key that is not its own or common, each table
/// named by its suffixes, and the committed specs covering every claim.
@Suite struct ExperimentRegistryTests {
  static let common = #""title": "t", "seed": 1, "points": [{"name": "p", "scale": 1}], "cases": [{"model": "linear", "data": {"synthetic": "regression", "n": 8, "d": 1, "seed": 1}}]"#

  @Test("claims are unique and found by name; an unknown claim names the known ones")
  func uniqueClaims() throws {
    let names = ExperimentRegistry.all.map { $0.claim }
    #expect(Set(names).count == names.count)
    for name in names { #expect(ExperimentRegistry.experiment(claim: name)?.claim == name) }
    #expect(throws: InputError.self) {
      try decodeStrictly(ExperimentSpec.self, from: Data(#"{"claim": "C9", \#(Self.common)}"#.utf8), file: "x.json")
    }
  }

  @Test("the claims verdict rows name are declared once across the registry (each experiment's VerdictClaims)")
  func verdictClaimsUnique() {
    let names = ExperimentRegistry.all.flatMap { $0.verdictClaimNames }
    let repeated = Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    #expect(repeated.isEmpty, "declared by two experiments: \(repeated)")
    #expect(names.count >= ExperimentRegistry.all.count, "\(names)")
  }

  @Test("every claim refuses the other claims' keys", arguments: ExperimentRegistry.all.map { $0.claim })
  func foreignKeysRefused(claim: String) throws {
    let kind = try #require(ExperimentRegistry.experiment(claim: claim))
    let foreign = Set(ExperimentRegistry.all.flatMap { $0.keys }).subtracting(kind.keys).sorted()
    #expect(!foreign.isEmpty)
    for key in foreign {
      let json = #"{"claim": "\#(claim)", \#(Self.common), "\#(key)": 1}"#
      do {
        _ = try decodeStrictly(ExperimentSpec.self, from: Data(json.utf8), file: "x.json")
        Issue.record("\(claim) accepted '\(key)'")
      } catch {
        #expect(error.place == .file(path: "x.json", line: nil, key: key), "\(claim) \(key): \(error.message)")
        #expect(error.reason.hasPrefix("unknown key for a \(claim) spec"), "\(error.message)")
      }
    }
  }

  @Test("the committed specs cover every registered claim, and their tables are the claims' suffixes")
  func committedSpecsCoverTheRegistry() throws {
    let folder = CommandRun.packageRoot.appendingPathComponent("Experiments").path
    let specs = try ExperimentRunner.loadAll(folder: folder)
    #expect(Set(specs.map(\.spec.claim)) == Set(ExperimentRegistry.all.map { $0.claim }))
    let results = CommandRun.packageRoot.appendingPathComponent("results").path
    var expected: Set<String> = []
    for (file, spec) in specs {
      let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
      for suffix in type(of: spec.experiment).tableSuffixes { expected.insert("\(stem)\(suffix).csv") }
    }
    let committed = Set(try FileManager.default.contentsOfDirectory(atPath: results).filter { $0.hasSuffix(".csv") })
    #expect(committed == expected)
  }
}

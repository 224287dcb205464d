import Foundation
import GradVerify
import Testing

@Suite("Experiment specs decode strictly")
struct ExperimentSpecTests {
  func decode(_ json: String) throws(InputError) -> ExperimentSpec {
    try decodeStrictly(ExperimentSpec.self, from: Data(json.utf8), file: "x.json")
  }

  let valid = """
    {"claim": "C1", "title": "t", "seed": 3, "points": [{"name": "p", "scale": 0.5}],
     "cases": [{"model": "softmax", "l2": 0.1, "data": {"file": "data/iris.csv", "standardize": true}}]}
    """

  @Test("a valid spec decodes to its fields")
  func validSpec() throws {
    let spec = try decode(valid)
    #expect(spec.seed == 3 && spec.points == [ParameterPointSpec(name: "p", scale: 0.5)])
    #expect(spec.cases[0].model == ModelChoice(kind: .softmax, l2: 0.1))
    #expect(spec.cases[0].data == .file(path: "data/iris.csv", standardize: true))
  }

  @Test(
    "errors name the key",
    arguments: [
      (#""seed": 3"#, #""seed": 3, "colour": 1"#, "key 'colour': unknown key"),
      (#""model": "softmax""#, #""model": "svm""#, "key 'cases[0].model'"),
      (#""scale": 0.5"#, #""scale": "big""#, "key 'points[0].scale': expected a number"),
      (#""standardize": true"#, #""standardize": "yes""#, "key 'cases[0].data.standardize': expected true or false"),
      (#""file": "data/iris.csv", "standardize": true"#, #""synthetic": "clusters", "n": 10, "d": 2, "seed": 1"#,
       "key 'cases[0].data.classes': missing"),
      (#""l2": 0.1"#, #""l2": -1"#, "key 'cases[0].l2': must be finite and non-negative"),
      (#""l2": 0.1"#, #""hidden": 4"#, "key 'cases[0].hidden': only the mlp model has a hidden layer"),
      (#"{"name": "p", "scale": 0.5}"#, "", "key 'points': needs at least one parameter point"),
      (#""claim": "C1""#, #""claim": "C9""#, "key 'claim'"),
    ])
  func keyErrors(find: String, replace: String, message: String) {
    let json = valid.replacingOccurrences(of: find, with: replace)
    #expect(throws: InputError.self) { try decode(json) }
    do {
      _ = try decode(json)
    } catch {
      #expect(error.message.hasPrefix("x.json: "), "\(error.message)")
      #expect(error.message.contains(message), "\(error.message)")
    }
  }

  @Test("malformed JSON is an error naming the file")
  func malformed() {
    do {
      _ = try decode("{\"claim\": ")
      Issue.record("decoded malformed JSON")
    } catch {
      #expect(error.message.hasPrefix("x.json: not valid JSON"), "\(error.message)")
    }
  }

  @Test("the committed specs are one family: every statistical spec spends a share of α, the shares add up to at most 0.05")
  func oneFamily() throws {
    let folder = CommandRun.packageRoot.appendingPathComponent("Experiments").path
    let specs = try ExperimentRunner.specFiles(in: folder).map { try ExperimentSpec.load(path: $0) }
    let shares = specs.compactMap(\.alpha)
    #expect(!shares.isEmpty && shares.allSatisfy { $0 > 0 && $0 <= 0.01 }, "\(shares)")
    // Deterministic claims (error bounds, enumeration) spend none; the family's bound is the sum verify prints.
    #expect(specs.contains { !$0.isStatistical })
    let total = shares.reduce(0, +)
    #expect(total <= 0.05, "shares add to \(total)")
  }

}

import Foundation
import GradVerify
import Testing

@Suite("Data package: the description of every committed table")
struct DataPackageTests {
  @Test("every CSV in results/ is a resource of datapackage.json, its hash and fields match the file")
  func committedTablesDescribed() throws {
    let results = CommandRun.packageRoot.appendingPathComponent("results")
    let data = try Data(contentsOf: results.appendingPathComponent("datapackage.json"))
    let package = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let resources = try #require(package["resources"] as? [[String: Any]])
    let csvs = try FileManager.default.contentsOfDirectory(atPath: results.path).filter { $0.hasSuffix(".csv") }.sorted()
    #expect(!csvs.isEmpty)
    for name in csvs {
      let resource = try #require(resources.first { $0["path"] as? String == name }, "\(name) is not described")
      let bytes = try Data(contentsOf: results.appendingPathComponent(name))
      #expect(resource["hash"] as? String == "sha256:" + sha256Hex(Array(bytes)), "\(name): hash differs")
      let dialect = try #require(resource["dialect"] as? [String: Any])
      #expect(dialect["lineTerminator"] as? String == "\n")
      let schema = try #require(resource["schema"] as? [String: Any])
      let fields = try #require(schema["fields"] as? [[String: Any]])
      let header = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
      #expect(fields.map { $0["name"] as? String ?? "" }.joined(separator: ",") == header, "\(name): fields ≠ header")
      for field in fields {
        #expect(!(field["description"] as? String ?? "").isEmpty && field["unit"] is String && field["type"] is String)
      }
    }
    #expect(resources.count == csvs.count, "resources without a table")
  }
}

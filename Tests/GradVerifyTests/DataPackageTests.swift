import Foundation
import GradVerify
import Testing

@Suite("Data package: SHA-256 and the description of every committed table")
struct DataPackageTests {
  /// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf").
  @Test(
    "SHA-256 known answers",
    arguments: [
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
    ])
  func knownAnswers(message: String, digest: String) {
    #expect(sha256Hex(Array(message.utf8)) == digest)
  }

  @Test("SHA-256 of a million 'a' (multi-block)")
  func million() {
    #expect(sha256Hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

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

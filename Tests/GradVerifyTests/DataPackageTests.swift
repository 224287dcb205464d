import Foundation
import GradVerify
import Testing

@Suite("Data package: the description of every committed table")
struct DataPackageTests {
  @Test("every CSV and figure in results/ is a resource of datapackage.json, its hash (a CSV's fields too) matching the file")
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
      let header = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
      let problems = Self.fieldProblems(resource, header: header)
      #expect(problems.isEmpty, "\(name): \(problems)")
    }
    let svgs = try FileManager.default.contentsOfDirectory(atPath: results.path).filter { $0.hasSuffix(".svg") }
    for name in svgs {
      let resource = try #require(resources.first { $0["path"] as? String == name }, "\(name) is not described")
      let bytes = try Data(contentsOf: results.appendingPathComponent(name))
      #expect(resource["hash"] as? String == "sha256:" + sha256Hex(Array(bytes)), "\(name): hash differs")
      #expect(resource["bytes"] as? Int == bytes.count, "\(name): size differs")
    }
    #expect(resources.count == csvs.count + svgs.count, "resources without a file")
    #expect(resources.filter { $0["format"] as? String == "csv" }.count == csvs.count)
  }

  /// What is wrong with a table's resource: its fields not the file's header, in order, or a field without
  /// a description, a unit or a type.
  static func fieldProblems(_ resource: [String: Any], header: String) -> [String] {
    guard let schema = resource["schema"] as? [String: Any], let fields = schema["fields"] as? [[String: Any]] else {
      return ["no schema fields"]
    }
    var problems: [String] = []
    let names = fields.map { $0["name"] as? String ?? "" }
    if names.joined(separator: ",") != header { problems.append("fields \(names) ≠ header \(header)") }
    for field in fields {
      let name = field["name"] as? String ?? "?"
      if (field["description"] as? String ?? "").trimmingCharacters(in: .whitespaces).isEmpty { problems.append("\(name): no description") }
      if (field["unit"] as? String ?? "").isEmpty { problems.append("\(name): no unit") }
      if !(field["type"] is String) { problems.append("\(name): no type") }
    }
    return problems
  }

  @Test("the field check fails on a package with a blank description, a missing unit or a renamed field",
        arguments: ["description", "unit", "name"])
  func fieldCheckCanFail(_ key: String) throws {
    let results = CommandRun.packageRoot.appendingPathComponent("results")
    let data = try Data(contentsOf: results.appendingPathComponent("datapackage.json"))
    let package = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var resource = try #require((package["resources"] as? [[String: Any]])?.first { $0["format"] as? String == "csv" })
    let name = try #require(resource["path"] as? String)
    let bytes = try Data(contentsOf: results.appendingPathComponent(name))
    let header = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    #expect(Self.fieldProblems(resource, header: header).isEmpty)
    var schema = try #require(resource["schema"] as? [String: Any])
    var fields = try #require(schema["fields"] as? [[String: Any]])
    if key == "unit" { fields[1].removeValue(forKey: key) } else { fields[1][key] = key == "name" ? "renamed" : " " }
    schema["fields"] = fields
    resource["schema"] = schema
    #expect(!Self.fieldProblems(resource, header: header).isEmpty, "a mutated \(key) passed")
  }
}

/// `DataPackage.render` directly: each table described by its schema, with its type, hash and size.
@Suite struct DataPackageRenderTests {
  static func provenance() throws -> Provenance {
    try Provenance.collect(experimentsFolder: CommandRun.packageRoot.appendingPathComponent("Experiments").path, command: "test")
  }

  @Test("a table's resource: its name, path, byte count, sha256 and typed fields described by its schema")
  func describesTable() throws {
    var table = SchemaTable(
      TableSchema([Column("case", "the case", unit: "1"), Column("cost", "C(θ), the average loss at the point", unit: "loss")]))
    table.append([CSVCell("a"), CSVCell(1.5)])
    let json = try DataPackage.render(
      tables: [ResultTableFile(name: "C1-linearity.csv", table: table)], provenance: try Self.provenance())
    let bytes = Array(table.document.text.utf8)
    #expect(json.contains("\"path\" : \"C1-linearity.csv\""))
    #expect(json.contains("\"name\" : \"c1-linearity\""))
    #expect(json.contains("\"bytes\" : \(bytes.count)"))
    #expect(json.contains("sha256:" + sha256Hex(bytes)))
    #expect(json.contains("C(θ), the average loss at the point") && json.contains("\"unit\" : \"loss\""))
    #expect(json.contains("\"type\" : \"number\"") && json.contains("\"type\" : \"string\""))
  }

  @Test("every claim's tables name every column in their schema, each with a description and a unit")
  func schemasDescribeEveryColumn() throws {
    let folder = CommandRun.packageRoot.appendingPathComponent("Experiments").path
    let results = CommandRun.packageRoot.appendingPathComponent("results")
    for (file, spec) in try ExperimentRunner.loadAll(folder: folder) {
      let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
      for suffix in type(of: spec.experiment).tableSuffixes {
        let committed = try CSVTable.load(path: results.appendingPathComponent("\(stem)\(suffix).csv").path)
        let package = try String(contentsOf: results.appendingPathComponent("datapackage.json"), encoding: .utf8)
        for column in committed.header {
          #expect(package.contains("\"name\" : \"\(column)\""), "\(stem)\(suffix).csv: \(column)")
        }
      }
    }
  }

  @Test("every committed figure is listed in datapackage.json with its byte count, sha256 and caption")
  func listsFigures() throws {
    let results = CommandRun.packageRoot.appendingPathComponent("results")
    let package = try String(contentsOf: results.appendingPathComponent("datapackage.json"), encoding: .utf8)
    let figures = try FileManager.default.contentsOfDirectory(atPath: results.path).filter { $0.hasSuffix(".svg") }
    #expect(!figures.isEmpty)
    for name in figures {
      let bytes = Array(try Data(contentsOf: results.appendingPathComponent(name)))
      #expect(package.contains("\"path\" : \"\(name)\""), "\(name) not listed")
      #expect(package.contains("sha256:" + sha256Hex(bytes)), "\(name): sha256 not the committed file's")
    }
    #expect(package.contains("\"mediatype\" : \"image/svg+xml\""))
  }
}

/// CITATION.cff names the version the tool reports and the date it was released.
@Suite struct CitationTests {
  @Test("CITATION.cff's version is GradVerifyVersion.current, with a release date")
  func versionMatches() throws {
    let text = try String(
      contentsOf: CommandRun.packageRoot.appendingPathComponent("CITATION.cff"), encoding: .utf8)
    #expect(text.contains("version: \"\(GradVerifyVersion.current)\""))
    #expect(text.range(of: #"date-released: "\d{4}-\d{2}-\d{2}""#, options: .regularExpression) != nil)
  }
}

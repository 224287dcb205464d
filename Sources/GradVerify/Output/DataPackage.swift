import Foundation

/// results/datapackage.json: a Frictionless Data Package (v2) describing every table — a Table Schema
/// (each field's name, type, description, unit), the CSV dialect with its "\n" line terminator, and the
/// table's sha256 — and every figure with its caption and sha256, plus the run's provenance.
///
/// Frictionless Data Package v2, https://datapackage.org/standard/data-package/ (2024).
package enum DataPackage {
  /// The figures among `figures` whose bytes the folder's datapackage.json does not describe (another
  /// sha256, or no entry): after `gradverify figures` redraws a figure, the package must be written again by
  /// the command that made the folder. Empty when the folder has no datapackage.json.
  public static func undescribed(_ figures: [ResultFigure], in folder: String) -> [String] {
    guard let resources = resources(in: folder) else { return [] }
    let hashes = Dictionary(resources.compactMap { r in (r["path"] as? String).map { ($0, r["hash"] as? String) } }) { a, _ in a }
    return figures.filter { hashes[$0.name] != "sha256:" + sha256Hex(Array($0.svg.utf8)) }.map(\.name)
  }

  /// The tables and figures the folder's datapackage.json describes (what the run that wrote it put there):
  /// plain file names ending in .csv or .svg only, in its order. Empty when the folder has no datapackage.json.
  public static func describedFiles(in folder: String) -> [String] {
    (resources(in: folder) ?? []).compactMap { $0["path"] as? String }
      .filter { !$0.contains("/") && !$0.hasPrefix(".") && ($0.hasSuffix(".csv") || $0.hasSuffix(".svg")) }
  }

  /// The resources of the folder's datapackage.json; nil when there is none or it is not a package.
  private static func resources(in folder: String) -> [[String: Any]]? {
    guard let data = FileManager.default.contents(atPath: folder + "/datapackage.json"),
      let package = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return package["resources"] as? [[String: Any]] ?? []
  }

  struct Field: Encodable {
    var name: String
    var type: String
    var description: String
    var unit: String
  }
  struct Schema: Encodable {
    var schemaProfile = "https://datapackage.org/profiles/2.0/tableschema.json"
    var fields: [Field]
    var missingValues = [""]
    enum CodingKeys: String, CodingKey {
      case schemaProfile = "$schema"
      case fields, missingValues
    }
  }
  struct Dialect: Encodable {
    var schemaProfile = "https://datapackage.org/profiles/2.0/tabledialect.json"
    var header = true
    var delimiter = ","
    var lineTerminator = "\n"
    var quoteChar = "\""
    enum CodingKeys: String, CodingKey {
      case schemaProfile = "$schema"
      case header, delimiter, lineTerminator, quoteChar
    }
  }
  /// A table (type "table", with dialect and schema) or a figure (an SVG with its caption as description).
  struct Resource: Encodable {
    var name: String
    var path: String
    var type: String? = "table"
    var format = "csv"
    var mediatype = "text/csv"
    var encoding = "utf-8"
    var bytes: Int
    var hash: String
    var description: String? = nil
    var dialect: Dialect? = Dialect()
    var schema: Schema?
  }
  struct Package: Encodable {
    var schemaProfile = "https://datapackage.org/profiles/2.0/datapackage.json"
    var name = "gradverify-results"
    var title = "gradverify: per-example gradient averaging and mini-batch estimates, verified"
    var version: String
    var licenses = [["name": "MIT", "path": "https://opensource.org/licenses/MIT"]]
    var resources: [Resource]
    var provenance: Provenance
    enum CodingKeys: String, CodingKey {
      case schemaProfile = "$schema"
      case name, title, version, licenses, resources, provenance
    }
  }

  /// A resource's name: the file name without its extension, lower case, "_" as "-" ("c1-linearity").
  static func resourceName(_ file: String) -> String {
    let stem = file.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
    return (stem.isEmpty ? file : stem).lowercased().replacingOccurrences(of: "_", with: "-")
  }

  /// The column's Table Schema type, read off its values: boolean, integer, number or string.
  static func inferType(_ values: [String]) -> String {
    let present = values.filter { !$0.isEmpty }
    if present.isEmpty { return "number" }
    if present.allSatisfy({ $0 == "true" || $0 == "false" }) { return "boolean" }
    if present.allSatisfy({ Int($0) != nil }) { return "integer" }
    if present.allSatisfy({ Double($0) != nil }) { return "number" }
    return "string"
  }

  /// The package's JSON text for the given tables, each described by its schema, and figures, each by its
  /// caption; every file with its size and sha256.
  public static func render(
    tables: [ResultTableFile], figures: [ResultFigure] = [], provenance: Provenance
  ) throws(InputError) -> String {
    var resources: [Resource] = []
    for table in tables.sorted(by: { $0.name < $1.name }) {
      let fields = table.schema.columns.enumerated().map { k, column in
        Field(
          name: column.name, type: inferType(table.document.rows.map { $0[k] }), description: column.description,
          unit: column.unit)
      }
      let bytes = Array(table.document.text.utf8)
      resources.append(
        Resource(
          name: resourceName(table.name), path: table.name, bytes: bytes.count,
          hash: "sha256:" + sha256Hex(bytes), schema: Schema(fields: fields)))
    }
    for figure in figures.sorted(by: { $0.name < $1.name }) {
      let bytes = Array(figure.svg.utf8)
      resources.append(
        Resource(
          name: resourceName(figure.name), path: figure.name, type: nil, format: "svg",
          mediatype: "image/svg+xml", bytes: bytes.count, hash: "sha256:" + sha256Hex(bytes),
          description: figure.caption, dialect: nil, schema: nil))
    }
    let package = Package(version: GradVerifyVersion.current, resources: resources, provenance: provenance)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      return String(decoding: try encoder.encode(package), as: UTF8.self) + "\n"
    } catch {
      throw InputError("datapackage: \(error.localizedDescription)")
    }
  }
}

/// Where the tables came from: enough to rerun them and to know what might differ.
package struct Provenance: Encodable, Sendable {
  public struct DataFile: Encodable, Sendable {
    public var path: String
    public var sha256: String
  }
  public struct SpecRecord: Encodable, Sendable {
    public var file: String
    public var claim: String
    public var seed: UInt64
    public var sha256: String
  }

  public var tool = "gradverify"
  public var toolVersion = GradVerifyVersion.current
  /// The last commit that touched Sources/, Experiments/ or Package.swift, and whether they have uncommitted changes.
  public var sourceCommit: String
  public var sourceDirty: Bool
  public var command: String
  public var rng = "Philox4x32-10 keyed by SplitMix64(seed, stream name)"
  public var streamLayoutVersion = PhiloxStream.layoutVersion
  public var samplerVersion = MiniBatchSweep.samplerVersion
  public var blockSize = MiniBatchSweep.blockSize
  public var toolchain = Provenance.toolchainDescription
  public var platform = Provenance.platformDescription
  public var specs: [SpecRecord]
  public var dataFiles: [DataFile]

  static var toolchainDescription: String {
    #if compiler(>=6.3)
      "Swift 6.3 or later"
    #elseif compiler(>=6.2)
      "Swift 6.2"
    #else
      "Swift 6.0 or 6.1"
    #endif
  }

  static var platformDescription: String {
    #if os(Linux)
      let os = "Linux"
    #elseif os(macOS)
      let os = "macOS"
    #else
      let os = "other"
    #endif
    #if arch(x86_64)
      return os + " x86_64"
    #elseif arch(arm64)
      return os + " arm64"
    #else
      return os
    #endif
  }

  /// Reads the spec files and the data files they name.
  /// - Parameters:
  ///   - sourceCommit: the last commit that touched the sources ("unknown" outside a repository).
  ///   - sourceDirty: whether the sources have uncommitted changes (true when unknown).
  public static func collect(
    experimentsFolder: String, command: String, sourceCommit: String = "unknown", sourceDirty: Bool = true
  ) throws(InputError) -> Provenance {
    var specs: [SpecRecord] = []
    var dataPaths: Set<String> = []
    for file in try ExperimentRunner.specFiles(in: experimentsFolder) {
      let spec = try ExperimentSpec.load(path: file)
      let bytes = FileManager.default.contents(atPath: file).map { Array($0) } ?? []
      specs.append(SpecRecord(file: file, claim: spec.claim, seed: spec.seed, sha256: sha256Hex(bytes)))
      for c in spec.cases {
        if case .file(let path, _) = c.data { dataPaths.insert(experimentsFolder + "/" + path) }
      }
    }
    let dataFiles = dataPaths.sorted().map { path in
      DataFile(path: path, sha256: sha256Hex(FileManager.default.contents(atPath: path).map { Array($0) } ?? []))
    }
    return Provenance(
      sourceCommit: sourceCommit, sourceDirty: sourceDirty, command: command, specs: specs, dataFiles: dataFiles)
  }
}

import Foundation
import FoundationXML
import GradVerify
import Testing

/// The SVG renderer the figure tests use: Debian's librsvg2-bin. `.ci/run` installs it and sets
/// GRADVERIFY_REQUIRE_RENDERER=1, so there a missing renderer fails the tests instead of skipping them.
enum Renderer {
  static let path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
    .split(separator: ":").map { "\($0)/rsvg-convert" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }
  static let required = ProcessInfo.processInfo.environment["GRADVERIFY_REQUIRE_RENDERER"] == "1"
}

/// The committed tables of results/, read back as the documents the figures are drawn from.
func committedTables() throws -> [(name: String, document: CSVDocument)] {
  try ResultArtifacts.tables(in: CommandRun.packageRoot.appendingPathComponent("results").path)
    .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
}

/// The figures drawn from `tables` (by file name) for the committed specs of Experiments/ (or only the specs
/// whose tables include `onlyFor`).
func figures(from tables: [(name: String, document: CSVDocument)], onlyFor table: String? = nil) throws -> [ResultFigure] {
  let specs = try ExperimentRunner.loadAll(folder: CommandRun.packageRoot.appendingPathComponent("Experiments").path)
    .filter { spec in table.map { $0.hasPrefix(URL(fileURLWithPath: spec.file).deletingPathExtension().lastPathComponent) } ?? true }
  return try ExperimentRunner.figures(specs: specs, tables: Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0.document) }))
}

/// Whether `text` parses as XML.
func isWellFormedXML(_ text: String) -> Bool {
  XMLParser(data: Data(text.utf8)).parse()
}

@Suite("Figures: drawn from the tables, well-formed, rendered by a real renderer")
struct FigureTests {
  /// The figures committed in results/, in the order the registry draws them: derived from the folder, so a
  /// new claim's figure needs no edit here (only `make results`).
  static var expected: [String] {
    let results = CommandRun.packageRoot.appendingPathComponent("results").path
    let names = Set(((try? FileManager.default.contentsOfDirectory(atPath: results)) ?? []).filter {
      $0.hasPrefix("fig-") && $0.hasSuffix(".svg")
    })
    let drawn = (try? figures(from: committedTables()).map(\.name)) ?? []
    return drawn.filter(names.contains) + names.subtracting(drawn).sorted()
  }

  @Test("a column a figure reads that its table lacks is an error naming the column, not an empty series")
  func missingColumnIsAnError() throws {
    var tables = try committedTables()
    let k = try #require(tables.firstIndex { $0.name == "C2C3-sweep-population.csv" })
    var document = tables[k].document
    let column = try #require(document.header.firstIndex(of: "critical_z"))
    document.header[column] = "renamed_z"
    tables[k].document = document
    #expect(throws: InputError.self) { try figures(from: tables) }
    do {
      _ = try figures(from: tables)
    } catch let error as InputError {
      #expect(error.message.contains("'critical_z'") && error.message.contains("fig-bias-z.svg"), "\(error.message)")
    }
  }

  @Test("an edited cell a figure reads (1e308, 1e-320, inf, text, empty) is an error naming the table, row and column; never a crash",
        arguments: ["1e308", "1e-320", "inf", "nan", "seven", ""])
  func unusableCellIsAnError(_ cell: String) throws {
    for (name, column) in [("N4-mean-of-means.csv", "relative_gap"), ("C2C3-sweep.csv", "mse")] {
      var tables = try committedTables()
      let k = try #require(tables.firstIndex { $0.name == name })
      var document = tables[k].document
      let c = try #require(document.header.firstIndex(of: column))
      document.rows[1][c] = cell
      tables[k].document = document
      do {
        _ = try figures(from: tables)
        Issue.record("\(name) with \(cell) in '\(column)' drew its figures")
      } catch let error as InputError {
        let names = cell.isEmpty ? error.message.contains("is empty") : error.message.contains(cell)
        #expect(error.message.contains("row 2") && error.message.contains("'\(column)'") && names, "\(error.message)")
      }
    }
  }

  /// 220 seeded edits of the committed tables, as a careless or hostile user would make them: a cell set
  /// to a huge, tiny, non-finite, negative, text or empty value, a row removed or doubled, a column renamed.
  /// Each either draws its claim's figures or is refused with one line naming the claim's table; none crashes.
  @Test("220 seeded edits of the committed tables: every one drawn or refused with one line naming the table, never a crash")
  func seededTableEdits() throws {
    let committed = try committedTables()
    let values = ["1e308", "-1e308", "1e-320", "inf", "-inf", "nan", "seven", "", "-1", "0", "1e300", "2.5e-300", "0x10", " 1"]
    var random = SplitMix64(seed: 24)
    var (drawn, refused) = (0, 0)
    for edit in 0..<220 {
      var tables = committed
      let k = Int(random.next() % UInt64(tables.count))
      var document = tables[k].document
      guard !document.rows.isEmpty else { continue }
      let row = Int(random.next() % UInt64(document.rows.count))
      let column = Int(random.next() % UInt64(document.header.count))
      let what: String
      switch random.next() % 8 {
      case 0:
        document.rows.remove(at: row)
        what = "row \(row + 1) removed"
      case 1:
        document.rows.insert(document.rows[row], at: row)
        what = "row \(row + 1) doubled"
      case 2:
        document.header[column] += "_renamed"
        what = "column '\(document.header[column])' renamed"
      default:
        let value = values[Int(random.next() % UInt64(values.count))]
        document.rows[row][column] = value
        what = "row \(row + 1), column '\(document.header[column])' set to '\(value)'"
      }
      tables[k].document = document
      do {
        let drawnFigures = try figures(from: tables, onlyFor: tables[k].name)
        #expect(drawnFigures.allSatisfy { isWellFormedXML($0.svg) }, "edit \(edit) (\(tables[k].name), \(what)): malformed SVG")
        drawn += 1
      } catch let error as InputError {
        let claim = String(tables[k].name.prefix { $0 != "-" })
        #expect(!error.message.contains(where: \.isNewline) && error.message.contains("table")
                  && error.message.hasPrefix(claim), "edit \(edit) (\(tables[k].name), \(what)): \(error.message)")
        refused += 1
      }
    }
    // Both outcomes occur: edits that leave every figure's input usable, and edits a figure must refuse.
    #expect(drawn > 0 && refused > 0, "drawn \(drawn), refused \(refused)")
  }

  @Test("a log axis whose data span 2.5e-300 to 1e300 is drawn with finite decades (its padding left the doubles and trapped)")
  func logAxisAcrossTheDoubles() throws {
    var tables = try committedTables()
    let k = try #require(tables.firstIndex { $0.name == "C2C3-sweep.csv" })
    var document = tables[k].document
    let c = try #require(document.header.firstIndex(of: "mse"))
    document.rows[1][c] = "2.5e-300"
    document.rows[2][c] = "1e300"
    tables[k].document = document
    let mse = try #require(try figures(from: tables).first { $0.name == "fig-mse-vs-b.svg" }?.svg)
    #expect(isWellFormedXML(mse) && !mse.contains("nan") && !mse.contains("inf"))
  }

  @Test("a cell a table leaves empty by design (N1's process design effect where the order has none) is a missing point, not an error")
  func emptyByDesignIsAMissingPoint() throws {
    let tables = try committedTables()
    let n1 = try #require(tables.first { $0.name == "N1-correlated.csv" }?.document)
    let column = try #require(n1.header.firstIndex(of: "design_effect_process"))
    #expect(n1.rows.contains { $0[column].isEmpty }, "the committed N1 table has an empty process design effect")
    #expect(try figures(from: tables).count == Self.expected.count)
  }

  @Test("every figure is drawn from the committed tables, equals the committed file, and is well-formed XML")
  func committedFiguresReproduced() throws {
    let figures = try figures(from: committedTables())
    #expect(figures.map(\.name) == Self.expected)
    let results = CommandRun.packageRoot.appendingPathComponent("results")
    for figure in figures {
      #expect(isWellFormedXML(figure.svg), "\(figure.name) is not well-formed XML")
      let committed = try String(contentsOf: results.appendingPathComponent(figure.name), encoding: .utf8)
      #expect(committed == figure.svg, "results/\(figure.name) differs from the figure drawn from the committed tables")
    }
  }

  @Test("the full calibration's figure (results/calibration, written by make calibrate) is the one drawn from its committed tables")
  func calibrationFigureReproduced() throws {
    let folder = CommandRun.packageRoot.appendingPathComponent("results/calibration")
    let specs = try ExperimentRunner.loadAll(
      folder: CommandRun.packageRoot.appendingPathComponent("Experiments/calibration").path)
    let figures = try ExperimentRunner.figures(specs: specs, tables: ResultArtifacts.tables(in: folder.path))
    #expect(figures.map(\.name) == ["fig-calibration.svg"])
    for figure in figures {
      let committed = try String(contentsOf: folder.appendingPathComponent(figure.name), encoding: .utf8)
      #expect(committed == figure.svg, "results/calibration/\(figure.name) differs from the figure drawn from its tables")
      #expect(figure.problems.isEmpty, "\(figure.name): \(figure.problems.prefix(5))")
    }
  }

  @Test("every figure is numbered in REPORT.md with its caption there, and the caption is not drawn in the image")
  func captionsInReport() throws {
    let figures = try figures(from: committedTables())
    let report = try String(
      contentsOf: CommandRun.packageRoot.appendingPathComponent("results/REPORT.md"), encoding: .utf8)
    #expect(report.contains("## Summary") && report.contains("**Abbreviations.**"))
    // Numbered 1, 2, … in the order the report shows them, each once.
    for k in 1...figures.count { #expect(report.components(separatedBy: "**Figure \(k).** ").count == 2, "figure \(k)") }
    for figure in figures {
      #expect(!figure.caption.isEmpty, "\(figure.name) has no caption")
      #expect(report.contains(".** \(figure.caption)\n"), "\(figure.name): caption not under it in REPORT.md")
      let firstWords = String(figure.caption.prefix(40))
      #expect(!figure.svg.contains(firstWords), "\(figure.name) still draws its caption")
      #expect(!figure.svg.contains("@unit"), "\(figure.name): a panel title in code, not words")
    }
  }

  @Test("every committed figure shows what its words say: no point or reference line clipped, no error above its drawn bound, no 'never' where a bound is missing")
  func figuresTrueToTheirWords() throws {
    for figure in try figures(from: committedTables()) {
      #expect(figure.problems.isEmpty, "\(figure.name): \(figure.problems.prefix(5))")
    }
  }

  @Test("a figure shows its data: one marker per measured row, and an edited value moves its point")
  func figuresShowTheirData() throws {
    let tables = try committedTables()
    let sweep = try #require(tables.first { $0.name == "C2C3-sweep.csv" }?.document)
    let column = try #require(sweep.header.firstIndex(of: "mse"))
    let sampler = try #require(sweep.header.firstIndex(of: "sampler"))
    // Filled circles mark the with-replacement rows (every MSE is positive there), plus one in the legend.
    let withRows = sweep.rows.filter { $0[sampler] == "with" }.count
    let mse = try #require(try figures(from: tables).first { $0.name == "fig-mse-vs-b.svg" }?.svg)
    #expect(mse.components(separatedBy: "<circle").count - 1 == withRows + 1)

    var edited = tables
    let index = try #require(edited.firstIndex { $0.name == "C2C3-sweep.csv" })
    let row = try #require(edited[index].document.rows.firstIndex { $0[sampler] == "with" })
    edited[index].document.rows[row][column] = String(Double(edited[index].document.rows[row][column])! * 3)
    let redrawn = try #require(try figures(from: edited).first { $0.name == "fig-mse-vs-b.svg" }?.svg)
    #expect(redrawn != mse, "tripling one MSE did not change the figure")

    // Calibration: filled circles mark the printed verdict's family-wise rate, one per case and R over every
    // CAL table, plus one in the legend.
    var familyRows = 0
    for table in tables where table.name.hasPrefix("CAL-") {
      let kind = try #require(table.document.header.firstIndex(of: "kind"))
      let statistic = try #require(table.document.header.firstIndex(of: "statistic"))
      familyRows += table.document.rows.filter { $0[kind] == "family" && $0[statistic] == "exact-law" }.count
    }
    let figure = try #require(try figures(from: tables).first { $0.name == "fig-calibration.svg" }?.svg)
    #expect(familyRows >= 1)
    #expect(figure.components(separatedBy: "<circle").count - 1 == familyRows + 1)
  }

  @Test(
    "rsvg-convert renders every figure to a PNG without error",
    .enabled(if: Renderer.path != nil || Renderer.required, "rsvg-convert not found (apt-get install librsvg2-bin)"))
  func figuresRender() throws {
    let renderer = try #require(Renderer.path, "rsvg-convert not found: install librsvg2-bin")
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for figure in try figures(from: committedTables()) {
      let svg = folder.appendingPathComponent(figure.name)
      let png = svg.deletingPathExtension().appendingPathExtension("png")
      try Data(figure.svg.utf8).write(to: svg)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: renderer)
      process.arguments = ["--format", "png", "--output", png.path, svg.path]
      let errors = Pipe()
      process.standardError = errors
      try process.run()
      let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0 && message.isEmpty, "\(figure.name): \(message)")
      let bytes = try Data(contentsOf: png)
      #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000, "\(figure.name): \(bytes.count) bytes")
    }
  }

  /// A folder holding a small C1 spec (logistic regression on two clusters) and, in results/, what
  /// `gradverify results` wrote for it: fig-fd-error-vs-h.svg among the figures.
  static func smallLinearityResults() throws -> URL {
    let spec = """
      {"claim": "C1", "title": "t", "seed": 3, "points": [{"name": "unit", "scale": 1}],
       "cases": [{"model": "logistic", "data": {"synthetic": "clusters", "n": 64, "d": 2, "classes": 2, "seed": 43}}]}
      """
    let folder = try temporaryFolder(["C1-small.json": spec])
    let made = try CommandRun(["results", "--experiments", folder.path, "--out", folder.appendingPathComponent("results").path])
    #expect(made.status != 64, "\(made.stderr)")
    return folder
  }

  @Test("verify names a committed figure edited by hand")
  func verifyComparesFigures() throws {
    let folder = try Self.smallLinearityResults()
    defer { try? FileManager.default.removeItem(at: folder) }
    let results = folder.appendingPathComponent("results").path
    let clean = try CommandRun(["verify", "--experiments", folder.path, "--results", results])
    #expect(clean.stdout.contains("tables and figures in \(results)/ reproduced byte for byte"), "\(clean.stdout)")
    let figure = folder.appendingPathComponent("results/fig-fd-error-vs-h.svg")
    let text = try String(contentsOf: figure, encoding: .utf8)
    #expect(isWellFormedXML(text))
    try Data(text.replacingOccurrences(of: "measured", with: "measureb").utf8).write(to: figure)
    let edited = try CommandRun(["verify", "--experiments", folder.path, "--results", results])
    #expect(edited.status == 1, "\(edited.stdout)")
    #expect(edited.stdout.contains("\(results)/fig-fd-error-vs-h.svg differs"), "\(edited.stdout)")
  }

  @Test("figures redraws from the tables and says when datapackage.json no longer describes a figure it drew")
  func figuresNameAStaleDataPackage() throws {
    let folder = try Self.smallLinearityResults()
    defer { try? FileManager.default.removeItem(at: folder) }
    let results = folder.appendingPathComponent("results").path
    let same = try CommandRun(["figures", "--experiments", folder.path, "--results", results])
    #expect(same.status == 0 && same.stdout.contains("2 redrawn") && !same.stderr.contains("datapackage.json"), "\(same.stderr)")
    // The package's record of one figure made stale, as a redraw after a change to the figure code leaves it.
    let package = folder.appendingPathComponent("results/datapackage.json")
    let recorded = try String(contentsOf: package, encoding: .utf8)
    let drawn = try Data(contentsOf: URL(fileURLWithPath: results + "/fig-fd-error-vs-h.svg"))
    let current = "sha256:" + sha256Hex(Array(drawn))
    #expect(recorded.contains(current))
    try Data(recorded.replacingOccurrences(of: current, with: "sha256:" + String(repeating: "0", count: 64)).utf8).write(to: package)
    let redrawn = try CommandRun(["figures", "--experiments", folder.path, "--results", results])
    #expect(redrawn.status == 0)
    #expect(redrawn.stderr.contains("datapackage.json still describes the earlier fig-fd-error-vs-h.svg"), "\(redrawn.stderr)")
    #expect(!redrawn.stderr.contains("fig-cost-contours.svg"), "\(redrawn.stderr)")
  }

  /// x² + y² = 1 on a grid of step h: linear interpolation along an edge errs in f by at most f''h²/8 = h²/4,
  /// so every contour point satisfies |x² + y² − 1| ≤ h²/4, and the circle comes out as one closed line.
  @Test("marching squares traces a circle within the interpolation error bound, as one closed line")
  func contourOfCircle() {
    let n = 41, h = 4.0 / Double(n - 1)
    let grid = (0..<n).map { -2 + h * Double($0) }
    let values = grid.flatMap { y in grid.map { x in x * x + y * y } }
    let lines = ContourLines.polylines(values: values, xs: grid, ys: grid, level: 1)
    #expect(lines.count == 1)
    let line = lines[0]
    #expect(line.count > 20)
    #expect(line.first! == line.last!, "the circle is not closed")
    let worst = line.map { abs($0.x * $0.x + $0.y * $0.y - 1) }.max()!
    #expect(worst <= h * h / 4, "worst |r² − 1| = \(worst), bound \(h * h / 4)")
  }

  @Test("a saddle cell is split by its centre value, giving two lines that do not cross")
  func contourOfSaddle() {
    // f = x·y on [−1, 1]²: the level 0.1 consists of two hyperbola branches in opposite quadrants.
    let grid = (0...20).map { -1 + 0.1 * Double($0) }
    let values = grid.flatMap { y in grid.map { x in x * y } }
    let lines = ContourLines.polylines(values: values, xs: grid, ys: grid, level: 0.1)
    #expect(lines.count == 2)
    for line in lines { #expect(Set(line.map { $0.x > 0 }).count == 1, "a branch crosses x = 0") }
  }
}

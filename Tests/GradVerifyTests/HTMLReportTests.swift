import Foundation
import GradVerify
import Testing

/// Headless Chromium and netpbm's pngtopnm (Debian's chromium and netpbm), to look at REPORT.html as a
/// reader's browser draws it. `.ci/run` installs both and sets GRADVERIFY_REQUIRE_BROWSER=1, so there a
/// missing browser fails the test instead of skipping it.
enum Browser {
  static func tool(_ name: String) -> String? {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map { "\($0)/\(name)" }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }
  static let chromium = tool("chromium") ?? tool("chromium-browser")
  static let pngtopnm = tool("pngtopnm")
  static let required = ProcessInfo.processInfo.environment["GRADVERIFY_REQUIRE_BROWSER"] == "1"

  /// Runs `path` with `arguments`; its exit status, stdout and stderr.
  static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, out: Data, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Both pipes read to the end on their own threads, so neither can fill and block the child.
    nonisolated(unsafe) var errText = Data()
    let reader = Thread { errText = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return (process.terminationStatus, data, String(decoding: errText, as: UTF8.self))
  }
}

/// An RGB image read from binary PPM (P6, maxval 255).
struct PixelImage {
  var width: Int
  var height: Int
  var bytes: [UInt8]

  init?(ppm data: Data) {
    let bytes = [UInt8](data)
    var fields: [Int] = []
    var i = 2
    guard bytes.starts(with: Array("P6".utf8)) else { return nil }
    while fields.count < 3 && i < bytes.count {
      while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09) { i += 1 }
      var value = 0
      while i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
        value = value * 10 + Int(bytes[i] - 0x30)
        i += 1
      }
      fields.append(value)
    }
    guard fields.count == 3, fields[2] == 255, bytes.count - (i + 1) == fields[0] * fields[1] * 3 else { return nil }
    (width, height) = (fields[0], fields[1])
    self.bytes = Array(bytes[(i + 1)...])
  }

  func pixel(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
    let k = 3 * (y * width + x)
    return (Int(bytes[k]), Int(bytes[k + 1]), Int(bytes[k + 2]))
  }

  /// The longest run of pixels in row y for which `test` holds.
  func longestRun(row y: Int, _ test: ((r: Int, g: Int, b: Int)) -> Bool) -> Int {
    var best = 0, run = 0
    for x in 0..<width {
      run = test(pixel(x, y)) ? run + 1 : 0
      best = Swift.max(best, run)
    }
    return best
  }
}

@Suite("REPORT.html: one self-contained page, every figure inline and visible in a browser")
struct HTMLReportTests {
  static let results = CommandRun.packageRoot.appendingPathComponent("results")

  static func committedFigures() throws -> [String: String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: results.path).filter { $0.hasPrefix("fig-") && $0.hasSuffix(".svg") }
    return try Dictionary(uniqueKeysWithValues: names.map { ($0, try String(contentsOf: results.appendingPathComponent($0), encoding: .utf8)) })
  }

  @Test("the report's Markdown set as HTML: headings, lists, tables, code, bold, links, each figure inline; nothing external")
  func markdownSubset() {
    let markdown = """
      # Title & more

      **Statement.** The `C1` claim, a [`table.csv`](table.csv) and a <tag>.

      - a note
      - another

      | claim | key figure |
      |---|---|
      | C2 | max\\|z\\| 3.1 |

      ![Figure 1: fig-a.svg](fig-a.svg)

      **Figure 1.** Caption.
      """
    let page = HTMLReport.render(markdown: markdown, figures: ["fig-a.svg": "<?xml version=\"1.0\"?>\n<svg width=\"10\"><circle/></svg>"])
    #expect(page.contains("<title>Title &amp; more</title>"))
    #expect(page.contains("<h1 id=\"title---more\">Title &amp; more</h1>"))
    #expect(page.contains("<p><strong>Statement.</strong> The <code>C1</code> claim, a <a href=\"table.csv\"><code>table.csv</code></a> and a &lt;tag&gt;.</p>"))
    #expect(page.contains("<ul>\n<li>a note</li>\n<li>another</li>\n</ul>"))
    #expect(page.contains("<tr><th>claim</th><th>key figure</th></tr>\n<tr><td>C2</td><td>max|z| 3.1</td></tr>"))
    #expect(page.contains("<figure id=\"fig-a-svg\"><svg width=\"10\"><circle/></svg></figure>"))
    #expect(!page.contains("<?xml") && !page.contains("<script") && !page.contains("src="))
  }

  @Test("results/REPORT.html is the committed REPORT.md with every committed figure inline")
  func committedPage() throws {
    let markdown = try String(contentsOf: Self.results.appendingPathComponent("REPORT.md"), encoding: .utf8)
    let figures = try Self.committedFigures()
    let page = try String(contentsOf: Self.results.appendingPathComponent("REPORT.html"), encoding: .utf8)
    #expect(page == HTMLReport.render(markdown: markdown, figures: figures))
    #expect(page.components(separatedBy: "<figure ").count - 1 == figures.count && page.components(separatedBy: "<svg ").count - 1 == figures.count)
    #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("not drawn)"))
  }

  /// The figure boxes of a screenshot: rows where a 1-px grey border (#ddd) runs at least `minimum` pixels,
  /// paired top and bottom.
  static func figureBoxes(_ image: PixelImage, minimum: Int) -> [ClosedRange<Int>] {
    let border = (0..<image.height).filter { y in
      image.longestRun(row: y) { $0.r == $0.g && $0.g == $0.b && (214...228).contains($0.r) } >= minimum
    }
    var boxes: [ClosedRange<Int>] = []
    var k = 0
    while k + 1 < border.count {
      boxes.append(border[k]...border[k + 1])
      k += 2
    }
    return boxes
  }

  @Test("REPORT.html in headless Chromium at 1280 px: it renders, and every figure is on the page with its colours")
  func rendersInChromium() throws {
    guard let chromium = Browser.chromium, let pngtopnm = Browser.pngtopnm else {
      if Browser.required { Issue.record("chromium or pngtopnm not found: install chromium and netpbm") }
      return
    }
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let figures = try Self.committedFigures()
    // The whole page in one tall window (headless Chromium paints only the window), then the top as a reader
    // first sees it; both kept in .build/report-screenshots for a person to look at.
    let shots = CommandRun.packageRoot.appendingPathComponent(".build/report-screenshots")
    try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
    let page = Self.results.appendingPathComponent("REPORT.html").absoluteString
    for (name, height) in [("REPORT-full.png", 40_000), ("REPORT-top.png", 900)] {
      let png = shots.appendingPathComponent(name).path
      try? FileManager.default.removeItem(atPath: png)
      let shot = try Browser.run(chromium, [
        "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(folder.path)",
        "--window-size=1280,\(height)", "--screenshot=\(png)", page,
      ])
      #expect(shot.status == 0 && FileManager.default.fileExists(atPath: png), "chromium exit \(shot.status): \(shot.err)")
    }
    let converted = try Browser.run(pngtopnm, [shots.appendingPathComponent("REPORT-full.png").path])
    let image = try #require(PixelImage(ppm: converted.out), "pngtopnm: \(converted.err)")
    #expect(image.width == 1280 && image.height == 40_000)
    // The page ended inside the window: its last 200 rows are blank.
    let blank = (image.height - 200..<image.height).allSatisfy { y in image.longestRun(row: y) { $0.r < 250 || $0.g < 250 || $0.b < 250 } == 0 }
    #expect(blank, "the report is longer than the 40 000-pixel window")
    let boxes = Self.figureBoxes(image, minimum: 600)
    #expect(boxes.count == figures.count, "\(boxes.count) figure boxes drawn for \(figures.count) figures")
    for box in boxes {
      // A figure is visible: well over a hundred rows, with coloured (Okabe–Ito) pixels inside its box.
      var coloured = 0
      for y in box where y % 2 == 0 {
        for x in stride(from: 0, to: image.width, by: 2) {
          let p = image.pixel(x, y)
          if Swift.max(p.r, p.g, p.b) - Swift.min(p.r, p.g, p.b) > 60 { coloured += 1 }
        }
      }
      #expect(box.count > 200 && coloured > 100, "figure box at rows \(box): \(box.count) rows, \(coloured) coloured pixels sampled")
    }
  }
}

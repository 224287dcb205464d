
/// REPORT.html: the report as one self-contained page a teacher can open and project: the Markdown that
/// `ReportWriter` and `RunReport` write, set as HTML, each figure inline as its SVG (no other file, no
/// script, no external asset). It reads the subset of Markdown those writers produce: headings, paragraphs,
/// "- " lists, pipe tables, figure lines `![…](name.svg)`, `**bold**`, `` `code` `` and `[text](link)`.
package enum HTMLReport {
  /// The page for `markdown`, with the figures (file name → SVG text) its figure lines name.
  public static func render(markdown: String, figures: [String: String]) -> String {
    let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let title = lines.first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? "gradverify report"
    var body: [String] = []
    var paragraph: [String] = []
    var table: [[String]] = []
    var list: [String] = []
    func flush() {
      if !paragraph.isEmpty { body.append("<p>" + inline(paragraph.joined(separator: " ")) + "</p>") }
      paragraph = []
      if !list.isEmpty { body.append("<ul>\n" + list.map { "<li>\(inline($0))</li>" }.joined(separator: "\n") + "\n</ul>") }
      list = []
      if !table.isEmpty { body.append(tableHTML(table)) }
      table = []
    }
    var figureCount = 0
    for line in lines {
      if line.hasPrefix("|") {
        if !paragraph.isEmpty { flush() }
        table.append(cells(line))
        continue
      }
      if !table.isEmpty { flush() }
      if line.isEmpty {
        flush()
      } else if let level = heading(line) {
        flush()
        let text = String(line.drop { $0 == "#" }.dropFirst())
        body.append("<h\(level) id=\"\(anchor(text))\">\(inline(text))</h\(level)>")
      } else if line.hasPrefix("- ") {
        if !paragraph.isEmpty { flush() }
        list.append(String(line.dropFirst(2)))
      } else if line.hasPrefix("!["), let name = line.split(separator: "(").last?.dropLast(), line.hasSuffix(")") {
        flush()
        figureCount += 1
        let svg = figures[String(name)].map(inlineSVG) ?? "<p>(figure \(escape(String(name))) not drawn)</p>"
        body.append("<figure id=\"\(anchor(String(name)))\">\(svg)</figure>")
      } else {
        paragraph.append(line)
      }
    }
    flush()
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(escape(title))</title>
      <style>
      body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1180px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; color: #111; }
      h1 { font-size: 1.8em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
      table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
      th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
      th { background: #f2f2f2; }
      code { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.9em; background: #f5f5f5; padding: 0 0.2em; }
      figure { margin: 1.5em 0; padding: 8px; border: 1px solid #ddd; }
      figure svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
      </style>
      </head>
      <body>
      \(body.joined(separator: "\n"))
      </body>
      </html>

      """
  }

  /// The heading level of a line ("## C1: …" → 2), or nil.
  static func heading(_ line: String) -> Int? {
    let hashes = line.prefix { $0 == "#" }.count
    return (1...4).contains(hashes) && line.dropFirst(hashes).hasPrefix(" ") ? hashes : nil
  }

  /// The cells of a pipe-table row, `\|` kept as a literal bar.
  static func cells(_ line: String) -> [String] {
    let marked = line.replacingOccurrences(of: "\\|", with: "\u{1}")
    return marked.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
      .map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{1}", with: "|") }
  }

  /// A pipe table: the first row the header, the second the `---` separator.
  static func tableHTML(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    let data = rows.dropFirst().filter { !$0.allSatisfy { $0.allSatisfy { $0 == "-" || $0 == ":" } } }
    var html = "<table>\n<tr>" + header.map { "<th>\(inline($0))</th>" }.joined() + "</tr>\n"
    for row in data { html += "<tr>" + row.map { "<td>\(inline($0))</td>" }.joined() + "</tr>\n" }
    return html + "</table>"
  }

  /// The SVG text without its XML declaration, to stand inside the page.
  static func inlineSVG(_ svg: String) -> String {
    guard svg.hasPrefix("<?xml"), let end = svg.firstRange(of: "?>") else { return svg }
    return String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// An id for a heading or figure: letters and digits, the rest as hyphens.
  static func anchor(_ text: String) -> String {
    String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  /// Inline Markdown as HTML: [links](href) (their label set as inline Markdown too), then `code` spans,
  /// then **bold**, the text escaped.
  static func inline(_ text: String) -> String {
    var out = ""
    var rest = Substring(text)
    while let link = rest.firstMatch(of: /\[([^\]]*)\]\(([^) ]+)\)/) {
      out += codeAndBold(String(rest[..<link.range.lowerBound]))
      out += "<a href=\"\(escape(String(link.output.2)))\">\(inline(String(link.output.1)))</a>"
      rest = rest[link.range.upperBound...]
    }
    return out + codeAndBold(String(rest))
  }

  /// Code spans (nothing inside them is markup), and bold outside them.
  static func codeAndBold(_ text: String) -> String {
    let pieces = text.components(separatedBy: "`")
    guard pieces.count % 2 == 1 else { return bold(escape(text)) }
    return pieces.enumerated().map { $0.offset % 2 == 1 ? "<code>\(escape($0.element))</code>" : bold(escape($0.element)) }
      .joined()
  }

  /// **bold** in escaped text; an unpaired ** is left as it is.
  static func bold(_ html: String) -> String {
    let parts = html.components(separatedBy: "**")
    guard parts.count > 1 && parts.count % 2 == 1 else { return html }
    return parts.enumerated().map { $0.offset % 2 == 1 ? "<strong>\($0.element)</strong>" : $0.element }.joined()
  }
}

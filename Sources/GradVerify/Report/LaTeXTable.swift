
/// A table as LaTeX for a slide or a paper: booktabs rules, a `longtable` so a long one breaks across pages
/// (the document needs `\usepackage{booktabs,longtable}`), every cell escaped for pdflatex: its special
/// characters, and the Greek letters and symbols the harness prints as math.
package struct LaTeXTable {
  var caption: String
  /// The column specification, e.g. "l p{5cm} l".
  var columns: String
  var header: [String]
  var rows: [[String]]

  var text: String {
    var out = "% Written by gradverify (make results); needs \\usepackage{booktabs,longtable}.\n"
    out += "\\begin{longtable}{\(columns)}\n\\caption{\(Self.escape(caption))}\\\\\n\\toprule\n"
    out += header.map(Self.escape).joined(separator: " & ") + " \\\\\n\\midrule\n\\endhead\n"
    for row in rows { out += row.map(Self.escape).joined(separator: " & ") + " \\\\\n" }
    return out + "\\bottomrule\n\\end{longtable}\n"
  }

  /// LaTeX's own symbols as the pdflatex text commands or math they stand for.
  static let replacements: [Character: String] = [
    "\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_", "{": "\\{", "}": "\\}",
    "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "<": "\\textless{}", ">": "\\textgreater{}",
    "|": "\\textbar{}", "α": "$\\alpha$", "β": "$\\beta$", "η": "$\\eta$", "θ": "$\\theta$", "λ": "$\\lambda$",
    "μ": "$\\mu$", "σ": "$\\sigma$", "τ": "$\\tau$", "φ": "$\\varphi$", "Σ": "$\\Sigma$", "Δ": "$\\Delta$",
    "∇": "$\\nabla$", "‖": "$\\|$", "∞": "$\\infty$", "≤": "$\\le$", "≥": "$\\ge$", "≈": "$\\approx$",
    "±": "$\\pm$", "×": "$\\times$", "·": "$\\cdot$", "−": "$-$", "→": "$\\to$", "²": "$^2$", "³": "$^3$",
    "√": "$\\surd$", "∈": "$\\in$", "—": "---", "–": "--", "…": "\\ldots{}", "ĝ": "$\\hat g$", "ḡ": "$\\bar g$",
  ]

  /// A cell's text for pdflatex; a character it has no command for is written as "?".
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      if let replacement = replacements[character] {
        out += replacement
      } else if character.isASCII {
        out.append(character)
      } else {
        out += "?"
      }
    }
    return out
  }
}

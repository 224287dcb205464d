
/// A case name as a figure's panel title says it, in words: "logistic/breast_cancer+std@unit" becomes
/// "logistic regression on breast cancer, standardised". Tables keep the exact case name; a slide needs a
/// phrase a class can read. The parameter point is left to the caption.
enum CaseTitle {
  static func words(_ caseName: String) -> String {
    guard let slash = caseName.firstIndex(of: "/") else { return standalone(caseName) }
    let model = String(caseName[..<slash])
    var data = String(caseName[caseName.index(after: slash)...])
    if let at = data.lastIndex(of: "@") { data = String(data[..<at]) }
    return "\(modelWords(model)) on \(dataWords(data))"
  }

  /// "mlp(H=16,l2=0.01)" → "MLP with 16 tanh units (L2 0.01)".
  static func modelWords(_ model: String) -> String {
    let (base, settings) = splitSettings(model)
    var settingsWords: [String] = []
    var hidden: String?
    for (key, value) in settings {
      switch key {
      case "H": hidden = value
      case "l2": settingsWords.append("L2 \(value)")
      default: settingsWords.append("\(key) \(value)")
      }
    }
    let name: String
    switch base {
    case "linear": name = "linear regression"
    case "logistic": name = "logistic regression"
    case "softmax": name = "softmax regression"
    case "mlp": name = hidden.map { "MLP with \($0) tanh units" } ?? "MLP"
    case "batchnorm-linear": name = "batch-normalised linear regression"
    default: name = base
    }
    return settingsWords.isEmpty ? name : "\(name) (\(settingsWords.joined(separator: ", ")))"
  }

  /// "synthetic-clusters(n=300,d=6,k=2)" → "synthetic clusters (N = 300, d = 6, K = 2)";
  /// "diabetes(sorted)+std" → "diabetes, sorted, standardised".
  static func dataWords(_ data: String) -> String {
    var rest = data
    var tail: [String] = []
    if rest.hasSuffix("+std") {
      rest.removeLast(4)
      tail.append("standardised")
    }
    if rest.hasSuffix("+id") {
      rest.removeLast(3)
      tail.insert("with an id column", at: 0)
    }
    if rest.hasSuffix("(sorted)") {
      rest.removeLast("(sorted)".count)
      tail.insert("sorted", at: 0)
    } else if rest.hasSuffix("(shuffled)") {
      rest.removeLast("(shuffled)".count)
      tail.insert("shuffled", at: 0)
    }
    let (base, settings) = splitSettings(rest)
    var name = base == "synthetic-regression"
      ? "synthetic regression data" : base.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
    if !settings.isEmpty {
      let sizes = settings.map { key, value in "\(["n": "N", "k": "K"][key] ?? key) = \(value)" }
      name += " (\(sizes.joined(separator: ", ")))"
    }
    return ([name] + tail).joined(separator: ", ")
  }

  /// Cases that are not a model on a data set: "ar1(phi=0.9,n=8192)", "uniform[0,1)".
  static func standalone(_ name: String) -> String {
    if name.hasPrefix("ar1(") {
      let (_, settings) = splitSettings(name)
      let words = settings.map { key, value in "\(["phi": "φ", "n": "N"][key] ?? key) = \(value)" }
      return (["AR(1) sequence"] + words).joined(separator: ", ")
    }
    if name.hasPrefix("uniform[") { return "uniform numbers in \(name.dropFirst("uniform".count))" }
    return name
  }

  /// "base(a=1,b=2)" → ("base", [("a", "1"), ("b", "2")]); a name without parentheses has no settings.
  static func splitSettings(_ text: String) -> (base: String, settings: [(String, String)]) {
    guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else { return (text, []) }
    let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
    let settings = inside.split(separator: ",").map { part -> (String, String) in
      let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
      return pieces.count == 2 ? (pieces[0], pieces[1]) : (String(part), "")
    }
    return (String(text[..<open]), settings)
  }
}

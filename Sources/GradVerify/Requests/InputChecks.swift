import Foundation

/// `--precision NAME`, one of `allowed` (named in the refusal, "float32 or float64").
package func parsePrecision(
  _ name: String, command: String, allowed: [FrameworkGradientCheck.Precision]
) throws(InputError) -> FrameworkGradientCheck.Precision {
  guard let p = FrameworkGradientCheck.Precision(rawValue: name), allowed.contains(p) else {
    let names = allowed.map(\.rawValue)
    let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
    throw InputError(flag: "--precision", command: command, "'\(name)' is not \(list)")
  }
  return p
}

/// Runs `body`, attributing a file error it throws to the flag that named the file.
package func flagged(_ flag: String, _ body: () throws(InputError) -> Void) throws(InputError) {
  do {
    try body()
  } catch {
    throw error.naming(flag: flag)
  }
}

/// Refuses, before any work, an output that names an input file or another output: `--out` over `--data`
/// would replace the data with the table. Files are compared by identity (device and inode) where they
/// exist, otherwise by their resolved paths.
package func refuseClashes(outputs: [(flag: String, path: String?)], inputs: [String?]) throws(InputError) {
  func identity(_ path: String) -> String {
    let url = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL
    if let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
      let device = attributes[.systemNumber], let inode = attributes[.systemFileNumber]
    {
      return "\(device):\(inode)"
    }
    return url.path
  }
  let given = outputs.compactMap { o in o.path.map { (o.flag, $0, identity($0)) } }
  for input in inputs.compactMap({ $0 }) {
    let id = identity(input)
    if let clash = given.first(where: { $0.2 == id }) {
      throw InputError(flag: clash.0, "names the input file \(input); it would be overwritten")
    }
  }
  for (k, a) in given.enumerated() {
    if let b = given[(k + 1)...].first(where: { $0.2 == a.2 }) {
      throw InputError(flag: b.0, "names the same file as \(a.0) (\(a.1))")
    }
  }
}

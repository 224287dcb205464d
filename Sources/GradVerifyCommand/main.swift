import Foundation
import GradVerify

/// The thin front end: parse the command, call the library, map the outcome to an exit code.
/// Every input error is one line on stderr and exit 64.
func main() -> ExitStatus {
  var arguments = Array(CommandLine.arguments.dropFirst())
  guard let command = arguments.first else {
    printToStandardError(Help.overview)
    return .usage
  }
  arguments.removeFirst()
  if command == "--help" || command == "-h" || command == "help" {
    if let topic = arguments.first {
      guard let text = Help.text(for: topic) else { return fail(InputError("help: no command '\(topic)'")) }
      // The JSON Schema is printed as it is, to be saved and used; help text is wrapped to the terminal.
      if topic == "json" { print(text) } else { printResult(text) }
    } else {
      printResult(Help.overview)
    }
    return .success
  }
  if command == "--version" {
    print("gradverify \(GradVerifyVersion.current)")
    return .success
  }
  guard let entry = Command.named(command) else {
    let names = Command.all.map(\.name).joined(separator: ", ")
    return fail(InputError("unknown command '\(command)' (expected \(names) or help)"))
  }
  if arguments.contains("--help") || arguments.contains("-h") {
    printResult(entry.help())
    return .success
  }
  Progress.shared.setQuiet(arguments.contains("--quiet"))
  arguments.removeAll { $0 == "--quiet" }
  var args = ArgumentList(command: command, declared: entry.options, arguments)
  do throws(InputError) {
    return try entry.run(&args)
  } catch {
    return fail(error)
  }
}

func fail(_ error: InputError) -> ExitStatus {
  Progress.shared.finish()
  FileHandle.standardError.write(Data("gradverify: \(error.message)\n".utf8))
  return .usage
}

exit(main().rawValue)

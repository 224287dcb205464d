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
  guard let help = Help.text(for: command) else {
    return fail(InputError("unknown command '\(command)' (expected verify, results, figures, run, check, sweep, merge, audit, bench or help)"))
  }
  if arguments.contains("--help") || arguments.contains("-h") {
    printResult(help)
    return .success
  }
  Progress.shared.setQuiet(arguments.contains("--quiet"))
  arguments.removeAll { $0 == "--quiet" }
  var args = ArgumentList(command: command, arguments)
  do throws(InputError) {
    switch command {
    case "verify": return try verifyCommand(&args)
    case "results": return try resultsCommand(&args)
    case "figures": return try figuresCommand(&args)
    case "run": return try runCommand(&args)
    case "bench": return try benchCommand(&args)
    case "sweep": return try sweepCommand(&args)
    case "merge": return try mergeCommand(&args)
    case "audit": return try auditCommand(&args)
    default: return try checkCommand(&args)
    }
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

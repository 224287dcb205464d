import GradVerify

/// One command of the `gradverify` front end: its name, its help, the options it reads and what runs it.
/// main dispatches, `--help` answers and `ArgumentList` checks the options from this one table.
struct Command {
  let name: String
  let help: () -> String
  let options: [Option]
  let run: (inout ArgumentList) throws(InputError) -> ExitStatus

  static var all: [Command] {
    [
      Command(name: "verify", help: { Help.verify }, options: CommandOptions.verify, run: verifyCommand),
      Command(name: "results", help: { Help.results }, options: CommandOptions.results, run: resultsCommand),
      Command(name: "figures", help: { Help.figures }, options: CommandOptions.figures, run: figuresCommand),
      Command(name: "run", help: { Help.run }, options: CommandOptions.run, run: runCommand),
      Command(name: "check", help: { Help.check }, options: CommandOptions.check, run: checkCommand),
      Command(name: "sweep", help: { Help.sweep }, options: CommandOptions.sweep, run: sweepCommand),
      Command(name: "merge", help: { Help.merge }, options: CommandOptions.merge, run: mergeCommand),
      Command(name: "audit", help: { Help.audit }, options: CommandOptions.audit, run: auditCommand),
      Command(name: "bench", help: { Help.bench }, options: CommandOptions.bench, run: benchCommand),
    ]
  }

  static func named(_ name: String) -> Command? { all.first { $0.name == name } }
}

import Foundation
import GradVerify
import Synchronization

/// Progress on stderr. On a terminal: one line rewritten in place, what runs with its % of blocks done and
/// an ETA. Elsewhere (a log file, a pipe, a Slurm job's output): one line at most every 10 s
/// (GRADVERIFY_PROGRESS_SECONDS overrides it), the first after that long, so a long run shows it is alive
/// without flooding the log and a short one writes nothing.
/// The fraction shown never goes backwards. `--quiet` turns it all off, with the read summary and notes.
final class Progress: Sendable {
  static let shared = Progress()

  struct State {
    var quiet = false
    var task = ""
    var started = ContinuousClock.now
    var firstDone = 0
    var done = 0
    var total = 0
    /// When the last line was written (first: the start, so a short run writes nothing off a terminal).
    var lastLine = ContinuousClock.now
    /// A terminal line is open (not yet ended by a newline).
    var open = false
  }

  let terminal = isatty(2) != 0
  let interval: Duration
  private let state = Mutex(State())

  init() {
    // Any text: a number of seconds, clamped to [0, one day] (NaN, inf and 1e300 included), else the default.
    let given = ProcessInfo.processInfo.environment["GRADVERIFY_PROGRESS_SECONDS"].flatMap(Double.init) ?? 10
    let seconds = given.isNaN ? 10 : Swift.min(Swift.max(0, given), 86_400)
    interval = .milliseconds(Int(seconds * 1000))
  }

  func setQuiet(_ quiet: Bool) { state.withLock { $0.quiet = quiet } }

  /// `--quiet` was given: stderr carries errors only (no progress, read summary or notes).
  var isQuiet: Bool { state.withLock { $0.quiet } }

  /// A new task starts ("C1 logistic/iris@unit").
  func announce(_ task: String) {
    state.withLock { s in
      guard !s.quiet else { return }
      s.task = task
      s.started = .now
      (s.firstDone, s.done, s.total) = (0, 0, 0)
      emit(&s, force: terminal)
    }
  }

  /// `done` of `total` blocks of `task` are finished.
  func blocks(_ task: String, done: Int, total: Int) {
    state.withLock { s in
      guard !s.quiet else { return }
      if s.task != task || s.total != total {
        s.task = task
        s.started = .now
        (s.firstDone, s.done, s.total) = (done, done, total)
      }
      guard done > s.done else { return }
      s.done = done
      emit(&s, force: terminal && done == total)
    }
  }

  /// Ends an open terminal line, before other output.
  func finish() {
    state.withLock { s in
      if s.open {
        FileHandle.standardError.write(Data("\n".utf8))
        s.open = false
      }
    }
  }

  private func emit(_ s: inout State, force: Bool) {
    let now = ContinuousClock.now
    if !force, now - s.lastLine < (terminal ? .milliseconds(200) : interval) { return }
    s.lastLine = now
    var text = "gradverify: \(s.task)"
    if s.total > 0 {
      // Rounded down, so 100% means done.
      let percent = (Double(s.done) / Double(s.total) * 100).rounded(.down)
      text += String(format: ": %.0f%% done", percent)
      let elapsed = Double((now - s.started).components.seconds) + Double((now - s.started).components.attoseconds) * 1e-18
      if s.done > s.firstDone && s.done < s.total && elapsed > 0.5 {
        let eta = elapsed / Double(s.done - s.firstDone) * Double(s.total - s.done)
        text += String(format: ", about %.0f s left", eta)
      }
    }
    if terminal {
      // Within the line, or the terminal wraps it and the next rewrite leaves the first part behind.
      if let width = TextWidth.current(descriptor: STDERR_FILENO), text.count >= width {
        text = String(text.prefix(width - 2)) + "…"
      }
      FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
      s.open = true
    } else {
      // A log keeps every line; under COLUMNS one wider than it is wrapped like the rest of the output.
      FileHandle.standardError.write(Data("\(fitted(text, width: TextWidth.current(descriptor: STDERR_FILENO)))\n".utf8))
    }
  }
}

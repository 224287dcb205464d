/// Runs `body(i)` for i in 0..<count on up to `threads` threads and returns the results in index order.
///
/// Threads only schedule work: each index's result depends on i alone and lands in slot i, so the
/// output is bit-identical for any thread count.
package func parallelMap<T: Sendable>(count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
  parallelJobs(count: count, threads: threads, makeScratch: {}) { i, _ in body(i) }
}

/// The number of cores this process may use.
public var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }

import Foundation

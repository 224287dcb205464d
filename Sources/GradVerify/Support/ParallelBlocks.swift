import Dispatch
import Synchronization

/// Runs `count` jobs on up to `threads` workers, each worker with its own scratch made by `makeScratch`,
/// and returns the results in job order.
///
/// Determinism: a job's result may depend only on the job index (never on the worker or the order jobs
/// are claimed), so the output is bit-identical for any thread count.
package func parallelJobs<Scratch, T: Sendable>(
  count: Int, threads: Int, makeScratch: @Sendable () -> Scratch,
  _ body: @Sendable (Int, inout Scratch) -> T
) -> [T] {
  precondition(count >= 0 && threads >= 1, "count must be ≥ 0 and threads ≥ 1")
  if threads == 1 || count <= 1 {
    var scratch = makeScratch()
    return (0..<count).map { body($0, &scratch) }
  }
  let next = Atomic<Int>(0)
  return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
    // Each index is claimed once through `next`, so workers write disjoint slots of the shared buffer.
    nonisolated(unsafe) let slots = buffer
    DispatchQueue.concurrentPerform(iterations: Swift.min(threads, count)) { _ in
      var scratch = makeScratch()
      while true {
        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
        if i >= count { break }
        (slots.baseAddress! + i).initialize(to: body(i, &scratch))
      }
    }
    initialized = count
  }
}

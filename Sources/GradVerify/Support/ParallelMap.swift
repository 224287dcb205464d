import Dispatch
import Synchronization

/// Runs `body(i)` for i in 0..<count on up to `threads` threads and returns the results in index order.
///
/// Threads only schedule work: each index's result depends on i alone and lands in slot i, so the
/// output is bit-identical for any thread count.
public func parallelMap<T: Sendable>(count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
  precondition(count >= 0 && threads >= 1, "count must be ≥ 0 and threads ≥ 1")
  if threads == 1 || count <= 1 { return (0..<count).map(body) }
  let next = Atomic<Int>(0)
  return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
    // Workers write disjoint slots (each index is claimed once through `next`), so sharing the
    // buffer across concurrentPerform iterations is safe.
    nonisolated(unsafe) let slots = buffer
    DispatchQueue.concurrentPerform(iterations: Swift.min(threads, count)) { _ in
      while true {
        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
        if i >= count { break }
        (slots.baseAddress! + i).initialize(to: body(i))
      }
    }
    initialized = count
  }
}

/// The number of cores this process may use.
public var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }

import Foundation

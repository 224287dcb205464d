import Foundation

/// The memory a request may plan to hold, checked before anything of that size is allocated: 80% of the
/// machine's physical memory, or `GRADVERIFY_MAX_MEMORY_GB` when set (a number of GiB, to cap a shared machine).
///
/// Each size that comes from input is turned into bytes here, in one formula per structure:
/// ```
/// data set             n·(d + 1)·8                       (features and targets, Double)
/// per-example gradients 3·N·P·8                          (the rows, their column-major copy, a workspace)
/// ```
package enum MemoryBudget {
  public static var bytes: Double {
    if let text = ProcessInfo.processInfo.environment["GRADVERIFY_MAX_MEMORY_GB"], let gb = Double(text), gb > 0, gb.isFinite {
      return gb * 1_073_741_824
    }
    return 0.8 * Double(ProcessInfo.processInfo.physicalMemory)
  }

  /// Bytes of a generated or read data set of n examples and d features.
  public static func dataSet(count n: Int, features d: Int) -> Double { Double(n) * Double(d + 1) * 8 }

  /// Bytes of N per-example gradients of P parameters as the population holds them.
  public static func gradients(count n: Int, parameters p: Int) -> Double { 3 * Double(n) * Double(p) * 8 }

  /// Throws unless `bytes` fit the budget: `what` says what they are for, `fix` how to ask for less.
  public static func require(_ bytes: Double, for what: String, fix: String) throws(InputError) {
    let budget = self.bytes
    guard bytes <= budget else {
      throw InputError("\(what) would need \(gibibytes(bytes)) of memory, more than the \(gibibytes(budget)) this machine allows (GRADVERIFY_MAX_MEMORY_GB); \(fix)")
    }
  }

  package static func gibibytes(_ bytes: Double) -> String {
    let gb = bytes / 1_073_741_824
    return gb >= 10 ? "\(Int(gb.rounded())) GiB" : String(format: "%.2g GiB", gb)
  }
}

/// How a training pipeline laid out its examples: one CSV row per example (in the order of the gradient
/// matrix's rows) with a header naming some of `tokens` (the example's loss tokens), `micro_batch` (its
/// gradient-accumulation step), `rank` (its data-parallel worker) and `padding` (pad tokens it was padded
/// with). Counts are non-negative integers; tokens are positive.
package struct ExampleLayout: Sendable, Equatable {
  public var tokens: [Double]?
  public var microBatch: [Int]?
  public var rank: [Int]?
  public var padding: [Double]?
  public var count: Int

  public static let columns = ["tokens", "micro_batch", "rank", "padding"]

  public init(tokens: [Double]? = nil, microBatch: [Int]? = nil, rank: [Int]? = nil, padding: [Double]? = nil, count: Int) {
    (self.tokens, self.microBatch, self.rank, self.padding, self.count) = (tokens, microBatch, rank, padding, count)
  }

  /// Reads the CSV; every problem names the file, and the line where there is one.
  public static func load(path: String) throws(InputError) -> ExampleLayout {
    let table = try CSVTable.load(path: path, minimumColumns: 1)
    for (k, name) in table.header.enumerated() {
      guard columns.contains(name) else {
        throw InputError(file: path, line: 1, "column \(k + 1) '\(name)' is not one of \(columns.joined(separator: ", "))")
      }
      if table.header[..<k].contains(name) { throw InputError(file: path, line: 1, "column '\(name)' appears twice") }
    }
    func column(_ name: String, minimum: Int) throws(InputError) -> [Int]? {
      guard let k = table.header.firstIndex(of: name) else { return nil }
      var values: [Int] = []
      values.reserveCapacity(table.records.count)
      for record in table.records {
        let cell = record.cells[k].trimmingCharacters(in: .whitespaces)
        guard let v = Int(cell), v >= minimum, v <= 1 << 40 else {
          throw InputError(
            file: path, line: record.line, "\(name) '\(cell)' is not an integer \(minimum == 0 ? "≥ 0" : "≥ 1")")
        }
        values.append(v)
      }
      return values
    }
    return ExampleLayout(
      tokens: try column("tokens", minimum: 1)?.map(Double.init), microBatch: try column("micro_batch", minimum: 0),
      rank: try column("rank", minimum: 0), padding: try column("padding", minimum: 0)?.map(Double.init),
      count: table.records.count)
  }
}

import Foundation

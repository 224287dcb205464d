import Foundation

/// Negative control F: the average of N gradient entries summed in float32 and bfloat16 is not the exact
/// average, by at most Higham's bounds; the typical error grows like √N; bfloat16 recursive summation stalls;
/// the twin, values whose float32 partial sums are all exact, averages exactly.
///
/// Spec key: `precision` (`FinitePrecisionSettings`). Deterministic (the growth slope's 95% interval is a
/// measurement, not a test of a null), so it spends no α.
package struct FinitePrecisionExperiment: Experiment {
  public static let claim = "F"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case bound = "F", growth = "F-growth", stall = "F-stall", twin = "F-twin" }
  public static let keys = ["precision"]
  public static let tableSuffixes = [table.suffix, stallTable.suffix]
  public static let statement =
    "Averaging is exact in real arithmetic only: N entries summed in float32 or bfloat16 miss the exact sum by the labelled format's amount: always within its Higham bounds (γ_{N−1}Σ|x| recursive, γ_{⌈log₂N⌉}Σ|x| pairwise, u|s| + γ²_{N−1}Σ|x| compensated) and beyond the bounds of the next finer format; the typical error grows like √N·u, and bfloat16 recursive summation stops moving once the sum reaches 2⁸ times the terms."

  /// One source of values: a case's gradients, the uniform values, or the grid twin.
  public typealias Record = CaseRecord<FinitePrecisionControl>

  public typealias Result = CaseResults<Record>

  public var settings: FinitePrecisionSettings

  enum Keys: String, CodingKey { case precision }

  public init(settings: FinitePrecisionSettings) { self.settings = settings }

  public init(settingsFrom decoder: any Decoder) throws {
    settings = try decoder.container(keyedBy: Keys.self).decode(Checked<FinitePrecisionSettings>.self, forKey: .precision).value
  }

  public var alpha: Double? { nil }

  static let uniformCase = "uniform[0,1)"
  static let gridCase = "grid k/256"

  public var method: String {
    "N = \(settings.sizes.map(String.init).joined(separator: ", ")) entries, \(settings.replicates) seeded replicates each: the first \(settings.coordinates) gradient coordinates of each case resampled with replacement, and uniform values on [0, 1); rounded to \(settings.precisions.map(\.rawValue).joined(separator: " and ")) (rounding emulated exactly in binary64) and summed recursively, pairwise and by compensated summation (Ogita–Rump–Oishi Sum2), each sum against the exact sum of the same inputs and its bound. The twin: values k/256 summed in float32 recursively for N = \(settings.twinSizes.map(String.init).joined(separator: ", ")), where every partial sum is exact."
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    var records = try input.map { p throws(InputError) in
      let (name, population) = try GradientVisitor.seededPopulation(
        model: p.model, data: p.data, source: p.source, point: p.point, seed: input.seed)
      return Record(caseName: name, control: FinitePrecisionControl(
        source: .rows(population, coordinates: settings.coordinates), sizes: settings.sizes,
        replicates: settings.replicates, precisions: settings.precisions, seed: input.seed, name: name,
        threads: input.threads))
    }
    input.progress("F \(Self.uniformCase)")
    records.append(Record(caseName: Self.uniformCase, control: FinitePrecisionControl(
      source: .uniform, sizes: settings.sizes, replicates: settings.replicates, precisions: settings.precisions,
      seed: input.seed, name: Self.uniformCase, threads: input.threads)))
    records.append(Record(caseName: Self.gridCase, control: FinitePrecisionControl(
      source: .grid, sizes: settings.twinSizes, replicates: settings.replicates, precisions: [.float32],
      seed: input.seed, name: Self.gridCase, threads: input.threads)))
    return Result(records: records)
  }

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case precision, method, maxRelativeError = "max_relative_error", relativeBound = "relative_bound"
  }

  /// One row per case × precision × method × N.
  static let table = RecordTable<(caseName: String, cell: FinitePrecisionControl.Cell)>([
    .column(.caseName) { CSVCell($0.caseName) },
    .column(Columns.precision, "float32 (u = 2⁻²⁴) or bfloat16 (u = 2⁻⁸)", unit: "1") { CSVCell($0.cell.precision.rawValue) },
    .column(Columns.method, "recursive, pairwise or compensated (Sum2) summation", unit: "1") { CSVCell($0.cell.method.rawValue) },
    .column(.count) { CSVCell($0.cell.count) },
    .column("sums", "sums judged: replicates × coordinates", unit: "1") { CSVCell($0.cell.sums) },
    .column("inexact", "sums that differ from the exact sum of the same rounded inputs", unit: "1") { CSVCell($0.cell.inexact) },
    .column("max_ratio", "max |ŝ − s| / bound (the bound infinite where k·u ≥ 1)", unit: "1") { CSVCell($0.cell.maxRatio) },
    .column(
      "max_finer_ratio",
      "max |ŝ − s| / the same method's bound in the next finer format (binary64 for float32, float32 for bfloat16): above 1, no finer arithmetic explains the error",
      unit: "1"
    ) { CSVCell($0.cell.maxFinerRatio) },
    .column(Columns.maxRelativeError, "max |ŝ − s| / Σ|xᵢ|", unit: "1") { CSVCell($0.cell.maxRelativeError) },
    .column("rms_relative_error", "RMS of |ŝ − s| / Σ|xᵢ| (the typical error)", unit: "1") { CSVCell($0.cell.rmsRelativeError) },
    .column(Columns.relativeBound, "largest finite bound / Σ|xᵢ| (empty: no finite bound)", unit: "1") { CSVCell($0.cell.relativeBound) },
  ])

  /// One row per case whose bfloat16 recursive sum stalled.
  static let stallTable = RecordTable<(caseName: String, stall: (lastChange: Int, sum: Double, count: Int))>(suffix: "-stall", [
    .column(.caseName) { CSVCell($0.caseName) },
    .column(.count) { CSVCell($0.stall.count) },
    .column("last_change", "index of the last term that changed the bfloat16 recursive sum", unit: "1") { CSVCell($0.stall.lastChange) },
    .column("stalled_sum", "the bfloat16 recursive sum of all N terms", unit: "1") { CSVCell($0.stall.sum) },
    .column("predicted", "2⁸: from there on every term in [0, 1) is below half an ulp", unit: "1") { _ in CSVCell(256.0) },
  ])

  public func tables(_ result: Result) -> [SchemaTable] {
    [
      Self.table.filled(with: result.records.flatMap { r in r.control.cells.map { (r.caseName, $0) } }),
      Self.stallTable.filled(with: result.records.compactMap { r in r.control.stall.map { (r.caseName, $0) } }),
    ]
  }

  static func short(_ x: Double) -> String { String(format: "%.2g", x) }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    for r in result.records where r.caseName != Self.gridCase {
      let c = r.control
      for precision in settings.precisions {
        for method in SummationMethod.allCases {
          let own = c.cells(precision, method)
          let worst = own.max { $0.maxRatio < $1.maxRatio }!
          let inexact = own.reduce(0) { $0 + $1.inexact }, sums = own.reduce(0) { $0 + $1.sums }
          let finer = own.map(\.maxFinerRatio).max() ?? 0
          rows.append(VerdictRow(
            claim: VerdictClaims.bound, caseName: "\(r.caseName) \(precision.rawValue) \(method.rawValue)",
            keyFigure: "\(inexact)/\(sums) sums inexact; worst error/bound \(rounded3(worst.maxRatio)) at N=\(worst.count) (error \(Self.short(worst.maxRelativeError)), bound \(Self.short(worst.relativeBound)) of sum|x|); largest error \(Self.short(finer))× the finer format's bound (predicted > 1)",
            verdict: c.verdict(precision, method)))
        }
      }
      if settings.precisions.contains(.float32), let g = c.growth(.float32, .recursive) {
        rows.append(VerdictRow(
          claim: VerdictClaims.growth, caseName: "\(r.caseName) float32 recursive",
          keyFigure: "typical error ~ N^\(rounded2(g.slope)) ± \(rounded2(normalQuantile(0.975) * g.standardError)) (95%; random walk of positive terms 0.5, bound 1)",
          verdict: c.growthVerdict(.float32, .recursive)))
      }
      if let s = c.stall, let v = c.stallVerdict {
        rows.append(VerdictRow(
          claim: VerdictClaims.stall, caseName: "\(r.caseName) bfloat16 recursive N=\(s.count)",
          keyFigure: "sum stopped at \(s.sum) (predicted 2^8 = 256) after term \(s.lastChange); mean \(Self.short(s.sum / Double(s.count))) instead of ~0.5",
          verdict: v))
      }
    }
    if let grid = result.records.first(where: { $0.caseName == Self.gridCase }) {
      let own = grid.control.cells(.float32, .recursive)
      let inexact = own.reduce(0) { $0 + $1.inexact }
      rows.append(VerdictRow(
        claim: VerdictClaims.twin, caseName: "\(Self.gridCase) float32 recursive",
        keyFigure: "\(inexact)/\(own.reduce(0) { $0 + $1.sums }) sums inexact up to N=\(own.map(\.count).max() ?? 0) (every partial sum representable)",
        verdict: inexact == 0 ? .pass : .fail))
    }
    return rows
  }
}

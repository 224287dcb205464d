import Foundation

/// Negative control N4: the mean of micro-batch means is not the batch gradient when token counts differ.
/// Gap identity per batch, its expectation over random batching, and two twins: equal token counts, and
/// sum-then-divide-once.
///
/// Spec keys: `mean_of_means` (`MeanOfMeansSettings`) and `alpha`.
package struct MeanOfMeansExperiment: SettingsExperiment {
  public static let claim = "N4"
  /// The claims its verdict rows name.
  package enum VerdictClaims: String, VerdictClaim { case gap = "N4", sumOnce = "N4-sum", equalCounts = "N4-equal" }
  public static let settingsKey = "mean_of_means"
  public static let statement =
    "Averaging micro-batch means (gradient accumulation, data-parallel averaging) breaks the claim when token counts differ: ĝ − ∇C_B = Σ_m (1/M − T_m/T_B) ∇C_{B_m} exactly; equal counts, or summing and dividing once, restore it."

  /// One case × layout × scheme.
  public struct Record: Sendable {
    public var caseName: String
    /// "random", "by-loss" or "equal".
    public var layout: String
    public var control: MeanOfMeansControl
  }

  public struct Result: Sendable {
    public let records: [Record]
    public let criticalZ: Double
  }

  public let configuration: LeveledSettings<MeanOfMeansSettings>
  public init(_ configuration: LeveledSettings<MeanOfMeansSettings>) { self.configuration = configuration }

  public var method: String {
    let schemes = settings.schemes.map { "\($0.name): M = \($0.microBatches) micro-batches of k = \($0.documentsPerMicroBatch) document\($0.documentsPerMicroBatch == 1 ? "" : "s")" }
    return "Each example is a token; tokens are grouped into documents of 1 + Geometric(1/\(settings.meanLength)) tokens (\(settings.groupings.map(\.rawValue).joined(separator: ", ")) grouping) and into documents of exactly \(settings.meanLength) tokens for the twin. "
      + "For \(settings.draws) random batches per scheme (\(schemes.joined(separator: "; "))), every sum exact, the gap ĝ − ∇C_B is checked against Σ_m (1/M − T_m/T_B)∇C_{B_m} within a rounding bound in every batch; with one document per micro-batch the mean of ĝ − ∇C is judged against (1/D)Σ_d ḡ_d − ∇C with its exact standard error."
  }

  /// The layouts of one case: each grouping's unequal documents, then the equal-length twin.
  func layouts(_ gradients: PerExampleGradients, seed: UInt64, name: String) -> [(String, DocumentLayout)] {
    settings.groupings.map { grouping in
      (grouping.rawValue, DocumentLayout.unequal(
        count: gradients.count, meanLength: settings.meanLength, grouping: grouping, losses: gradients.losses, seed: seed,
        name: name))
    } + [(Self.equalLayout, DocumentLayout.equal(count: gradients.count, length: settings.meanLength, seed: seed, name: name))]
  }

  public func run(_ input: ExperimentInput) throws(InputError) -> Result {
    let cases = try input.map { p throws(InputError) in
      let place = GradientVisitor(model: p.model, data: p.data, point: p.point, seed: input.seed)
      return (p.caseName, try p.model.visit(place, data: p.data, source: p.source))
    }
    // The z-tests that can fail a true prediction: per case, layout and one-document scheme, one per coordinate.
    let exactSchemes = settings.schemes.filter(\.hasExactExpectation).count
    let tests = cases.reduce(0) { $0 + $1.1.parameterCount * (settings.groupings.count + 1) * exactSchemes }
    let critical = bonferroniCriticalZ(familyWiseAlpha: level, tests: Swift.max(1, tests))
    var records: [Record] = []
    for (name, gradients) in cases {
      for (layoutName, layout) in layouts(gradients, seed: input.seed, name: name) {
        for scheme in settings.schemes {
          guard 2 * scheme.documentsPerBatch <= layout.documents.count else {
            throw InputError(
              "\(Self.claim) \(name): the \(scheme.name) batch takes \(scheme.documentsPerBatch) documents, more than half of the \(layout.documents.count) (\(layoutName)); lower micro_batches or documents_per_micro_batch")
          }
          let control = MeanOfMeansControl(
            rows: gradients.matrix, dimension: gradients.parameterCount, layout: layout, scheme: scheme, draws: settings.draws, seed: input.seed,
            name: "\(name)/\(layoutName)", criticalZ: critical, threads: input.threads)
          records.append(Record(caseName: name, layout: layoutName, control: control))
        }
      }
    }
    return Result(records: records, criticalZ: critical)
  }

  /// The layout of the twin: every document of one length.
  static let equalLayout = "equal"

  /// The columns its figures read, by name (the table declares what each means).
  enum Columns: String, ColumnName {
    case identityViolations = "identity_violations", layout, scheme, microBatches = "M"
    case documentsPerMicroBatch = "k", relativeGap = "relative_gap", relativePrediction = "relative_prediction"
  }

  /// One row per case × layout × scheme; the k = 1 bias columns only where the scheme's expectation is exact.
  static let table = RecordTable<Record>([
    .column(.caseName) { CSVCell($0.caseName) },
    .column(Columns.layout, "documents: random or by-loss grouping of geometric lengths, or equal lengths (twin)", unit: "1") { CSVCell($0.layout) },
    .column(Columns.scheme, "batching scheme", unit: "1") { CSVCell($0.control.scheme.name) },
    .column(Columns.microBatches, "micro-batches per batch", unit: "1") { CSVCell($0.control.scheme.microBatches) },
    .column(Columns.documentsPerMicroBatch, "documents per micro-batch", unit: "1") { CSVCell($0.control.scheme.documentsPerMicroBatch) },
    .column("documents", "documents D", unit: "1") { CSVCell($0.control.documents) },
    .column("tokens", "tokens in the documents", unit: "1") { CSVCell($0.control.tokens) },
    .column("min_length", "shortest document", unit: "token") { CSVCell($0.control.lengthRange.0) },
    .column("max_length", "longest document", unit: "token") { CSVCell($0.control.lengthRange.1) },
    .column(.draws) { CSVCell($0.control.draws) },
    .column(Columns.identityViolations, "batches where |(ĝ − ∇C_B) − Σ_m w_m ∇C_{B_m}| exceeded its rounding bound τ", unit: "1") {
      CSVCell($0.control.identityViolations)
    },
    .column("identity_max_ratio", "largest |(ĝ − ∇C_B) − Σ_m w_m ∇C_{B_m}|/τ over batches and coordinates", unit: "1") {
      CSVCell($0.control.identityMaxRatio)
    },
    .column("batches_with_gap", "batches where ĝ − ∇C_B exceeds τ in some coordinate", unit: "1") { CSVCell($0.control.batchesWithGap) },
    .column(Columns.relativeGap, "mean over batches of ‖ĝ − ∇C_B‖/‖∇C_B‖ (measured)", unit: "1") { CSVCell($0.control.meanRelativeGap) },
    .column(Columns.relativePrediction, "mean over batches of ‖Σ_m (1/M − T_m/T_B)∇C_{B_m}‖/‖∇C_B‖ (predicted)", unit: "1") {
      CSVCell($0.control.meanRelativePrediction)
    },
    .column("sum_violations", "batches where Σ_m S_m/T_B (sum, then divide once) missed ∇C_B by more than its rounding bound", unit: "1") {
      CSVCell($0.control.sumViolations)
    },
    .column("bias_norm", "‖mean over batches of ĝ − ∇C‖ (k = 1)", unit: "gradient") { CSVCell(Self.exactOnly($0.control, \.meanBiasNorm)) },
    .column("predicted_bias_norm", "‖(1/D)Σ_d ḡ_d − ∇C‖, the exact expectation (k = 1)", unit: "gradient") {
      CSVCell(Self.exactOnly($0.control, \.predictedBiasNorm))
    },
    .column("max_agreement_z", "maxⱼ |mean − prediction|/se, se exact (k = 1)", unit: "1") { CSVCell(Self.exactOnly($0.control, \.maxAgreementZ)) },
    .column("max_bias_z", "maxⱼ |mean|/se (k = 1)", unit: "1") { CSVCell(Self.exactOnly($0.control, \.maxBiasZ)) },
    .column("predicted_z", "maxⱼ |prediction|/se: the bias the test can see (k = 1)", unit: "1") {
      CSVCell(Self.exactOnly($0.control, \.predictedZ))
    },
    .column(.criticalZ) { CSVCell($0.control.criticalZ) },
  ])

  /// A k = 1 bias figure of the control, where its scheme has an exact expectation; nil (an empty cell) elsewhere.
  static func exactOnly(_ control: MeanOfMeansControl, _ figure: KeyPath<MeanOfMeansControl, Double>) -> Double? {
    control.scheme.hasExactExpectation ? control[keyPath: figure] : nil
  }

  public func tables(_ result: Result) -> [SchemaTable] { [Self.table.filled(with: result.records)] }

  static func percent(_ x: Double) -> String { String(format: "%.3g%%", 100 * x) }
  static func short(_ x: Double) -> String { String(format: "%.3g", x) }

  public func verdicts(_ result: Result) -> [VerdictRow] {
    var rows: [VerdictRow] = []
    let z = rounded2(result.criticalZ)
    for caseName in result.records.map(\.caseName).uniqued() {
      let own = result.records.filter { $0.caseName == caseName }
      for grouping in settings.groupings.map(\.rawValue) {
        let runs = own.filter { $0.layout == grouping }
        for r in runs {
          let c = r.control
          let identity = "identity held in \(c.draws - c.identityViolations)/\(c.draws) batches (max \(Self.short(c.identityMaxRatio)) tau)"
          let gap = "gap \(Self.percent(c.meanRelativeGap)) of |grad C_B|, predicted \(Self.percent(c.meanRelativePrediction))"
          let figure = c.scheme.hasExactExpectation
            ? "bias |E g^-grad C| \(Self.short(c.meanBiasNorm)), predicted \(Self.short(c.predictedBiasNorm)) (max|z| \(rounded2(c.maxAgreementZ)) <= \(z), bias z \(rounded2(c.maxBiasZ))); \(gap); \(identity)"
            : "\(gap), in \(c.batchesWithGap)/\(c.draws) batches beyond rounding; \(identity)"
          rows.append(VerdictRow(
            claim: VerdictClaims.gap, caseName: "\(caseName) \(grouping) \(c.scheme.name) M=\(c.scheme.microBatches) k=\(c.scheme.documentsPerMicroBatch)",
            keyFigure: figure, verdict: c.controlVerdict))
        }
        let sums = runs.map(\.control.sumViolations)
        rows.append(VerdictRow(
          claim: VerdictClaims.sumOnce, caseName: "\(caseName) \(grouping)",
          keyFigure: "sum then divide once: \(sums.reduce(0, +)) of \(runs.reduce(0) { $0 + $1.control.draws }) batches off grad C_B beyond rounding",
          verdict: runs.map(\.control.sumTwinVerdict).max() ?? .fail))
      }
      let equal = own.filter { $0.layout == Self.equalLayout }
      let worstZ = equal.filter(\.control.scheme.hasExactExpectation).map(\.control.maxAgreementZ).max() ?? 0
      let gaps = equal.reduce(0) { $0 + $1.control.batchesWithGap }
      rows.append(VerdictRow(
        claim: VerdictClaims.equalCounts, caseName: "\(caseName) L=\(settings.meanLength)",
        keyFigure: "equal token counts: gap beyond rounding in \(gaps) of \(equal.reduce(0) { $0 + $1.control.draws }) batches; E g^ = grad C (max|z| \(rounded2(worstZ)) <= \(z))",
        verdict: equal.map(\.control.equalTwinVerdict).max() ?? .fail))
    }
    return rows
  }
}

extension Sequence where Element: Hashable {
  /// The elements in first-seen order, each once.
  func uniqued() -> [Element] {
    var seen = Set<Element>()
    return filter { seen.insert($0).inserted }
  }
}


/// One column of a result table: its name in the CSV header, what it means and its unit, for the Table
/// Schemas of results/datapackage.json. Units: "1" for dimensionless numbers and counts, "loss" for values of
/// the cost, "gradient" for gradient entries (loss per parameter unit), "gradient²" for squared gradient
/// norms, "parameter" for values of θ and steps in it.
package struct Column: Sendable, Equatable {
  public var name: String
  public var description: String
  public var unit: String

  public init(_ name: String, _ description: String, unit: String) {
    self.name = name
    self.description = description
    self.unit = unit
  }

  /// The same column with a description fitted to one table.
  func described(_ description: String) -> Column { Column(name, description, unit: unit) }
}

/// The name of a column that a claim's figures read, declared once as a case of the claim's `Columns` enum;
/// its description and unit stand where the table declares the column (`RecordTable.Field.column`).
package protocol ColumnName: RawRepresentable<String>, Sendable {}

/// The columns of one result table, in order. A claim declares the schema of each of its tables beside the
/// code that fills them; the CSV header is the schema's names, so the two cannot drift apart.
package struct TableSchema: Sendable, Equatable {
  public var columns: [Column]
  public init(_ columns: [Column]) { self.columns = columns }
}

/// Columns that mean the same in the tables of several claims.
extension Column {
  static let caseName = Column("case", "model/data set@parameter point (+std: standardised features; (sorted)/(shuffled): row order)", unit: "1")
  static let coordinate = Column("coordinate", "θ coordinate (0-based)", unit: "1")
  static let count = Column("N", "number of examples", unit: "1")
  static let parameterCount = Column("P", "number of parameters (length of θ)", unit: "1")
  static let sampler = Column("sampler", "with, without (replacement), poisson (÷b), poisson-realized (÷|B|), or a contiguous sampler", unit: "1")
  static let batch = Column("b", "batch size", unit: "1")
  static let criticalZ = Column("critical_z", "Bonferroni critical |z| of one tail, Φ⁻¹(1 − α/(2m))", unit: "1")
  static let draws = Column("draws", "Monte Carlo replicates", unit: "1")
  static let meanSquaredError = Column("mse", "Monte Carlo mean of ‖ḡ_b − g‖²", unit: "gradient²")
  static let meanSquaredErrorNullSE = Column("mse_null_se", "exact null standard error of mse, √(Var e/R) from the population", unit: "gradient²")
  static let theory = Column("theory", "exact E‖ḡ_b − g‖² for the sampler", unit: "gradient²")
  static let varianceZ = Column("z_variance", "(mse − theory)/mse_null_se", unit: "1")
  static let lowerCriticalZ = Column("z_lower", "lower critical z of the cell (Bonferroni level per tail, skewness-corrected)", unit: "1")
  static let upperCriticalZ = Column("z_upper", "upper critical z of the cell", unit: "1")
  static let exactlyZero = Column("exactly_zero", "every replicate exactly zero", unit: "1")
  static let eta = Column("eta", "SGD step size η", unit: "parameter²/loss")
}

/// The name of a case in tables and verdicts: "mlp(H=16)/breast_cancer+std@far".
package enum CaseName {
  public static func of(model: ModelChoice, data: Dataset, point: String) -> String {
    "\(model.name)/\(data.name)\(data.standardization == nil ? "" : "+std")@\(point)"
  }
}

/// Per-example gradients computed elsewhere (PyTorch's `torch.func.vmap(grad(…))`, JAX's `vmap(grad(…))`,
/// Opacus, BackPACK), as an N × P matrix: a `.npy` file (float64 or float32, C or Fortran order) or a CSV
/// with a header row and one example per line, as `gradverify check --dump-gradients` writes it.
package struct GradientFile: Sendable {
  public var path: String
  /// Row-major N × P, in the file's precision.
  public var matrix: RowMatrix
  public var count: Int
  public var dimension: Int
  /// "float64" or "float32": the precision the file stores.
  public var storage: String

  /// Reads the matrix; a `.npy` name is read as NumPy's format, anything else as CSV.
  public static func load(path: String, threads: Int = 1) throws(InputError) -> GradientFile {
    if path.lowercased().hasSuffix(".npy") {
      let npy = try NPYMatrix.load(path: path)
      guard npy.dimensions == 2 else {
        throw InputError(file: path, "a vector of \(npy.rows); per-example gradients are a matrix of shape (N, P)")
      }
      guard npy.rows >= 2, npy.columns >= 1 else {
        throw InputError(file: path, "shape (\(npy.rows), \(npy.columns)): need at least 2 examples and 1 parameter")
      }
      return GradientFile(
        path: path, matrix: npy.matrix, count: npy.rows, dimension: npy.columns,
        storage: npy.itemBytes == 8 ? "float64" : "float32")
    }
    // The CSV reader takes its last column as a numeric target: the row is the features, then the target.
    let data = try Dataset.load(csv: path, target: .numeric, threads: threads)
    let d = data.featureCount
    var matrix = [Double](repeating: 0, count: data.count * (d + 1))
    for i in 0..<data.count {
      for j in 0..<d { matrix[i * (d + 1) + j] = data.features[i * d + j] }
      matrix[i * (d + 1) + d] = data.targets[i]
    }
    guard data.count >= 2 else { throw InputError(file: path, "\(data.count) example; need at least 2") }
    return GradientFile(path: path, matrix: RowMatrix(matrix), count: data.count, dimension: d + 1, storage: "float64")
  }

  /// The rows as the population a sweep samples from.
  public var population: GradientPopulation { GradientPopulation(matrix: matrix, count: count, dimension: dimension) }
}

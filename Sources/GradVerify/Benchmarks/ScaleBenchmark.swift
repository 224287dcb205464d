import Foundation

/// The benchmarks of real data sizes (`gradverify bench`, never a test): reading a large CSV, the sweep
/// kernel out of cache beside the machine's own read bandwidth, and `check`'s time split into reading
/// and checking. Each result is a line of `key=value` fields, for people and for `make bench`'s ratios.
package enum ScaleBenchmark {
  /// Writes an N × (d + 1) CSV of standard normals (seeded, shortest round-trip text), the last column the
  /// target y = Σ xⱼ/√d + noise, unless a file of that name exists already. Returns its size in bytes.
  @discardableResult
  public static func writeData(path: String, rows: Int, features: Int, seed: UInt64) throws(InputError) -> Int {
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 { return size }
    var rng = PhiloxStream(seed: seed, name: "bench/csv")
    var text = (0..<features).map { "x\($0)" }.joined(separator: ",") + ",y\n"
    text.reserveCapacity(rows * (features + 1) * 20)
    let scale = 1 / Double(features).squareRoot()
    for _ in 0..<rows {
      var y = rng.nextNormal()
      for _ in 0..<features {
        let x = rng.nextNormal()
        y += x * scale
        text += x.description
        text += ","
      }
      text += y.description
      text += "\n"
    }
    try AtomicFile.write(text, to: path)
    return text.utf8.count
  }

  /// The median of `repeats` timings of `body`, in seconds.
  static func medianSeconds(repeats: Int, _ body: () throws(InputError) -> Void) throws(InputError) -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
  }

  /// Reading a CSV into a data set: bytes per second (median of `repeats`).
  public static func ingest(path: String, threads: Int, repeats: Int = 3) throws(InputError) -> String {
    let bytes = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
    var shape = ""
    let seconds = try medianSeconds(repeats: repeats) { () throws(InputError) in
      let data = try Dataset.load(csv: path, target: .numeric, threads: threads)
      shape = "\(data.count)x\(data.featureCount + 1)"
    }
    return "csv file=\(path) shape=\(shape) bytes=\(bytes) threads=\(threads) seconds=\(rounded4(seconds)) "
      + "MBps=\(Int((Double(bytes) / seconds / 1e6).rounded()))"
  }

  /// One core's read bandwidth: the best of 3 sums of a 256 MB array (8 interleaved SIMD sums), in bytes/s.
  public static func readBandwidth(bytes: Int = 256 << 20) -> Double {
    let n = bytes / 8
    let values = [Double](repeating: 1, count: n)
    var best = 0.0
    var total = 0.0
    values.withUnsafeBufferPointer { buffer in
      let raw = UnsafeRawPointer(buffer.baseAddress!)
      for _ in 0..<3 {
        let start = DispatchTime.now().uptimeNanoseconds
        var s0 = SIMD8<Double>(), s1 = SIMD8<Double>(), s2 = SIMD8<Double>(), s3 = SIMD8<Double>()
        var i = 0
        while i + 32 <= n {
          let o = i * 8
          s0 += raw.loadUnaligned(fromByteOffset: o, as: SIMD8<Double>.self)
          s1 += raw.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Double>.self)
          s2 += raw.loadUnaligned(fromByteOffset: o + 128, as: SIMD8<Double>.self)
          s3 += raw.loadUnaligned(fromByteOffset: o + 192, as: SIMD8<Double>.self)
          i += 32
        }
        total += ((s0 + s1) + (s2 + s3)).sum()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = Swift.max(best, Double(n * 8) / seconds)
      }
    }
    precondition(total == Double(3 * (n / 32) * 32), "the bandwidth sum must read every value")
    return best
  }

  /// An N × P population of standard normals for `kernel`.
  public static func kernelPopulation(count n: Int, dimension p: Int) -> GradientPopulation {
    var rng = PhiloxStream(seed: 1, name: "bench/kernel")
    return GradientPopulation(rows: (0..<(n * p)).map { _ in rng.nextNormal() }, count: n, dimension: p)
  }

  /// The sweep kernel on a population far larger than the caches, R draws per size: bytes of gradient
  /// rows summed per second per thread, beside `bandwidth`.
  public static func kernel(
    population: GradientPopulation, sampler: SamplerKind, sizes: [Int], draws: Int, threads: Int, bandwidth: Double
  ) -> String {
    let (n, p) = (population.count, population.dimension)
    let cells = sizes.map { SweepCell(sampler: sampler, batch: $0) }
    let start = DispatchTime.now().uptimeNanoseconds
    let result = MiniBatchSweep.run(population: population, cells: cells, draws: draws, seed: 1, name: "kernel", threads: threads)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    precondition(result.count == cells.count)
    let rows = Double(draws * sizes.reduce(0, +))
    let perThread = rows * Double(p * 8) / seconds / Double(threads)
    return "kernel sampler=\(sampler.rawValue) N=\(n) P=\(p) G_MB=\(n * p * 8 / 1_000_000) sizes=\(sizes.map(String.init).joined(separator: ",")) "
      + "draws=\(draws) threads=\(threads) seconds=\(rounded4(seconds)) GBps_per_thread=\(rounded2(perThread / 1e9)) "
      + "read_bandwidth_GBps=\(rounded2(bandwidth / 1e9)) fraction_of_bandwidth=\(rounded2(perThread / bandwidth))"
  }

  /// `gradverify check --model linear` on a CSV, timed in two parts: reading the file, and the rest.
  public static func check(path: String, threads: Int) throws(InputError) -> String {
    let start = DispatchTime.now().uptimeNanoseconds
    let data = try Dataset.load(csv: path, target: .numeric, threads: threads)
    let read = DispatchTime.now().uptimeNanoseconds
    let records = try LinearityExperiment.records(
      model: ModelChoice(kind: .linear), data: data, source: path, points: ParameterPointSpec.defaults, seed: 1,
      threads: threads)
    let end = DispatchTime.now().uptimeNanoseconds
    let (reading, checking) = (Double(read - start) / 1e9, Double(end - read) / 1e9)
    let verdicts = LinearityExperiment().verdicts(LinearityExperiment.Result(records: records)).map(\.verdict.rawValue)
      .joined(separator: ",")
    return "check file=\(path) threads=\(threads) read_seconds=\(rounded4(reading)) check_seconds=\(rounded4(checking)) "
      + "read_fraction=\(rounded4(reading / (reading + checking))) verdicts=\(verdicts)"
  }

  static func rounded4(_ x: Double) -> Double { (x * 1e4).rounded() / 1e4 }
  static func rounded2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}

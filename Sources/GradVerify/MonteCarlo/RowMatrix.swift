/// An N × P row-major matrix held in the precision it came in: float64 as `Double`, float32 as `Float`.
///
/// A float32 gradient matrix is exactly its float32 values, so keeping them as `Float` loses nothing and
/// holds the population in the file's own size; every kernel widens each value to `Double` as it reads it
/// (exactly: every float is a double) and accumulates in `Double` or exactly.
public struct RowMatrix: Sendable, Equatable {
  public enum Storage: Sendable, Equatable {
    case double([Double])
    case float([Float])
  }

  public let storage: Storage

  public init(_ values: [Double]) { storage = .double(values) }
  public init(_ values: [Float]) { storage = .float(values) }

  /// N·P.
  public var elementCount: Int {
    switch storage {
    case .double(let v): v.count
    case .float(let v): v.count
    }
  }

  /// Bytes held: 8 or 4 per element.
  public var byteCount: Int {
    switch storage {
    case .double(let v): v.count * 8
    case .float(let v): v.count * 4
    }
  }

  /// Element k (row k / P, column k mod P), widened.
  @inline(__always) public subscript(_ k: Int) -> Double {
    switch storage {
    case .double(let v): v[k]
    case .float(let v): Double(v[k])
    }
  }

  /// Every element as a double (a copy: for small matrices and tests).
  public var doubles: [Double] {
    switch storage {
    case .double(let v): v
    case .float(let v): v.map(Double.init)
    }
  }

  /// Calls `body` with a pointer to the elements in their stored type.
  func withElements<R>(_ body: (RowElements) throws -> R) rethrows -> R {
    switch storage {
    case .double(let v): try v.withUnsafeBufferPointer { try body(.double($0.baseAddress!)) }
    case .float(let v): try v.withUnsafeBufferPointer { try body(.float($0.baseAddress!)) }
    }
  }
}

/// The elements of a `RowMatrix` as stored, for kernels generic over `StoredScalar`.
enum RowElements: @unchecked Sendable {
  case double(UnsafePointer<Double>)
  case float(UnsafePointer<Float>)
}

/// A type a gradient matrix is stored in, widened to `Double` as it is read (exact for both).
protocol StoredScalar: BinaryFloatingPoint {
  /// The value whose IEEE bit pattern is the low 64 or 32 bits of `storedBits`.
  init(storedBits: UInt64)
  var wide: Double { get }
  /// Elements t, t+1 (t+2 … t+7; t … t+15) at `p`, widened.
  static func pair(_ p: UnsafePointer<Self>, _ t: Int) -> SIMD2<Double>
  static func eight(_ p: UnsafePointer<Self>, _ t: Int) -> SIMD8<Double>
  static func sixteen(_ p: UnsafePointer<Self>, _ t: Int) -> SIMD16<Double>
}

extension Double: StoredScalar {
  init(storedBits: UInt64) { self.init(bitPattern: storedBits) }
  @inline(__always) var wide: Double { self }
  @inline(__always) static func pair(_ p: UnsafePointer<Double>, _ t: Int) -> SIMD2<Double> {
    UnsafeRawPointer(p + t).loadUnaligned(as: SIMD2<Double>.self)
  }
  @inline(__always) static func eight(_ p: UnsafePointer<Double>, _ t: Int) -> SIMD8<Double> {
    UnsafeRawPointer(p + t).loadUnaligned(as: SIMD8<Double>.self)
  }
  @inline(__always) static func sixteen(_ p: UnsafePointer<Double>, _ t: Int) -> SIMD16<Double> {
    UnsafeRawPointer(p + t).loadUnaligned(as: SIMD16<Double>.self)
  }
}

extension Float: StoredScalar {
  init(storedBits: UInt64) { self.init(bitPattern: UInt32(truncatingIfNeeded: storedBits)) }
  @inline(__always) var wide: Double { Double(self) }
  @inline(__always) static func pair(_ p: UnsafePointer<Float>, _ t: Int) -> SIMD2<Double> {
    SIMD2<Double>(UnsafeRawPointer(p + t).loadUnaligned(as: SIMD2<Float>.self))
  }
  @inline(__always) static func eight(_ p: UnsafePointer<Float>, _ t: Int) -> SIMD8<Double> {
    SIMD8<Double>(UnsafeRawPointer(p + t).loadUnaligned(as: SIMD8<Float>.self))
  }
  @inline(__always) static func sixteen(_ p: UnsafePointer<Float>, _ t: Int) -> SIMD16<Double> {
    SIMD16<Double>(UnsafeRawPointer(p + t).loadUnaligned(as: SIMD16<Float>.self))
  }
}

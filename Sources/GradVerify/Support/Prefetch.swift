/// LLVM's prefetch intrinsic (`llvm.prefetch`: address, 0 = read, locality 0–3, 1 = data cache), reached
/// through its symbol name because Swift has no prefetch of its own; on a target without prefetch
/// instructions LLVM drops it. A hint only: it never changes a value.
@_silgen_name("llvm.prefetch.p0") @usableFromInline
func _llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)

/// Asks for the cache lines of bytes [address, address + count) to be loaded into every cache level.
@inlinable @inline(__always)
func prefetchForRead(_ address: UnsafeRawPointer, count: Int) {
  var offset = 0
  while offset < count {
    _llvmPrefetch(address + offset, 0, 3, 1)
    offset += 64
  }
}

#if canImport(Glibc)
import Glibc
#endif

/// An array (of doubles or floats) built in place, whose memory, when it is large, the kernel is asked to back with
/// 2 MB pages before it is first written (Linux transparent huge pages, `madvise(MADV_HUGEPAGE)`).
///
/// Random reads of rows from a gradient matrix far larger than the caches miss the TLB on nearly every
/// row with 4 KB pages; with 2 MB pages the page walks mostly vanish. The values are the same either way.
func largeArray<Element>(count: Int, _ fill: (UnsafeMutableBufferPointer<Element>) -> Void) -> [Element] {
  [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
    adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
    fill(buffer)
    initialized = count
  }
}

/// The threshold above which `largeArray` asks for huge pages (64 MB: below it the TLB copes).
let hugePageThreshold = 64 << 20

func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
  #if os(Linux)
  guard buffer.count >= hugePageThreshold, let base = buffer.baseAddress else { return }
  let page = 2 << 20
  let start = (Int(bitPattern: base) + page - 1) / page * page
  let end = (Int(bitPattern: base) + buffer.count) / page * page
  guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
  _ = madvise(aligned, end - start, MADV_HUGEPAGE)  // advice only: refused, the pages are 4 KB as before
  #endif
}

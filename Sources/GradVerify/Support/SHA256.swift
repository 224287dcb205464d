/// SHA-256 of a byte sequence, as 64 lowercase hex digits (FIPS 180-4), for the hashes of tables and data
/// sets in the data package and provenance.
///
/// National Institute of Standards and Technology, "Secure Hash Standard (SHS)", FIPS PUB 180-4 (2015),
/// doi:10.6028/NIST.FIPS.180-4.
package func sha256Hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
  var hasher = SHA256()
  // Read where the bytes lie (a mapped file is never copied); other collections are gathered first.
  if bytes.withContiguousStorageIfAvailable({ hasher.update(UnsafeRawBufferPointer($0)) }) == nil {
    Array(bytes).withUnsafeBytes { hasher.update($0) }
  }
  return hasher.finish()
}

/// SHA-256 of a file read in pieces, so that hashing a file larger than memory holds one piece.
package func sha256Hex(fileAt path: String) throws(InputError) -> String {
  var hasher = SHA256()
  try InputFile.stream(path, from: 0, count: try InputFile.size(of: path)) { bytes, _ throws(InputError) in hasher.update(bytes) }
  return hasher.finish()
}

/// SHA-256 fed in pieces of any length: whole 64-byte blocks are compressed where they lie, a partial
/// block waits for the next piece.
struct SHA256 {
  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]
  private var h: [UInt32] = [
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
  ]
  private var w = [UInt32](repeating: 0, count: 64)
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  private static func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

  private mutating func compress(_ block: (Int) -> UInt8) {
    for t in 0..<16 {
      w[t] = UInt32(block(4 * t)) << 24 | UInt32(block(4 * t + 1)) << 16 | UInt32(block(4 * t + 2)) << 8 | UInt32(block(4 * t + 3))
    }
    for t in 16..<64 {
      let s0 = Self.rotate(w[t - 15], 7) ^ Self.rotate(w[t - 15], 18) ^ (w[t - 15] >> 3)
      let s1 = Self.rotate(w[t - 2], 17) ^ Self.rotate(w[t - 2], 19) ^ (w[t - 2] >> 10)
      w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
    }
    var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
    for t in 0..<64 {
      let s1 = Self.rotate(e, 6) ^ Self.rotate(e, 11) ^ Self.rotate(e, 25)
      let choice = (e & f) ^ (~e & g)
      let t1 = hh &+ s1 &+ choice &+ Self.k[t] &+ w[t]
      let s0 = Self.rotate(a, 2) ^ Self.rotate(a, 13) ^ Self.rotate(a, 22)
      let majority = (a & b) ^ (a & c) ^ (b & c)
      let t2 = s0 &+ majority
      (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
    }
    for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] &+= v }
  }

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    length += UInt64(bytes.count)
    var start = 0
    if !pending.isEmpty {
      start = Swift.min(bytes.count, 64 - pending.count)
      pending += bytes[0..<start]
      guard pending.count == 64 else { return }
      let block = pending
      compress { block[$0] }
      pending = []
    }
    let whole = start + (bytes.count - start) / 64 * 64
    for chunk in stride(from: start, to: whole, by: 64) { compress { bytes[chunk + $0] } }
    pending += bytes[whole...]
  }

  /// The digest as 64 lowercase hex digits, after FIPS 180-4's padding.
  mutating func finish() -> String {
    let bitLength = length * 8
    var tail = pending
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
    for chunk in stride(from: 0, to: tail.count, by: 64) { compress { tail[chunk + $0] } }
    let digits = Array("0123456789abcdef")
    return String(h.flatMap { word in (0..<8).map { digits[Int((word >> (28 - 4 * UInt32($0))) & 0xf)] } })
  }
}

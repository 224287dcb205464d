import GradVerify
import Testing

/// `sha256Hex` (Support/SHA256.swift), which the data package and the sweep ledger's data line use.
@Suite("SHA-256")
struct SHA256Tests {
  /// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf").
  @Test(
    "SHA-256 known answers",
    arguments: [
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
    ])
  func knownAnswers(message: String, digest: String) {
    #expect(sha256Hex(Array(message.utf8)) == digest)
  }

  @Test("SHA-256 of a million 'a' (multi-block)")
  func million() {
    #expect(sha256Hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}

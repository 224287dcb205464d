import Foundation

/// A pass over a JSON text that Foundation's decoder does not make: where each number literal sits (its key
/// path, to name the key when a number does not fit its type, which the decoder reports only as "not valid
/// JSON") and which object repeats a key (which the decoder accepts silently, the first value winning).
struct JSONScan {
  /// Each number literal: its byte range and key path ("cases[0].data.n").
  var numbers: [(range: Range<Int>, path: String)] = []
  /// The first key given twice in one object, with its path.
  var duplicate: String?

  init(_ bytes: [UInt8]) {
    enum Container { case object(keys: Set<String>, key: String?), array(index: Int) }
    var stack: [(container: Container, path: String)] = []
    var expectingKey = false
    var i = 0
    func path(_ stack: [(container: Container, path: String)]) -> String {
      guard let top = stack.last else { return "" }
      switch top.container {
      case .object(_, let key): return key.map { top.path.isEmpty ? $0 : top.path + "." + $0 } ?? top.path
      case .array(let index): return top.path + "[\(index)]"
      }
    }
    while i < bytes.count {
      let c = bytes[i]
      switch c {
      case UInt8(ascii: "{"):
        stack.append((.object(keys: [], key: nil), path(stack)))
        expectingKey = true
        i += 1
      case UInt8(ascii: "["):
        stack.append((.array(index: 0), path(stack)))
        i += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        _ = stack.popLast()
        i += 1
      case UInt8(ascii: ","):
        if case .array(let index)? = stack.last?.container { stack[stack.count - 1].container = .array(index: index + 1) }
        if case .object = stack.last?.container { expectingKey = true }
        i += 1
      case UInt8(ascii: "\""):
        var j = i + 1
        while j < bytes.count && bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
        let text = String(decoding: bytes[(i + 1)..<Swift.min(j, bytes.count)], as: UTF8.self)
        if expectingKey, case .object(var keys, _)? = stack.last?.container {
          if !keys.insert(text).inserted, duplicate == nil {
            let top = stack[stack.count - 1].path
            duplicate = top.isEmpty ? text : top + "." + text
          }
          stack[stack.count - 1].container = .object(keys: keys, key: text)
          expectingKey = false
        }
        i = j + 1
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        var j = i
        let numeric = Set("+-0123456789.eE".utf8)
        while j < bytes.count && numeric.contains(bytes[j]) { j += 1 }
        numbers.append((i..<j, path(stack)))
        i = j
      default:
        i += 1
      }
    }
  }
}

import Foundation

/// A coding key for any name, to list the keys a JSON object really has.
package struct AnyCodingKey: CodingKey {
  package var stringValue: String
  package var intValue: Int?
  package init(stringValue: String) { self.stringValue = stringValue }
  package init(intValue: Int) {
    stringValue = String(intValue)
    self.intValue = intValue
  }
}

extension Decoder {
  /// Throws for any key of this JSON object that `Keys` does not name: a misspelt field is an error,
  /// never silently ignored.
  package func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
    try rejectUnknownKeys(known: Keys.allCases.map(\.stringValue), in: nil)
  }

  /// As above, for keys listed by name; `what` ("a C1 spec") is named in the error.
  package func rejectUnknownKeys(known: [String], in what: String?) throws {
    let container = try self.container(keyedBy: AnyCodingKey.self)
    let names = Set(known)
    for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !names.contains(key.stringValue) {
      let place = what.map { " for \($0)" } ?? ""
      throw DecodingError.dataCorrupted(
        .init(codingPath: codingPath + [key], debugDescription: "unknown key\(place) (expected one of: \(known.joined(separator: ", ")))"))
    }
  }
}

/// Decodes a JSON spec strictly; every problem becomes one `InputError` line naming the file and key.
package func decodeStrictly<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(InputError) -> T {
  let bytes = [UInt8](data)
  let scan = JSONScan(bytes)
  if let key = scan.duplicate { throw InputError(file: file, key: key, "given twice in one object") }
  do {
    return try JSONDecoder().decode(T.self, from: data)
  } catch let error as DecodingError {
    // "Not valid JSON" also means a number that does not fit its key's type (a fraction or a negative where a
    // count or seed is needed, 2⁶⁴, 1e400): the number whose replacement by 1, 2 or 0.5 makes the whole
    // spec decode is named.
    if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
      for number in scan.numbers {
        let decodes = ["1", "2", "0.5"].contains { candidate in
          var patched = bytes
          patched.replaceSubrange(number.range, with: Array(candidate.utf8))
          return (try? JSONDecoder().decode(T.self, from: Data(patched))) != nil
        }
        if decodes {
          let literal = String(decoding: bytes[number.range], as: UTF8.self)
          throw InputError(file: file, key: number.path, "\(literal) is out of range for this key (or not a whole number where one is needed)")
        }
      }
    }
    throw describe(error, file: file)
  } catch let error as InputError {
    throw InputError(file: file, "\(error.message)")
  } catch {
    throw InputError(file: file, "\(error.localizedDescription)")
  }
}

/// "cases[0].data.file"
func keyPath(_ path: [any CodingKey]) -> String {
  var text = ""
  for key in path {
    if let index = key.intValue {
      text += "[\(index)]"
    } else {
      text += (text.isEmpty ? "" : ".") + key.stringValue
    }
  }
  return text
}

/// The decoding error as an `InputError` at its file and key ("top level" for the object itself).
func describe(_ error: DecodingError, file: String) -> InputError {
  func at(_ path: [any CodingKey], _ reason: String) -> InputError {
    path.isEmpty ? InputError(file: file, "top level: \(reason)") : InputError(file: file, key: keyPath(path), reason)
  }
  switch error {
  case .typeMismatch(let type, let context):
    return at(context.codingPath, "expected \(jsonTypeName(type))")
  case .valueNotFound(let type, let context):
    return at(context.codingPath, "expected \(jsonTypeName(type)), found null")
  case .keyNotFound(let key, let context):
    return at(context.codingPath + [key], "missing")
  case .dataCorrupted(let context):
    if context.codingPath.isEmpty {
      let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
      return InputError(file: file, "not valid JSON" + (underlying.map { " (\($0))" } ?? ""))
    }
    return at(context.codingPath, context.debugDescription)
  @unknown default:
    return InputError(file: file, error.localizedDescription)
  }
}

func jsonTypeName(_ type: Any.Type) -> String {
  switch type {
  case is String.Type: "a string"
  case is Bool.Type: "true or false"
  case is Int.Type, is UInt64.Type: "an integer"
  case is Double.Type: "a number"
  case is [Any].Type: "an array"
  default: "an object or value of type \(type)"
  }
}

package func invalid<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K, _ message: String) -> DecodingError {
  DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [key], debugDescription: message))
}


/// A value read by its synthesised `Decodable` (every field required), then checked field by field. Decode
/// it as `Checked<Value>`, which also refuses any key `CodingKeys` does not name.
package protocol CheckedDecodable: Decodable {
  associatedtype CodingKeys: CodingKey & CaseIterable
  /// The first field outside its range and what it must be; nil when every field is in range.
  var problem: (field: CodingKeys, message: String)? { get }
}

/// A `CheckedDecodable` value decoded strictly: an unknown key, or a field outside its range, is an error
/// naming that key's path.
package struct Checked<Value: CheckedDecodable>: Decodable {
  public var value: Value

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(Value.CodingKeys.self)
    value = try Value(from: decoder)
    if let (field, message) = value.problem {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [field], debugDescription: message))
    }
  }
}

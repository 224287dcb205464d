import Foundation

/// A sweep's identity: its request as one JSON object, spelled one way whatever the command line's spelling
/// was (keys sorted; the model's and the sketch's unset options left out), written into every ledger so that shards, checkpoints and merges of
/// one sweep can be matched. Read back, it goes through the same checks as the flags (`SweepOptions.job`),
/// so a merge runs exactly the request its parts were made by, or refuses it as the flags would be refused.
struct SweepIdentity: Codable, Equatable {
  var gradients: String?
  var project: Int?
  var sketch: String?
  var model: String?
  var hidden: Int?
  var l2: Double?
  var data: String?
  var delimiter: String?
  var target: String?
  var drop: [String]?
  var standardize: Bool?
  var params: String?
  var samplers: [String]
  var batchSizes: [Int]?
  /// "auto" or a number of draws.
  var draws: String
  var alpha: Double
  var seed: UInt64

  init(_ request: SweepRequest) {
    switch request.source {
    case .model(let input):
      model = input.model.kind.rawValue
      hidden = input.model.kind == .mlp ? input.model.hidden : nil
      l2 = input.model.l2 == 0 ? nil : input.model.l2
      data = input.dataPath
      let layout = input.layout
      if layout.delimiter != UInt8(ascii: ",") {
        delimiter = layout.delimiter == UInt8(ascii: "\t") ? "tab" : String(UnicodeScalar(layout.delimiter))
      }
      target = layout.target?.flagText
      drop = layout.drop.isEmpty ? nil : layout.drop.map(\.flagText)
      standardize = input.standardize ? true : nil
      params = input.paramsPath
    case .gradients(let path):
      gradients = path
      project = request.projection?.dimension
      sketch = request.projection?.kind.rawValue
    }
    let settings = request.settings
    samplers = settings.samplers.map(\.rawValue)
    batchSizes = settings.batchSizes
    draws = settings.squaredErrorDrawsByPower ? "auto" : String(settings.draws)
    alpha = settings.alpha
    seed = request.seed
  }

  /// The one line a ledger holds.
  var text: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Strings, integers and the finite numbers the flags' checks let through: encoding cannot fail.
    guard let data = try? encoder.encode(self) else { preconditionFailure("a sweep request with a non-finite number: \(self)") }
    return String(decoding: data, as: UTF8.self)
  }

  /// The request, checked as the same flags on the command line would be.
  func request() throws(InputError) -> SweepRequest {
    var options = SweepOptions()
    options.gradientsPath = gradients
    options.projection = project
    options.sketchName = sketch
    options.model.model = model
    options.model.dataPath = data
    options.model.hidden = hidden
    options.model.l2 = l2
    options.model.delimiter = delimiter
    options.model.target = target
    options.model.drop = drop?.map(CSVLayout.Column.init)
    options.model.standardize = standardize ?? false
    options.model.paramsPath = params
    let kinds = samplers.compactMap(SamplerKind.init(rawValue:))
    guard !kinds.isEmpty, kinds.count == samplers.count else {
      throw InputError("samplers: '\(samplers.joined(separator: ","))' are not samplers")
    }
    options.samplers = kinds
    if let batchSizes, batchSizes.isEmpty || batchSizes.contains(where: { $0 < 1 }) {
      throw InputError("batchSizes: '\(batchSizes.map(String.init).joined(separator: ","))' are not positive")
    }
    options.batchSizes = batchSizes
    options.draws = draws
    options.alpha = alpha
    options.seed = seed
    return try options.job().request
  }

  /// Where two identity lines differ, key by key ("seed: 2 against 1"), or nil when either is not a JSON
  /// object: what a merge of parts from different runs names.
  static func difference(_ mine: String, _ theirs: String) -> String? {
    func object(_ line: String) -> [String: Any]? {
      (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
    func text(_ value: Any?) -> String {
      guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
      else { return "(none)" }
      return String(decoding: data, as: UTF8.self)
    }
    guard let a = object(mine), let b = object(theirs) else { return nil }
    let keys = Set(a.keys).union(b.keys).sorted().filter { text(a[$0]) != text(b[$0]) }
    return keys.isEmpty ? nil : keys.map { "\($0): \(text(a[$0])) against \(text(b[$0]))" }.joined(separator: ", ")
  }
}

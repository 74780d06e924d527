/// A value of a vm sysctl in canonical form: what vmtune writes and how it compares reads.
///
/// Encoded as text (`"10"`, `"256 256 32 0 0"`); decoders that know the knob parse with
/// ``Knob/parse(_:)`` so a one-element list stays a list.
public enum SysctlValue: Sendable, Hashable, Codable, CustomStringConvertible {
  case int(Int64)
  case list([Int64])
  case text(String)

  /// The exact bytes vmtune writes (canonical decimal; lists tab-separated like the kernel prints).
  /// The only place the kernel's text form is produced.
  public var kernelText: String {
    switch self {
    case .int(let n): return String(n)
    case .list(let items): return items.map(String.init).joined(separator: "\t")
    case .text(let s): return s
    }
  }

  /// For people and config files: lists space-separated.
  public var description: String {
    switch self {
    case .int(let n): return String(n)
    case .list(let items): return items.map(String.init).joined(separator: " ")
    case .text(let s): return s
    }
  }

  /// The scalar, when this is one.
  public var intValue: Int64? {
    if case .int(let n) = self { return n }
    return nil
  }

  /// Parses what the kernel prints for a knob of `type`; nil when it is not in that form.
  static func parse(_ raw: String, type: KnobType) -> SysctlValue? {
    let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    switch type {
    case .int, .ulong, .trigger:
      guard fields.count == 1, let n = Int64(fields[0]) else { return nil }
      return .int(n)
    case .intList:
      var items: [Int64] = []
      for f in fields {
        guard let n = Int64(f) else { return nil }
        items.append(n)
      }
      return items.isEmpty ? nil : .list(items)
    case .string:
      guard !fields.isEmpty else { return nil }
      return .text(fields.joined(separator: " "))
    }
  }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
    let numbers = fields.compactMap { Int64($0) }
    if numbers.count == fields.count, numbers.count == 1 {
      self = .int(numbers[0])
    } else if numbers.count == fields.count, numbers.count > 1 {
      self = .list(numbers)
    } else {
      self = .text(text)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}

extension Knob {
  /// Reads this knob's value as the kernel prints it (or as a plan, journal or snapshot stored
  /// it); nil when the text is not a value of this knob's type.
  public func parse(_ text: String) -> SysctlValue? { SysctlValue.parse(text, type: type) }

  /// Whether two texts are the same value of this knob (whitespace and tabs aside).
  public func same(_ a: String, _ b: SysctlValue) -> Bool { parse(a) == b }
}

extension KnobCatalog {
  /// The knob a coding name (``Knob/codingName``) names, nil when none.
  public static func decodingName(_ key: String) -> Knob? { try? decoding(key, at: []) }

  /// The knob named `key`, or a decoding error naming it: plans and journals refer to knobs by
  /// name, and a name this vmtune does not know cannot be written safely.
  public static func decoding(_ key: String, at path: [any CodingKey]) throws -> Knob {
    if key.hasPrefix(uncheckedPrefix) {
      let name = String(key.dropFirst(uncheckedPrefix.count))
      guard let knob = unchecked(name) else {
        let why = uncheckedProblem(name).map { "\($0.message)" } ?? "not an unchecked knob"
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "'\(key)': \(name) \(why)"))
      }
      return knob
    }
    guard let knob = knob(key) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: path, debugDescription: "'\(key)' is not a vm sysctl this vmtune knows"))
    }
    return knob
  }

  /// Parses `text` as a value of `knob`, or throws a decoding error naming the key.
  public static func value(_ text: String, of knob: Knob, at path: [any CodingKey]) throws -> SysctlValue {
    guard let v = knob.parse(text) else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: path, debugDescription: "'\(text)' is not a valid \(knob.type.rawValue) value for \(knob.name)"))
    }
    return v
  }
}

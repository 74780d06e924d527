/// A JSON value as Ansible sends module arguments: whatever YAML, `key=value` strings, `-e`
/// variables and templates made of them (`"yes"`, `1`, `true`, `"a,b"`, `["a"]`).
enum JSONValue: Decodable, Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int64.self) {
      self = .int(i)
    } else if let d = try? c.decode(Double.self) {
      self = .double(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  /// The Python type name Ansible's messages use.
  var typeName: String {
    switch self {
    case .null: return "NoneType"
    case .bool: return "bool"
    case .int: return "int"
    case .double: return "float"
    case .string: return "str"
    case .array: return "list"
    case .object: return "dict"
    }
  }

  /// The value as Python's `str()` prints a scalar; nil for lists, dicts and null.
  var scalarText: String? {
    switch self {
    case .bool(let b): return b ? "True" : "False"
    case .int(let i): return String(i)
    case .double(let d): return String(d)
    case .string(let s): return s
    default: return nil
    }
  }
}

/// Why a YAML document could not be composed.
public enum YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
  /// libyaml's own syntax error (tabs in indentation, bad UTF-8, unclosed quotes, …).
  case syntax(String, Mark)
  /// The same key twice in one mapping.
  case duplicateKey(String, first: Mark, second: Mark)
  /// Anchors, aliases, custom tags and multiple documents are refused in profiles.
  case unsupported(String, Mark)
  /// More nesting than any profile needs (guards against stack exhaustion).
  case tooDeep(limit: Int, Mark)
  /// More nodes than any profile needs (guards against memory exhaustion).
  case tooLarge(limit: Int, Mark)
  /// A list with more items than any profile needs, at the list's start.
  case listTooLong(limit: Int, Mark)
  /// A mapping with more keys than any profile needs, at the mapping's start.
  case tooManyKeys(limit: Int, Mark)
  /// A key longer than any key a profile has.
  case keyTooLong(limit: Int, Mark)

  public var mark: Mark {
    switch self {
    case .syntax(_, let m), .unsupported(_, let m), .tooDeep(_, let m), .tooLarge(_, let m),
      .listTooLong(_, let m), .tooManyKeys(_, let m), .keyTooLong(_, let m):
      return m
    case .duplicateKey(_, _, let second): return second
    }
  }

  public var description: String {
    switch self {
    case .syntax(let message, _):
      return "YAML syntax error: \(message)"
    case .duplicateKey(let key, let first, _):
      return "duplicate key '\(key)' (first defined at \(first)); remove one of them"
    case .unsupported(let what, _):
      return "\(what) are not supported in vmtune profiles; write the value out in full"
    case .tooDeep(let limit, _):
      return "nesting deeper than \(limit) levels; profiles are at most a few levels deep"
    case .tooLarge(let limit, _):
      return "more than \(limit) YAML nodes; a profile needs far fewer"
    case .listTooLong(let limit, _):
      return "a list longer than \(limit) items; profiles list a few zones, nodes or includes"
    case .tooManyKeys(let limit, _):
      return "a mapping with more than \(limit) keys; a profile sets a few dozen"
    case .keyTooLong(let limit, _):
      return "a key longer than \(limit) bytes; vm sysctl names are under 40"
    }
  }
}

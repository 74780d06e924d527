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

  public var mark: Mark {
    switch self {
    case .syntax(_, let m), .unsupported(_, let m), .tooDeep(_, let m), .tooLarge(_, let m):
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
    }
  }
}

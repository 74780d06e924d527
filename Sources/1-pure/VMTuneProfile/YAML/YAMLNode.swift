/// A YAML node as composed from libyaml events, with the position of its first character.
///
/// Profiles need only scalars, sequences and mappings; anchors, aliases and tags other than the
/// core ones are rejected by the parser, so a node tree is always finite and small.
public struct YAMLNode: Sendable, Equatable {
  public enum Content: Sendable, Equatable {
    /// `plain` is false for quoted or block scalars: `"010"` stays a string.
    case scalar(String, plain: Bool)
    case sequence([YAMLNode])
    /// Pairs in document order; keys are unique (the parser rejects duplicates).
    case mapping([Pair])
  }

  public struct Pair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode
  }

  public var content: Content
  public var mark: Mark

  public init(_ content: Content, mark: Mark) {
    self.content = content
    self.mark = mark
  }

  /// The scalar text, or nil for collections.
  public var scalar: String? {
    if case .scalar(let s, _) = content { return s }
    return nil
  }

  /// True for an unquoted `~`, `null`, `Null`, `NULL` or empty plain scalar.
  public var isNull: Bool {
    if case .scalar(let s, plain: true) = content {
      return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }
    return false
  }

  /// A short name of the node's kind for error messages.
  public var kindName: String {
    switch content {
    case .scalar(let s, let plain):
      if isNull { return "null" }
      if plain, Int64(s) != nil { return "integer" }
      return "string"
    case .sequence: return "list"
    case .mapping: return "mapping"
    }
  }
}

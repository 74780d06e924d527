/// One problem in a profile, located at `file:line:column`, with a fix where one is known.
public struct ProfileError: Error, Sendable, Hashable, CustomStringConvertible {
  public var file: String
  public var mark: Mark?
  /// The key path the problem is about (`sysctl.swappiness`), when there is one.
  public var key: String?
  public var message: String
  public var hint: String?
  /// The text of the line `mark` points into, for a caret under the column.
  public var sourceLine: String?

  public init(file: String, mark: Mark?, key: String? = nil, message: String, hint: String? = nil) {
    self.file = file
    self.mark = mark
    self.key = key
    self.message = message
    self.hint = hint
  }

  /// `file:line:column: error: message` — the form editors and CI annotators recognise.
  public var description: String {
    var s = file
    if let mark { s += ":\(mark)" }
    s += ": error: "
    if let key { s += "\(key): " }
    s += message
    if let hint { s += "\n  hint: \(hint)" }
    return s
  }
}

/// Every problem found while loading a profile (at least one).
public struct ProfileErrors: Error, Sendable, CustomStringConvertible {
  public var errors: [ProfileError]

  public init(_ errors: [ProfileError]) { self.errors = errors }

  public var description: String {
    errors.map(\.description).joined(separator: "\n")
  }
}

/// A line of a file being imported: `file:line`.
public struct ImportSource: Sendable, Hashable, CustomStringConvertible {
  public var file: String
  public var line: Int

  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }

  public var description: String { "\(file):\(line)" }
}

/// Something an import did not carry into the profile, or wants the reader to know.
public struct ImportFinding: Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable {
    /// A line that is not in the profile (not a vm sysctl, out of range, a variable, …).
    case skipped
    /// Imported, or not importable by design, with something worth knowing.
    case note
  }

  public var kind: Kind
  public var source: ImportSource?
  /// For skipped lines, the line as written followed by the reason; for notes, the message.
  public var text: String

  public init(_ kind: Kind, _ source: ImportSource?, _ text: String) {
    self.kind = kind
    self.source = source
    self.text = ImportFinding.oneLine(text)
  }

  /// `file:line: skipped: text`, the form compilers and editors recognise.
  public var description: String {
    (source.map { "\($0): " } ?? "") + "\(kind.rawValue): \(text)"
  }

  /// `text` without line breaks or control characters (it goes into YAML comments).
  static func oneLine(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
  }
}

/// One `key = value` assignment read from a sysctl.conf file or a tuned `[sysctl]` unit.
public struct ImportAssignment: Sendable, Hashable {
  /// The key as written (`vm.swappiness`, `vm/swappiness`, `-vm.swappiness`).
  public var key: String
  /// The value as written, trimmed.
  public var value: String
  public var source: ImportSource
  /// The line as written, trimmed, for comments.
  public var text: String
  /// tuned's value syntax: surrounding quotes removed, `>N` (only raise) and `<N` (only lower),
  /// `${…}` variables.
  public var tuned: Bool
  /// Earlier assignments of the same key that this one replaced (tuned's include merge).
  public var overrides: [ImportSource]

  public init(
    key: String, value: String, source: ImportSource, text: String, tuned: Bool = false, overrides: [ImportSource] = []
  ) {
    self.key = key
    self.value = value
    self.source = source
    self.text = text
    self.tuned = tuned
    self.overrides = overrides
  }
}

/// A 1-based line and column in a source file.
public struct Mark: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public var description: String { "\(line):\(column)" }

  public static func < (a: Mark, b: Mark) -> Bool {
    (a.line, a.column) < (b.line, b.column)
  }
}

/// A place in a named file, printed the way compilers print it: `file:line:column`.
public struct ProfileLocation: Sendable, Hashable, Codable, CustomStringConvertible {
  public var file: String
  public var mark: Mark

  public init(file: String, mark: Mark) {
    self.file = file
    self.mark = mark
  }

  public var description: String { "\(file):\(mark)" }
}

/// A /proc table or log line that is not in the form the kernel prints: `path:line: message`.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
  public var path: String
  public var line: Int?
  public var message: String

  public init(path: String, line: Int?, message: String) {
    self.path = path
    self.line = line
    self.message = message
  }

  /// The same, spelled as a throw site reads best: `throw .malformed(path:line:message:)`.
  public static func malformed(path: String, line: Int?, message: String) -> ParseError {
    ParseError(path: path, line: line, message: message)
  }

  public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

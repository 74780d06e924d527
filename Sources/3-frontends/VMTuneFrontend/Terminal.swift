#if canImport(Glibc)
  import Glibc
#endif

/// Where output goes and whether it may be coloured: only on a terminal, never with NO_COLOR
/// (https://no-color.org) or TERM=dumb.
public struct Terminal: Sendable {
  public var color: Bool

  public init(color: Bool) { self.color = color }

  public static func detect(forceOff: Bool = false) -> Terminal {
    let noColor = getenv("NO_COLOR").map { String(cString: $0) }.map { !$0.isEmpty } ?? false
    let dumb = getenv("TERM").map { String(cString: $0) } == "dumb"
    return Terminal(color: !forceOff && !noColor && !dumb && isatty(1) == 1)
  }

  public static var stdinIsTerminal: Bool { isatty(0) == 1 }

  public enum Style: String {
    case red = "31"
    case green = "32"
    case yellow = "33"
    case magenta = "35"
    case cyan = "36"
    case dim = "2"
    case bold = "1"
  }

  public func paint(_ text: String, _ style: Style) -> String {
    color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }

  /// Prints to standard error.
  public static func error(_ text: String) {
    let line = text.hasSuffix("\n") ? text : text + "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
  }

  /// Asks a yes/no question on the terminal; false on EOF.
  public static func confirm(_ question: String) -> Bool {
    print("\(question) [y/N] ", terminator: "")
    fflush(nil)
    guard let answer = readLine() else { return false }
    return ["y", "yes"].contains(answer.lowercased())
  }
}

/// Pads to a display width (counts characters, not bytes).
public func pad(_ s: String, _ width: Int) -> String {
  s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

import VMTuneFrontend
import VMTuneProfile

/// The one place errors become text: `vmtune: error: …`, profile errors as
/// `file:line:column: error: key: message`, the source line with a caret under the column, and
/// the hint.
enum ErrorText {
  static func render(_ error: VMTuneError) -> String {
    switch error {
    case .profile(let errors): return errors.errors.map(render).joined(separator: "\n")
    default:
      return "vmtune: error: \(error.message)" + (error.hint.map { "\n  hint: \($0)" } ?? "")
    }
  }

  static func render(_ e: ProfileError) -> String {
    var s = e.file
    if let mark = e.mark { s += ":\(mark)" }
    s += ": error: " + (e.key.map { "\($0): " } ?? "") + e.message
    if let line = e.sourceLine, let mark = e.mark {
      let gutter = String(mark.line)
      s += "\n \(gutter) | \(line)"
      let caretColumn = max(0, min(mark.column - 1, line.count))
      s += "\n \(String(repeating: " ", count: gutter.count)) | \(String(repeating: " ", count: caretColumn))^"
    }
    if let hint = e.hint { s += "\n  hint: \(hint)" }
    return s
  }
}

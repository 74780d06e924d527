/// A decoding error of a JSON file vmtune reads back (saved plans, snapshots, journals) in one
/// line (`entries[2].desired: …`), not Foundation's dump.
public enum DecodingText {
  /// `error` in one line: where in the document (`entries[2].original`) and what is wrong there.
  public static func describe(_ error: any Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    func path(_ keys: [any CodingKey]) -> String {
      var text = ""
      for key in keys {
        if let i = key.intValue {
          text += "[\(i)]"
        } else {
          text += (text.isEmpty ? "" : ".") + key.stringValue
        }
      }
      return text
    }
    func at(_ keys: [any CodingKey]) -> String { keys.isEmpty ? "" : " at " + path(keys) }
    switch e {
    case .dataCorrupted(let c) where c.codingPath.isEmpty: return "not valid JSON: \(c.debugDescription)"
    case .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
    case .keyNotFound(let k, let c): return "missing '\(k.stringValue)'\(at(c.codingPath))"
    case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(c.debugDescription)\(at(c.codingPath))"
    @unknown default: return "\(error)"
    }
  }
}

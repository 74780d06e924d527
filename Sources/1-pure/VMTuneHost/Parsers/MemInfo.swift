/// `/proc/meminfo` as key → value (kB for sized lines, plain counts for HugePages_*).
public struct MemInfo: Sendable, Hashable, Codable {
  public var values: [String: Int64]

  public init(values: [String: Int64]) { self.values = values }

  /// MemTotal in kB.
  public var memTotalKB: Int64? { values["MemTotal"] }

  /// Parses meminfo text. Unknown keys are kept; a malformed number is an error naming the line.
  public static func parse(_ text: String, source: String = "/proc/meminfo") throws(ParseError) -> MemInfo {
    var values: [String: Int64] = [:]
    try Bytes.forEachLine(text) { (lineNumber, line) throws(ParseError) in
      guard let colon = line.firstIndex(of: 0x3A) else {
        if line.allSatisfy({ $0 == Bytes.space }) { return }
        throw .malformed(
          path: source, line: lineNumber, message: "expected 'Key: value', got '\(Bytes.string(line.prefix(60)))'")
      }
      let key = Bytes.string(line[..<colon])
      let fields = Bytes.fields(line[(colon + 1)...])
      guard let first = fields.first, let n = Bytes.uint(first), n <= UInt64(Int64.max), fields.count <= 2,
        fields.count == 1 || fields[1].elementsEqual("kB".utf8)
      else {
        throw .malformed(
          path: source, line: lineNumber, message: "'\(key)' has no valid number: '\(Bytes.string(line.prefix(60)))'")
      }
      values[key] = Int64(n)
    }
    return MemInfo(values: values)
  }
}

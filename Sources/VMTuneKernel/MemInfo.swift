/// `/proc/meminfo` as key → value (kB for sized lines, plain counts for HugePages_*).
public struct MemInfo: Sendable, Hashable, Codable {
  public var values: [String: Int64]

  public init(values: [String: Int64]) { self.values = values }

  /// MemTotal in kB.
  public var memTotalKB: Int64? { values["MemTotal"] }

  /// Parses meminfo text. Unknown keys are kept; a malformed number is an error naming the line.
  public static func parse(_ text: String, source: String = "/proc/meminfo") throws(KernelError) -> MemInfo {
    var values: [String: Int64] = [:]
    var lineNumber = 0
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      guard let colon = line.firstIndex(of: ":") else {
        if line.allSatisfy({ $0 == " " }) { continue }
        throw .malformed(path: source, line: lineNumber, message: "expected 'Key: value', got '\(line.prefix(60))'")
      }
      let key = String(line[..<colon])
      let fields = line[line.index(after: colon)...].split(separator: " ")
      guard let first = fields.first, let n = Int64(first), fields.count <= 2,
        fields.count == 1 || fields[1] == "kB"
      else {
        throw .malformed(path: source, line: lineNumber, message: "'\(key)' has no valid number: '\(line.prefix(60))'")
      }
      values[key] = n
    }
    return MemInfo(values: values)
  }
}

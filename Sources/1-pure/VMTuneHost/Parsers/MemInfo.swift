/// `/proc/meminfo` as key → value (kB for sized lines, plain counts for HugePages_*). The kernel
/// prints every value unsigned (`%lu`), so values are u64: 2.6.29 printed an underflowed
/// DirectMap2M as 18446744073709551613.
public struct MemInfo: Sendable, Hashable, Codable {
  public var values: [String: UInt64]
  /// Lines that could not be read, skipped (not part of the Codable form).
  public var skipped: [ParseError] = []

  enum CodingKeys: String, CodingKey { case values }

  public init(values: [String: UInt64]) { self.values = values }

  /// MemTotal in kB.
  public var memTotalKB: Int64? { values["MemTotal"].flatMap { Int64(exactly: $0) } }

  /// Parses meminfo text. Unknown keys are kept; a line without a number is skipped and listed
  /// in ``skipped`` with its line: one odd line must not hide the rest of the host.
  public static func parse(_ text: String, source: String = "/proc/meminfo") throws(ParseError) -> MemInfo {
    var values: [String: UInt64] = [:]
    var skipped: [ParseError] = []
    try Bytes.forEachLine(text) { (lineNumber, line) in
      guard let colon = line.firstIndex(of: 0x3A) else {
        if line.allSatisfy({ $0 == Bytes.space }) { return }
        skipped.append(
          .malformed(
            path: source, line: lineNumber, message: "expected 'Key: value', got '\(Bytes.string(line.prefix(60)))'"))
        return
      }
      let key = Bytes.string(line[..<colon])
      let fields = Bytes.fields(line[(colon + 1)...])
      guard let first = fields.first, let n = Bytes.uint(first), fields.count <= 2,
        fields.count == 1 || fields[1].elementsEqual("kB".utf8)
      else {
        skipped.append(
          .malformed(
            path: source, line: lineNumber,
            message: "'\(key)' has no valid number: '\(Bytes.string(line.prefix(60)))'"))
        return
      }
      values[key] = n
    }
    var info = MemInfo(values: values)
    info.skipped = skipped
    return info
  }
}

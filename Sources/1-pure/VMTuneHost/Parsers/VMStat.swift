/// `/proc/vmstat`: counter name → value (docs/KERNEL.md, /proc formats).
public struct VMStat: Sendable, Hashable, Codable {
  public var counters: [String: UInt64]
  /// Lines that could not be read, skipped (not part of the Codable form).
  public var skipped: [ParseError] = []

  enum CodingKeys: String, CodingKey { case counters }

  public init(counters: [String: UInt64]) { self.counters = counters }

  public subscript(_ key: String) -> UInt64? { counters[key] }

  /// Sum of the counters whose names start with `prefix` (`allocstall_` across zones), saturating.
  public func sum(prefix: String) -> UInt64 {
    counters.filter { $0.key.hasPrefix(prefix) }.reduce(UInt64(0)) {
      let (s, o) = $0.addingReportingOverflow($1.value)
      return o ? .max : s
    }
  }

  public static func parse(_ text: String, source: String = "/proc/vmstat") throws(ParseError) -> VMStat {
    var counters: [String: UInt64] = [:]
    var skipped: [ParseError] = []
    counters.reserveCapacity(256)
    try Bytes.forEachLine(text) { (n, line) in
      let t = Bytes.fields(line)
      if t.isEmpty { return }
      guard t.count == 2 else {
        skipped.append(
          .malformed(path: source, line: n, message: "expected 'name value', got '\(Bytes.string(line.prefix(60)))'"))
        return
      }
      // Gauges can be transiently negative per-CPU; the kernel prints them as %lu (wrapped).
      guard let v = Bytes.uint(t[1]) ?? Int64(Bytes.string(t[1])).map({ UInt64(bitPattern: $0) }) else {
        skipped.append(
          .malformed(
            path: source, line: n, message: "\(Bytes.string(t[0])): '\(Bytes.string(t[1]))' is not a number"))
        return
      }
      counters[Bytes.string(t[0])] = v
    }
    var stat = VMStat(counters: counters)
    stat.skipped = skipped
    return stat
  }
}

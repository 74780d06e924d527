/// A value of a vm sysctl in canonical form: what vmtune writes and how it compares reads.
public enum SysctlValue: Sendable, Hashable, Codable, CustomStringConvertible {
  case int(Int64)
  case list([Int64])
  case text(String)

  /// The exact bytes vmtune writes (canonical decimal; lists tab-separated like the kernel prints).
  public var kernelText: String {
    switch self {
    case .int(let n): return String(n)
    case .list(let items): return items.map(String.init).joined(separator: "\t")
    case .text(let s): return s
    }
  }

  public var description: String {
    switch self {
    case .int(let n): return String(n)
    case .list(let items): return items.map(String.init).joined(separator: " ")
    case .text(let s): return s
    }
  }

  /// The scalar, when this is one.
  public var intValue: Int64? {
    if case .int(let n) = self { return n }
    return nil
  }

  /// Parses what the kernel prints for a knob of `type`; nil when it is not in that form.
  public static func parseKernelText(_ raw: String, type: KnobType) -> SysctlValue? {
    let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    switch type {
    case .int, .ulong, .trigger:
      guard fields.count == 1, let n = Int64(fields[0]) else { return nil }
      return .int(n)
    case .intList:
      var items: [Int64] = []
      for f in fields {
        guard let n = Int64(f) else { return nil }
        items.append(n)
      }
      return items.isEmpty ? nil : .list(items)
    case .string:
      guard !fields.isEmpty else { return nil }
      return .text(fields.joined(separator: " "))
    }
  }
}

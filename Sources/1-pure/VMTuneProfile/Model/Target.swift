/// What a profile asks of one sysctl.
public enum Target: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Exactly this value (the default comparator).
  case exact(SysctlValue)
  /// Any value >= the bound is in sync; otherwise write the bound.
  case atLeast(Int64)
  /// Any value <= the bound is in sync; otherwise write the bound.
  case atMost(Int64)
  /// Any value in the closed range is in sync; otherwise write the nearer bound.
  case between(Int64, Int64)
  /// A share of MemTotal, converted to the knob's unit and clamped, then compared exactly.
  case percentOfRAM(PercentOfRAM)

  /// An exact value (a bound or a RAM share accepts a range of values).
  public var isExact: Bool {
    if case .exact = self { return true }
    return false
  }

  public var description: String {
    switch self {
    case .exact(let v): return v.description
    case .atLeast(let n): return ">= \(n)"
    case .atMost(let n): return "<= \(n)"
    case .between(let lo, let hi): return "\(lo) … \(hi)"
    case .percentOfRAM(let p): return p.description
    }
  }
}

/// `{ percent_of_ram: 1.5, min: 131072, max: 2097152, tolerance: 0.5 }`.
public struct PercentOfRAM: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The percentage in thousandths (1.5 % is 1500), so resolution stays in integers.
  public var milliPercent: Int64
  public var min: Int64?
  public var max: Int64?
  /// How far (in thousandths of a percent of the resolved value) a live value may be from it and
  /// still be in sync: MemTotal moves a little with a virtio balloon or memory hot-plug.
  public var toleranceMilliPercent: Int64 = PercentOfRAM.defaultToleranceMilliPercent

  /// 0.5 % of the resolved value.
  public static let defaultToleranceMilliPercent: Int64 = 500

  public init(milliPercent: Int64, min: Int64? = nil, max: Int64? = nil) {
    self.milliPercent = milliPercent
    self.min = min
    self.max = max
  }

  /// The value in a knob's unit for a host with `memTotalKB` of RAM (floor, then clamp).
  public func resolve(memTotalKB: Int64, bytesPerUnit: Int64) -> Int64 {
    resolution(memTotalKB: memTotalKB, bytesPerUnit: bytesPerUnit).value
  }

  /// The resolved value, and whether `min` or `max` decided it (then it is not RAM-relative and
  /// no tolerance applies).
  public func resolution(memTotalKB: Int64, bytesPerUnit: Int64) -> (value: Int64, clamped: Bool) {
    let bytes = Int128(memTotalKB) * 1024
    let raw = bytes * Int128(milliPercent) / 100_000 / Int128(bytesPerUnit)
    let value = raw > Int128(Int64.max) ? Int64.max : Int64(raw)
    if let lo = min, value < lo { return (lo, true) }
    if let hi = max, value > hi { return (hi, true) }
    return (value, false)
  }

  /// Whether `live` is within the tolerance of `resolved`.
  public func tolerates(_ live: Int64, around resolved: Int64) -> Bool {
    let diff = Int128(live) - Int128(resolved)
    return (diff < 0 ? -diff : diff) * 100_000 <= Int128(resolved) * Int128(toleranceMilliPercent)
  }

  /// `1.5` for 1500 thousandths.
  public static func percentText(_ milli: Int64) -> String {
    let whole = milli / 1000
    let frac = milli % 1000
    var text = frac == 0 ? "\(whole)" : "\(whole).\(String(frac + 1000).dropFirst())"
    while text.contains("."), text.hasSuffix("0") { text.removeLast() }
    return text
  }

  public var description: String {
    var s = "\(Self.percentText(milliPercent))% of RAM"
    if let min { s += ", min \(min)" }
    if let max { s += ", max \(max)" }
    if toleranceMilliPercent != Self.defaultToleranceMilliPercent {
      s += ", tolerance \(Self.percentText(toleranceMilliPercent))%"
    }
    return s
  }
}

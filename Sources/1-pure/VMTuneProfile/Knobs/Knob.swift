/// How the kernel parses a vm sysctl file.
public enum KnobType: String, Sendable, Codable {
  /// `proc_dointvec*`: a C int.
  case int
  /// `proc_doulongvec_minmax`: an unsigned long (vmtune caps it at Int64.max).
  case ulong
  /// An array of ints separated by whitespace (`lowmem_reserve_ratio`).
  case intList
  /// A string (`numa_zonelist_order`).
  case string
  /// A write-only one-shot action (`drop_caches`, `compact_memory`): never a setting.
  case trigger
}

/// What a knob's number measures; decides whether `percent_of_ram` makes sense.
public enum KnobUnit: String, Sendable, Codable {
  case count, kilobytes, bytes, pages, percent, centiseconds, seconds, perTenThousand, bitmask,
    boolean, enumeration, log2Pages, gid

  /// The divisor that turns a byte count into this unit, for memory-sized knobs.
  public var bytesPerUnit: Int64? {
    switch self {
    case .kilobytes: return 1024
    case .bytes: return 1
    case .pages: return 4096
    default: return nil
    }
  }
}

/// A range the kernel enforced before a given release (e.g. swappiness max 100 before 5.8).
public struct RangeChange: Sendable {
  public var before: KernelVersion
  public var min: Int64?
  public var max: Int64?
}

/// One `/proc/sys/vm` file: how the kernel validates a write, when it appeared, what it does.
/// Knobs are identified by name (equality and hashing use only ``name``).
public struct Knob: Sendable, Hashable {
  public var name: String
  public var type: KnobType
  public var unit: KnobUnit
  /// Kernel-enforced bounds on write (nil: none). Writes outside return EINVAL.
  public var min: Int64?
  public var max: Int64?
  /// Values the kernel refuses inside [min, max] (e.g. percpu_pagelist_high_fraction 1…7).
  public var forbidden: ClosedRange<Int64>?
  /// Older kernels with a different range.
  public var history: [RangeChange]
  /// First release with this file (nil: since 2.6 or earlier).
  public var since: KernelVersion?
  /// First release without it (nil: still present).
  public var removedIn: KernelVersion?
  /// What replaced a removed knob.
  public var replacement: String?
  /// Present only with CONFIG_NUMA.
  public var numaOnly: Bool
  /// The kernel clears this knob when the named one is written (dirty_ratio ⟷ dirty_bytes).
  public var exclusiveWith: String?
  /// Allowed strings for `.string` knobs.
  public var choices: [String]
  /// Position in the apply order (docs/KERNEL.md, Write order and exclusive pairs): lower first.
  public var writeRank: Int
  /// The mainline default, as text.
  public var defaultValue: String?
  /// One sentence: what the knob does.
  public var summary: String
  /// What writing it does beyond storing the value.
  public var sideEffect: String?
  /// Not in the catalog: a profile's `unchecked:` knob, known only as a C int (see
  /// ``KnobCatalog/unchecked(_:)``).
  public var isUnchecked = false

  /// The name saved plans, journals and profiles use: `unchecked:NAME` for an unchecked knob, so
  /// reading one back never mistakes it for a catalogued knob or a typo.
  public var codingName: String { isUnchecked ? KnobCatalog.uncheckedPrefix + name : name }

  /// True for write-only one-shot actions.
  public var isTrigger: Bool { type == .trigger }

  public static func == (a: Knob, b: Knob) -> Bool { a.name == b.name }
  public func hash(into hasher: inout Hasher) { hasher.combine(name) }

  /// The exclusive partner's knob (dirty_bytes for dirty_ratio), when there is one.
  public var partner: Knob? { exclusiveWith.flatMap(KnobCatalog.knob) }

  /// Whether the kernel accepts 0 for this knob. Of an exclusive pair, the side that refuses 0
  /// (`dirty_bytes`) is "off" at 0, and the other side is the one in force.
  public var acceptsZero: Bool { rejection(of: 0) == nil }

  /// The range in force on `kernel` (the catalog's current range when unknown).
  public func range(on kernel: KernelVersion?) -> (min: Int64?, max: Int64?) {
    guard let kernel else { return (min, max) }
    for change in history.sorted(by: { $0.before < $1.before }) where kernel < change.before {
      return (change.min ?? min, change.max ?? max)
    }
    return (min, max)
  }

  /// Why the kernel would refuse `value` (nil when it would accept it).
  public func rejection(of value: Int64, on kernel: KernelVersion? = nil) -> String? {
    let r = range(on: kernel)
    let on = kernel.map { " on \($0)" } ?? ""
    if let lo = r.min, value < lo {
      return "\(value) is below the kernel's minimum \(lo) for \(name)\(on)"
    }
    if let hi = r.max, value > hi {
      return "\(value) is above the kernel's maximum \(hi) for \(name)\(on)"
    }
    if let f = forbidden, f.contains(value) {
      return "the kernel refuses \(f.lowerBound)…\(f.upperBound) for \(name)"
    }
    return nil
  }

  /// A human description of the accepted values, e.g. `0 … 200` or `0, or 8 … 2147483647`.
  public var rangeText: String {
    switch type {
    case .trigger:
      return min.flatMap { lo in max.map { "\(lo) … \($0)" } } ?? "any write"
    case .string:
      return choices.joined(separator: ", ")
    case .intList:
      return "whitespace-separated ints"
    default:
      let lo = min.map(String.init) ?? (type == .ulong ? "0" : "\(Int32.min)")
      let hi = max.map(String.init) ?? (type == .ulong ? "\(Int64.max)" : "\(Int32.max)")
      if let f = forbidden { return "\(lo), or \(f.upperBound + 1) … \(hi)" }
      return "\(lo) … \(hi)"
    }
  }
}

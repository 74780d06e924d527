/// Evidence about memory that starts an action (`actions.*.when:`), in an operator's terms:
/// how much memory is free in blocks large enough for an order, how much of the free memory is
/// unusable for it, the kernel's own fragmentation score, headroom above the low watermark, and
/// allocation stalls or kswapd scanning between agent cycles. Every test given must hold, in the
/// same node (or zone, with `per: zone`); the semantics are in docs/KERNEL.md, Fragmentation
/// indexes and Proactive compaction.
public struct MemoryCondition: Sendable, Hashable, Codable {
  /// The largest buddy order Linux builds with (arm64 with 64 KiB pages: 14 orders).
  public static let maxOrder: Int64 = 13

  /// Where the tests are evaluated: per NUMA node (its zones' free blocks summed; the small ISA
  /// DMA zone left out where the node has others) or per zone.
  public enum Scope: String, Sendable, Hashable, Codable, CaseIterable {
    case node, zone
  }

  /// The allocation order protected (4: 64 KiB atomic network buffers; 9: 2 MiB huge pages).
  public var order: Int
  public var scope: Scope
  /// Fewer free blocks of at least `order` (counted in order-sized units) than this.
  public var freeBlocksBelow: Int64?
  /// Less free memory in blocks of at least `order` than this many bytes.
  public var freeBytesBelow: Int64?
  /// More than this share (per mille) of free memory in blocks too small for `order`: the
  /// kernel's unusable free space index (debugfs extfrag/unusable_index × 1000).
  public var unusableAbove: Int64?
  /// The kernel's fragmentation index above this (0 … 1000). Only meaningful when an allocation
  /// of `order` would fail: it is −1000 as long as one suitable block is free.
  public var fragmentationIndexAbove: Int64?
  /// The fragmentation index below this (0 … 1000): failures are for lack of memory, not
  /// fragmentation. Same caveat.
  public var fragmentationIndexBelow: Int64?
  /// The node's proactive-compaction fragmentation score (0 … 100, order 9) above this.
  public var fragmentationScoreAbove: Int64?
  /// Free memory above the (unboosted) low watermark below this percent of the zone.
  public var headroomBelowPercent: Int64?
  /// More direct compaction and direct reclaim stalls (compact_stall + allocstall_*) since the
  /// previous agent cycle than this.
  public var stallsAbove: Int64?
  /// More pages scanned by kswapd (pgscan_kswapd) since the previous agent cycle than this.
  public var kswapdScannedAbove: Int64?

  public init(
    order: Int, scope: Scope = .zone, fragmentationIndexAbove: Int64? = nil, fragmentationIndexBelow: Int64? = nil,
    freeBlocksBelow: Int64? = nil, headroomBelowPercent: Int64? = nil, freeBytesBelow: Int64? = nil,
    unusableAbove: Int64? = nil, fragmentationScoreAbove: Int64? = nil, stallsAbove: Int64? = nil,
    kswapdScannedAbove: Int64? = nil
  ) {
    self.order = order
    self.scope = scope
    self.fragmentationIndexAbove = fragmentationIndexAbove
    self.fragmentationIndexBelow = fragmentationIndexBelow
    self.freeBlocksBelow = freeBlocksBelow
    self.headroomBelowPercent = headroomBelowPercent
    self.freeBytesBelow = freeBytesBelow
    self.unusableAbove = unusableAbove
    self.fragmentationScoreAbove = fragmentationScoreAbove
    self.stallsAbove = stallsAbove
    self.kswapdScannedAbove = kswapdScannedAbove
  }

  /// Whether a test needs zone watermarks (/proc/zoneinfo).
  public var needsZoneInfo: Bool { headroomBelowPercent != nil || fragmentationScoreAbove != nil }
  /// Whether a test needs vmstat counters from one cycle to the next.
  public var needsVMStat: Bool { stallsAbove != nil || kswapdScannedAbove != nil }
  /// Whether any test looks at free blocks.
  public var needsBuddyInfo: Bool {
    freeBlocksBelow != nil || freeBytesBelow != nil || unusableAbove != nil || fragmentationIndexAbove != nil
      || fragmentationIndexBelow != nil || fragmentationScoreAbove != nil || headroomBelowPercent != nil
  }

  /// The tests, as a profile writes them: `order 9 per node: free blocks < 256, unusable > 90%`.
  public var summary: String {
    var tests: [String] = []
    if let v = freeBlocksBelow { tests.append("free order-\(order) blocks < \(v)") }
    if let v = freeBytesBelow { tests.append("free in order-\(order)+ blocks < \(Bytes.text(v))") }
    if let v = unusableAbove { tests.append("unusable > \(Permille.text(v))") }
    if let v = fragmentationIndexAbove { tests.append("fragmentation index > \(v)") }
    if let v = fragmentationIndexBelow { tests.append("fragmentation index < \(v)") }
    if let v = fragmentationScoreAbove { tests.append("fragmentation score > \(v)") }
    if let v = headroomBelowPercent { tests.append("watermark headroom < \(v)%") }
    if let v = stallsAbove { tests.append("stalls per cycle > \(v)") }
    if let v = kswapdScannedAbove { tests.append("kswapd scanned per cycle > \(v)") }
    return "order \(order) per \(scope.rawValue): " + tests.joined(separator: ", ")
  }
}

/// Per mille as people read it: 900 → `90%`, 905 → `90.5%`.
public enum Permille {
  public static func text(_ v: Int64) -> String {
    v % 10 == 0 ? "\(v / 10)%" : "\(v / 10).\(abs(v % 10))%"
  }
}

/// Byte counts as people read them: `512 MiB`, `1.5 GiB`, `4 KiB`.
public enum Bytes {
  public static func text(_ bytes: Int64) -> String {
    let units: [(String, Int64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
    for (name, size) in units where bytes >= size {
      let tenths = bytes * 10 / size
      return tenths % 10 == 0 ? "\(tenths / 10) \(name)" : "\(tenths / 10).\(tenths % 10) \(name)"
    }
    return "\(bytes) B"
  }
}

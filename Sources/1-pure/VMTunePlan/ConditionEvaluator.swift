import VMTuneHost
import VMTuneModel
import VMTuneProfile

/// Counter deltas between two agent cycles, for the conditions about pressure.
public struct Pressure: Sendable, Hashable {
  /// compact_stall + allocstall_* (direct compaction and direct reclaim stalls).
  public var stalls: UInt64
  /// pgscan_kswapd.
  public var kswapdScanned: UInt64

  public init(stalls: UInt64, kswapdScanned: UInt64) {
    self.stalls = stalls
    self.kswapdScanned = kswapdScanned
  }

  /// The deltas from `before` to `after` (0 where a counter went backwards: a reboot).
  public init(from before: VMStat, to after: VMStat) {
    func delta(_ read: (VMStat) -> UInt64) -> UInt64 {
      let (a, b) = (read(before), read(after))
      return b >= a ? b - a : 0
    }
    stalls = delta { $0.counters["compact_stall"] ?? 0 } + delta { $0.sum(prefix: "allocstall") }
    kswapdScanned = delta { $0.counters["pgscan_kswapd"] ?? 0 }
  }
}

/// The numbers behind a condition that holds, for the log, `plan` and `explain`.
public struct Evidence: Sendable, Hashable, CustomStringConvertible {
  public var node: Int
  /// The zone, for conditions evaluated per zone.
  public var zone: String?
  public var order: Int
  /// Bytes in a block of `order` on this host.
  public var blockBytes: Int64
  public var fragmentationIndex: Int
  /// Free blocks of at least `order`, in order-sized units.
  public var suitableBlocks: UInt64
  public var freePages: UInt64
  /// Per mille of free memory in blocks smaller than `order`.
  public var unusable: Int
  public var headroomPercent: Int64?
  public var fragmentationScore: UInt64?
  public var pressure: Pressure?

  public var place: String { zone.map { "node \(node) \($0)" } ?? "node \(node)" }

  public var description: String {
    let block = Bytes.text(blockBytes)
    var s = "\(place): \(Permille.text(Int64(unusable))) of free memory unusable at order \(order) (\(block) blocks), "
    s += "\(suitableBlocks) free order-\(order) block(s), \(freePages) free pages"
    if fragmentationIndex >= 0 { s += ", fragmentation index \(fragmentationIndex)" }
    if let score = fragmentationScore { s += ", fragmentation score \(score)" }
    if let h = headroomPercent { s += ", headroom \(h)% of the zone above low" }
    if let p = pressure {
      s += ", \(p.stalls) stall(s) and \(p.kswapdScanned) pages scanned by kswapd since the last cycle"
    }
    return s
  }
}

/// Evaluates `when:` conditions against buddyinfo, zoneinfo and counter deltas. All the tests of a
/// condition must hold in the same node (or zone); of several conditions, any. The 16 MiB ISA
/// `DMA` zone is left out where a node has other zones: it always has few free blocks, and general
/// allocations reach it only through the lowmem reserve, so it would make `free_blocks_below` hold
/// on every cycle.
public enum ConditionEvaluator {
  /// The strongest evidence of any condition that holds, or nil.
  public static func evaluate(
    _ conditions: [MemoryCondition], buddy: [FreeAreas], zones: ZoneInfo?, pages: PageGeometry,
    pressure: Pressure? = nil
  ) -> Evidence? {
    conditions.lazy.compactMap { evaluate($0, buddy: buddy, zones: zones, pages: pages, pressure: pressure) }.first
  }

  /// The evidence in the place where `c` holds best (highest unusable share), or nil.
  public static func evaluate(
    _ c: MemoryCondition, buddy: [FreeAreas], zones: ZoneInfo?, pages: PageGeometry, pressure: Pressure? = nil
  ) -> Evidence? {
    if c.needsVMStat, pressure == nil { return nil }
    return closest(c, buddy: buddy, zones: zones, pages: pages, pressure: pressure) { holds(c, $0) }
  }

  /// The evidence of the place (node or zone) with the highest unusable share among those that
  /// pass `filter`; with no filter, where `c` comes closest to holding.
  /// Nil when the host has no buddy order `c.order` (an order-13 condition on a 4 KiB host).
  public static func closest(
    _ c: MemoryCondition, buddy: [FreeAreas], zones: ZoneInfo?, pages: PageGeometry, pressure: Pressure? = nil,
    where filter: (Evidence) -> Bool = { _ in true }
  ) -> Evidence? {
    guard pages.has(order: c.order) else { return nil }
    return places(c.scope, buddy: buddy, zones: zones).compactMap { evidence(c, $0, pages: pages, pressure: pressure) }
      .filter(filter).max { $0.unusable < $1.unusable }
  }

  /// One node's or zone's free blocks and zone statistics.
  struct Place {
    var node: Int
    var zone: String?
    /// Free blocks by order, summed over the place's zones (DMA left out where the node has others).
    var counts: [UInt64]
    var stats: [ZoneStats]
    /// Every zone of the place with its size, for the kernel's size-weighted node score.
    var scored: [(freeBlocks: [UInt64], present: UInt64)]
  }

  static func places(_ scope: MemoryCondition.Scope, buddy: [FreeAreas], zones: ZoneInfo?) -> [Place] {
    let nodesWithOtherZones = Set(buddy.filter { $0.zone != "DMA" }.map(\.node))
    let counted = { (a: FreeAreas) in !(a.zone == "DMA" && nodesWithOtherZones.contains(a.node)) }
    let stats = { (a: FreeAreas) in zones?.zones.filter { $0.node == a.node && $0.name == a.zone } ?? [] }
    let scored = { (a: FreeAreas) in stats(a).map { (freeBlocks: a.counts, present: $0.present) } }
    switch scope {
    case .zone:
      return buddy.filter(counted).map {
        Place(node: $0.node, zone: $0.zone, counts: $0.counts, stats: stats($0), scored: scored($0))
      }
    case .node:
      return Dictionary(grouping: buddy, by: \.node).sorted { $0.key < $1.key }.map { node, all in
        let areas = all.filter(counted)
        let width = areas.map(\.counts.count).max() ?? 0
        let sum = (0..<width).map { o in areas.reduce(UInt64(0)) { $0 + (o < $1.counts.count ? $1.counts[o] : 0) } }
        return Place(node: node, zone: nil, counts: sum, stats: areas.flatMap(stats), scored: all.flatMap(scored))
      }
    }
  }

  static func evidence(_ c: MemoryCondition, _ p: Place, pages: PageGeometry, pressure: Pressure?) -> Evidence? {
    let info = Fragmentation.contigInfo(p.counts, order: c.order)
    var e = Evidence(
      node: p.node, zone: p.zone, order: c.order, blockBytes: pages.blockBytes(order: c.order),
      fragmentationIndex: Fragmentation.index(p.counts, order: c.order),
      suitableBlocks: info.freeBlocksSuitable, freePages: info.freePages,
      unusable: Fragmentation.unusableIndex(p.counts, order: c.order), pressure: c.needsVMStat ? pressure : nil)
    let managed = p.stats.reduce(Int64(0)) { $0 + Int64($1.managedPages) }
    if c.headroomBelowPercent != nil, managed > 0 {
      let above = p.stats.reduce(Int64(0)) { $0 + Int64($1.free) - (Int64($1.low) - Int64($1.boost ?? 0)) }
      e.headroomPercent = above * 100 / managed
    }
    if c.fragmentationScoreAbove != nil, !p.scored.isEmpty {
      // The kernel's score: per zone, the share of free memory unusable for 2 MiB huge pages; per
      // node, those shares weighted by zone size (fragmentation_score_node()).
      e.fragmentationScore =
        p.zone == nil
        ? ProactiveCompaction.nodeScore(p.scored, hugePageOrder: pages.hugePageOrder)
        : UInt64(Fragmentation.extfragPercent(p.counts, order: pages.hugePageOrder))
    }
    return e
  }

  static func holds(_ c: MemoryCondition, _ e: Evidence) -> Bool {
    let blockBytes = e.blockBytes
    let tests: [Bool?] = [
      c.freeBlocksBelow.map { e.suitableBlocks < UInt64($0) },
      c.freeBytesBelow.map { limit in
        let (bytes, overflow) = Int64(clamping: e.suitableBlocks).multipliedReportingOverflow(by: blockBytes)
        return !overflow && bytes < limit
      },
      // With nothing free the index is 1000 but there is nothing to compact: not fragmentation.
      c.unusableAbove.map { e.freePages > 0 && Int64(e.unusable) > $0 },
      c.fragmentationIndexAbove.map { e.fragmentationIndex > Int($0) },
      c.fragmentationIndexBelow.map { e.fragmentationIndex >= 0 && e.fragmentationIndex < Int($0) },
      c.fragmentationScoreAbove.map { s in e.fragmentationScore.map { $0 > UInt64(s) } ?? false },
      c.headroomBelowPercent.map { p in e.headroomPercent.map { $0 < p } ?? false },
      c.stallsAbove.map { s in e.pressure.map { $0.stalls > UInt64(s) } ?? false },
      c.kswapdScannedAbove.map { s in e.pressure.map { $0.kswapdScanned > UInt64(s) } ?? false },
    ]
    return tests.allSatisfy { $0 ?? true }
  }
}

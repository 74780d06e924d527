/// What the kernel does for a high-order allocation that is short of free blocks
/// (`compaction_suitable()`, docs/KERNEL.md, Compaction suitability).
public enum CompactionDecision: Sendable, Hashable, Codable {
  /// A free block of the order exists (fragmentation index −1000): nothing to fix.
  case alreadyAvailable
  /// Too few free pages to compact into (COMPACT_SKIPPED): reclaim first.
  case reclaimTooLittleFree(freePages: UInt64, needed: UInt64)
  /// Fragmentation index at or below extfrag_threshold: memory is short, not fragmented.
  case reclaimShortOfMemory(index: Int)
  /// Fragmentation index above extfrag_threshold (or a cheap order): compaction helps.
  case compact(index: Int)
}

/// Inputs of ``Compaction/decide(_:)``.
public struct CompactionInput: Sendable, Hashable {
  public var freeBlocks: [UInt64]
  public var order: Int
  /// zoneinfo `pages free` (NR_FREE_PAGES).
  public var freePages: UInt64
  public var minWatermark: UInt64
  public var lowWatermark: UInt64
  public var lowmemReserve: UInt64
  public var extfragThreshold: Int
  /// 4.8+ rule (costly orders only consult the fragmentation index); false for older kernels.
  public var costlyOrderRule: Bool

  public init(
    freeBlocks: [UInt64], order: Int, freePages: UInt64, minWatermark: UInt64,
    lowWatermark: UInt64, lowmemReserve: UInt64 = 0, extfragThreshold: Int = 500,
    costlyOrderRule: Bool = true
  ) {
    self.freeBlocks = freeBlocks
    self.order = order
    self.freePages = freePages
    self.minWatermark = minWatermark
    self.lowWatermark = lowWatermark
    self.lowmemReserve = lowmemReserve
    self.extfragThreshold = extfragThreshold
    self.costlyOrderRule = costlyOrderRule
  }
}

public enum Compaction {
  /// PAGE_ALLOC_COSTLY_ORDER.
  public static let costlyOrder = 3

  public static func decide(_ input: CompactionInput) -> CompactionDecision {
    let index = Fragmentation.index(input.freeBlocks, order: input.order)
    if index == -1000 { return .alreadyAvailable }
    let costly = input.order > costlyOrder
    let base = (!input.costlyOrderRule || costly) ? input.lowWatermark : input.minWatermark
    let needed = base + (UInt64(2) << UInt64(input.order)) + input.lowmemReserve
    // Order-0 __zone_watermark_ok: free must exceed mark + reserve.
    if input.freePages <= needed {
      return .reclaimTooLittleFree(freePages: input.freePages, needed: needed + 1)
    }
    if !input.costlyOrderRule || costly, index >= 0, index <= input.extfragThreshold {
      return .reclaimShortOfMemory(index: index)
    }
    return .compact(index: index)
  }
}

/// Proactive compaction scoring (`fragmentation_score_zone()`, 5.9+; docs/KERNEL.md, Proactive compaction).
public enum ProactiveCompaction {
  /// `fragmentation_score_zone_weighted()`; `hugePageOrder` is COMPACTION_HPAGE_ORDER (9 with
  /// 4 KiB pages, 13 with 64 KiB).
  public static func weightedZoneScore(
    _ freeBlocks: [UInt64], present: UInt64, nodePresent: UInt64, hugePageOrder: Int
  ) -> UInt64 {
    let percent = UInt64(Fragmentation.extfragPercent(freeBlocks, order: hugePageOrder))
    return UInt64(Int128(present) * Int128(percent) / (Int128(nodePresent) + 1))
  }

  /// `fragmentation_score_node()`: the sum over the node's populated zones.
  public static func nodeScore(_ zones: [(freeBlocks: [UInt64], present: UInt64)], hugePageOrder: Int) -> UInt64 {
    let nodePresent = zones.reduce(UInt64(0)) { $0 &+ $1.present }
    return zones.filter { $0.present > 0 }.reduce(UInt64(0)) {
      $0
        &+ weightedZoneScore($1.freeBlocks, present: $1.present, nodePresent: nodePresent, hugePageOrder: hugePageOrder)
    }
  }

  /// `fragmentation_score_wmark()`: (low, high) for a proactiveness.
  public static func watermarks(proactiveness: UInt64) -> (low: UInt64, high: UInt64) {
    let low = Swift.max(100 - Swift.min(proactiveness, 100), 5)
    return (low, Swift.min(low + 10, 100))
  }

  /// Whether kcompactd would start a proactive pass (kswapd not running).
  public static func wouldCompact(nodeScore: UInt64, proactiveness: UInt64) -> Bool {
    proactiveness != 0 && nodeScore > watermarks(proactiveness: proactiveness).high
  }
}

/// `struct contig_page_info` from mm/vmstat.c.
public struct ContigPageInfo: Sendable, Hashable, Codable {
  public var freePages: UInt64
  public var freeBlocksTotal: UInt64
  public var freeBlocksSuitable: UInt64
}

/// External fragmentation metrics from per-order free block counts (`/proc/buddyinfo`),
/// bit-for-bit as mm/vmstat.c computes them (docs/KERNEL.md, Fragmentation indexes).
public enum Fragmentation {
  /// `fill_contig_page_info()`.
  public static func contigInfo(_ freeBlocks: [UInt64], order: Int) -> ContigPageInfo {
    var info = ContigPageInfo(freePages: 0, freeBlocksTotal: 0, freeBlocksSuitable: 0)
    for (o, blocks) in freeBlocks.enumerated() {
      info.freeBlocksTotal += blocks
      info.freePages += blocks << UInt64(o)
      if o >= order { info.freeBlocksSuitable += blocks << UInt64(o - order) }
    }
    return info
  }

  /// `__fragmentation_index()`: −1000 when a block of `order` exists, 0 when there is no free
  /// memory, else 0 … 1000 (towards 0: lack of memory; towards 1000: fragmentation).
  public static func index(_ freeBlocks: [UInt64], order: Int) -> Int {
    let info = contigInfo(freeBlocks, order: order)
    let requested = UInt64(1) << UInt64(order)
    if info.freeBlocksTotal == 0 { return 0 }
    if info.freeBlocksSuitable > 0 { return -1000 }
    return 1000 - Int((1000 + info.freePages * 1000 / requested) / info.freeBlocksTotal)
  }

  /// `unusable_free_index()`: per mille of free pages in blocks smaller than `2^order`
  /// (1000 when nothing is free), as debugfs `extfrag/unusable_index` prints it.
  public static func unusableIndex(_ freeBlocks: [UInt64], order: Int) -> Int {
    let info = contigInfo(freeBlocks, order: order)
    if info.freePages == 0 { return 1000 }
    return Int((info.freePages - (info.freeBlocksSuitable << UInt64(order))) * 1000 / info.freePages)
  }

  /// `extfrag_for_order()`: the same share in percent, 0 when nothing is free (proactive compaction).
  public static func extfragPercent(_ freeBlocks: [UInt64], order: Int) -> Int {
    let info = contigInfo(freeBlocks, order: order)
    if info.freePages == 0 { return 0 }
    return Int((info.freePages - (info.freeBlocksSuitable << UInt64(order))) * 100 / info.freePages)
  }

  /// How debugfs prints an index: `-1.000`, ` 0.870`.
  public static func debugfsText(_ index: Int) -> String {
    let sign = index < 0 ? "-" : ""
    let a = abs(index)
    let frac = String(a % 1000)
    return "\(sign)\(a / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
  }
}

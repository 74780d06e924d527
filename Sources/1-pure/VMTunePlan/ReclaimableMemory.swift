import VMTuneHost

/// Where a zone's reclaimable page count comes from.
public enum ReclaimableSource: String, Sendable, Hashable, Codable {
  /// The zone's own file LRU counters in /proc/zoneinfo.
  case zoneCounters
  /// No per-zone counters: the zone's share (by managed pages) of meminfo's Active(file),
  /// Inactive(file) and SReclaimable.
  case meminfoShare
  /// Neither file gives file pages; nothing is counted as reclaimable.
  case unknown
}

/// What kswapd can give back in each zone without swapping: its page cache (docs/KERNEL.md,
/// Guards on a busy host).
enum ReclaimableMemory {
  /// Pages per zone of `info`, in its order, with where each number comes from.
  static func perZone(_ info: ZoneInfo, memInfo: MemInfo, pageKB: UInt64) -> [(
    pages: UInt64, source: ReclaimableSource
  )] {
    let fileKB = ["Active(file)", "Inactive(file)", "SReclaimable"].compactMap { memInfo.values[$0] }
    let sharedPages =
      fileKB.isEmpty ? nil : UInt64(clamping: fileKB.reduce(Int128(0)) { $0 + Int128($1) } / Int128(max(pageKB, 1)))
    let totalManaged = info.zones.reduce(UInt64(0)) { $0 + $1.managedPages }
    return info.zones.map { z in
      if let pages = z.filePages { return (pages, .zoneCounters) }
      guard let shared = sharedPages, totalManaged > 0 else { return (0, .unknown) }
      return (UInt64(Int128(shared) * Int128(z.managedPages) / Int128(totalManaged)), .meminfoShare)
    }
  }

  /// How a message names the zone's reclaimable pages, and where the number comes from when it
  /// is not the zone's own counter.
  static func describe(_ pages: UInt64, _ source: ReclaimableSource) -> (amount: String, origin: String?) {
    switch source {
    case .zoneCounters: return ("\(pages) pages of page cache", nil)
    case .meminfoShare:
      return ("about \(pages) pages of page cache and reclaimable slab", "its share of /proc/meminfo's")
    case .unknown: return ("no page cache", "neither zoneinfo nor meminfo counts file pages")
    }
  }
}

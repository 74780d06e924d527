import VMTuneHost
import VMTuneKernel
import VMTuneModel
import VMTuneProfile

/// The numbers that made a condition hold, for the log.
public struct Evidence: Sendable, Hashable, CustomStringConvertible {
  public var node: Int
  public var zone: String
  public var order: Int
  public var fragmentationIndex: Int
  public var suitableBlocks: UInt64
  public var freePages: UInt64
  public var headroomPercent: Int64?

  public var description: String {
    var s =
      "node \(node) \(zone): order-\(order) fragmentation index \(fragmentationIndex), "
      + "\(suitableBlocks) free order-\(order) block(s), \(freePages) free pages"
    if let h = headroomPercent { s += ", headroom \(h)% of the zone above low" }
    return s
  }
}

/// Evaluates `when:` conditions of actions against buddyinfo and zoneinfo, zone by zone: all
/// the tests of a condition must hold in the same zone. The 16 MiB ISA `DMA` zone is left out
/// when a node has other zones: it always has few free blocks, and general allocations reach it
/// only through the lowmem reserve, so it would make `free_blocks_below` fire on every cycle.
public enum ConditionEvaluator {
  public static func evaluate(_ t: Action.MemoryCondition, buddy: [FreeAreas], zones: ZoneInfo?) -> Evidence? {
    var best: Evidence?
    let nodesWithOtherZones = Set(buddy.filter { $0.zone != "DMA" }.map(\.node))
    for areas in buddy where !(areas.zone == "DMA" && nodesWithOtherZones.contains(areas.node)) {
      let info = Fragmentation.contigInfo(areas.counts, order: t.order)
      let fi = Fragmentation.index(areas.counts, order: t.order)
      let stats = zones?.zones.first { $0.node == areas.node && $0.name == areas.zone }
      var headroom: Int64?
      if let s = stats, s.managedPages > 0 {
        let low = Int64(s.low) - Int64(s.boost ?? 0)
        headroom = (Int64(s.free) - low) * 100 / Int64(s.managedPages)
      }
      if let above = t.fragmentationIndexAbove, !(fi > Int(above)) { continue }
      if let below = t.fragmentationIndexBelow, !(fi >= 0 && fi < Int(below)) { continue }
      if let n = t.freeBlocksBelow, !(info.freeBlocksSuitable < UInt64(n)) { continue }
      if let p = t.headroomBelowPercent {
        guard let h = headroom, h < p else { continue }
      }
      let e = Evidence(
        node: areas.node, zone: areas.zone, order: t.order, fragmentationIndex: fi,
        suitableBlocks: info.freeBlocksSuitable, freePages: areas.freePages, headroomPercent: headroom)
      if best == nil || e.fragmentationIndex > best?.fragmentationIndex ?? Int.min { best = e }
    }
    return best
  }
}

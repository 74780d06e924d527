import Testing
import VMTuneHost
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTunePlan

/// Every numeric cut-off of `ConditionEvaluator` on both sides of its boundary, so a mutated
/// comparison (`<` for `<=`, `>` for `>=`, a dropped term) fails.
@Suite struct ConditionThresholdTests {
  /// One Normal zone on node 0 whose zoneinfo says `free`, `low`, `boost` and `managed`.
  func zones(free: UInt64, low: UInt64, boost: UInt64 = 0, managed: UInt64, node: Int = 0) -> ZoneInfo {
    var z = ZoneStats(node: node, name: "Normal")
    z.free = free
    z.min = low * 4 / 5
    z.low = low
    z.high = low * 6 / 5
    z.boost = boost
    z.managed = managed
    z.present = managed
    return ZoneInfo(zones: [z])
  }

  let normal = [FreeAreas(node: 0, zone: "Normal", counts: [1010, 1093, 1105, 779, 454, 329, 312, 249, 182, 179, 433])]

  func fires(_ t: Action.MemoryCondition, _ buddy: [FreeAreas]? = nil, zones: ZoneInfo?) -> Evidence? {
    ConditionEvaluator.evaluate(t, buddy: buddy ?? normal, zones: zones, pages: .x86)
  }

  // MARK: headroom_below_percent: (free − (low − boost)) × 100 / managed < threshold

  @Test func headroomFiresBelowTheThresholdAndNotAtOrAboveIt() throws {
    // (3000 − 1000) × 100 / 10000 = 20 % exactly.
    let at20 = zones(free: 3000, low: 1000, managed: 10000)
    #expect(
      fires(Action.MemoryCondition(order: 4, headroomBelowPercent: 20), zones: at20) == nil, "20 % is not below 20 %")
    #expect(fires(Action.MemoryCondition(order: 4, headroomBelowPercent: 19), zones: at20) == nil)
    let e = try #require(fires(Action.MemoryCondition(order: 4, headroomBelowPercent: 21), zones: at20))
    #expect(e.headroomPercent == 20)
    #expect(e.node == 0 && e.zone == "Normal")
    // One page less: 1999 × 100 / 10000 = 19 (the kernel-style floor), now below 20.
    let under = zones(free: 2999, low: 1000, managed: 10000)
    #expect(fires(Action.MemoryCondition(order: 4, headroomBelowPercent: 20), zones: under)?.headroomPercent == 19)
    #expect(fires(Action.MemoryCondition(order: 4, headroomBelowPercent: 19), zones: under) == nil)
  }

  @Test func headroomUnderTheLowWatermarkIsNegativeAndFires() {
    let e = fires(
      Action.MemoryCondition(order: 4, headroomBelowPercent: 1), zones: zones(free: 500, low: 1000, managed: 10000))
    #expect(e?.headroomPercent == -5)
  }

  @Test func headroomDiscountsTheWatermarkBoost() {
    // low 1000 with a boost of 500: the unboosted low is 500, so headroom is (2500 − 500) / 100 = 20 %
    // (15 % if the boost were not taken off).
    let boosted = zones(free: 2500, low: 1000, boost: 500, managed: 10000)
    #expect(fires(Action.MemoryCondition(order: 4, headroomBelowPercent: 20), zones: boosted) == nil)
    #expect(fires(Action.MemoryCondition(order: 4, headroomBelowPercent: 21), zones: boosted)?.headroomPercent == 20)
  }

  @Test func headroomNeedsTheZonesZoneinfo() {
    let t = Action.MemoryCondition(order: 4, headroomBelowPercent: 100)
    #expect(fires(t, zones: nil) == nil, "no zoneinfo: headroom unknown, never fires")
    #expect(fires(t, zones: zones(free: 0, low: 1000, managed: 10000, node: 1)) == nil, "zoneinfo of another node")
    #expect(fires(t, zones: zones(free: 0, low: 1000, managed: 0)) == nil, "an unmanaged zone has no headroom")
    #expect(fires(t, zones: zones(free: 0, low: 1000, managed: 1))?.headroomPercent == -100_000)
  }

  // MARK: fragmentation_index_above / _below and free_blocks_below

  /// Ten free order-3 blocks: no order-4 block, index 1000 − (1000 + 80 × 1000 / 16) / 10 = 400.
  let index400 = [FreeAreas(node: 0, zone: "Normal", counts: [0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0])]

  @Test func fragmentationIndexAboveIsStrict() throws {
    let e = try #require(fires(Action.MemoryCondition(order: 4, fragmentationIndexAbove: 399), index400, zones: nil))
    #expect(e.fragmentationIndex == 400)
    #expect(fires(Action.MemoryCondition(order: 4, fragmentationIndexAbove: 400), index400, zones: nil) == nil)
  }

  @Test func fragmentationIndexBelowIsStrictAndIgnoresMinus1000() throws {
    #expect(
      fires(Action.MemoryCondition(order: 4, fragmentationIndexBelow: 401), index400, zones: nil)?.fragmentationIndex
        == 400)
    #expect(fires(Action.MemoryCondition(order: 4, fragmentationIndexBelow: 400), index400, zones: nil) == nil)
    // −1000 means a block of the order exists: not a shortage, whatever the threshold.
    let hasBlock = [FreeAreas(node: 0, zone: "Normal", counts: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])]
    #expect(fires(Action.MemoryCondition(order: 4), hasBlock, zones: nil)?.fragmentationIndex == -1000)
    #expect(fires(Action.MemoryCondition(order: 4, fragmentationIndexBelow: 1000), hasBlock, zones: nil) == nil)
    // 0 (nothing free at all) is the bottom of the range and does count as below.
    let empty = [FreeAreas(node: 0, zone: "Normal", counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]
    #expect(
      fires(Action.MemoryCondition(order: 4, fragmentationIndexBelow: 1), empty, zones: nil)?.fragmentationIndex == 0)
  }

  @Test func freeBlocksBelowIsStrict() throws {
    // Order-4 blocks available: 3 of order 4, 1 of order 5 (= 2 order-4 blocks): 5.
    let five = [FreeAreas(node: 0, zone: "Normal", counts: [7, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0])]
    let e = try #require(fires(Action.MemoryCondition(order: 4, freeBlocksBelow: 6), five, zones: nil))
    #expect(e.suitableBlocks == 5)
    #expect(fires(Action.MemoryCondition(order: 4, freeBlocksBelow: 5), five, zones: nil) == nil)
  }

  @Test func everyTestOfAConditionMustHoldInTheSameZone() {
    // Node 0 has the headroom shortage, node 1 the fragmentation: neither zone meets both.
    let buddy = [
      FreeAreas(node: 0, zone: "Normal", counts: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      FreeAreas(node: 1, zone: "Normal", counts: [0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]),
    ]
    let z0 = zones(free: 1000, low: 1000, managed: 10000).zones[0]
    var z1 = zones(free: 9000, low: 1000, managed: 10000, node: 1).zones[0]
    let t = Action.MemoryCondition(order: 4, fragmentationIndexAbove: 300, headroomBelowPercent: 10)
    #expect(ConditionEvaluator.evaluate(t, buddy: buddy, zones: ZoneInfo(zones: [z0, z1]), pages: .x86) == nil)
    z1.free = 1500
    #expect(ConditionEvaluator.evaluate(t, buddy: buddy, zones: ZoneInfo(zones: [z0, z1]), pages: .x86)?.node == 1)
  }
}

extension ConditionThresholdTests {
  @Test func anEmptyZoneIsNotFragmented() {
    let empty = [FreeAreas(node: 0, zone: "Movable", counts: Array(repeating: 0, count: 11))]
    let c = MemoryCondition(order: 9, unusableAbove: 500)
    #expect(ConditionEvaluator.evaluate(c, buddy: empty, zones: nil, pages: .x86) == nil)
    let fragmented = [FreeAreas(node: 0, zone: "Normal", counts: [1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]
    #expect(ConditionEvaluator.evaluate(c, buddy: fragmented, zones: nil, pages: .x86)?.unusable == 1000)
  }
}

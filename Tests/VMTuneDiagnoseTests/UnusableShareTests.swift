import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneDiagnose

/// The unusable free space index as a finding: most free memory in blocks too small for an order
/// of interest, though blocks of that order are left (the fragmentation index is then −1000).
@Suite struct UnusableShareTests {
  let fixtures = DiagnoserTests()

  /// A VM host whose 2 MiB starts fall back from huge pages: 71 free order-9 blocks in DMA32, and
  /// 348663 order-0 pages besides.
  static let vmStartBuddyinfo = """
    Node 0, zone      DMA      0      0      0      0      0      0      0      1      0      1      3
    Node 0, zone    DMA32 348663      1      2      3      2      3      2      2      2      1     35

    """

  func vmStartHost() throws -> FixtureHost {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", Self.vmStartBuddyinfo)
    return host
  }

  @Test func mostFreeMemoryUnusableForHugePagesIsAFindingWithAdvice() throws {
    let s = try fixtures.snapshot(try vmStartHost())
    let d = Diagnoser.diagnose(s)
    let dma32 = try #require(d.zones.first { $0.zone == "DMA32" })
    #expect(dma32.orders.map(\.fragmentationIndex) == [-1000, -1000])
    #expect(dma32.orders.map(\.unusableIndex) == [903, 905])
    // The DMA zone (unusable 34 at order 9) is left out where its node has others.
    #expect(
      d.unusable == [
        UnusableShare(
          node: 0, zone: "DMA32", source: "buddyinfo", order: 9, blockBytes: 2 << 20, unusable: 905, suitableBlocks: 71,
          freePages: 386_073, strong: true),
        UnusableShare(
          node: 0, zone: "DMA32", source: "buddyinfo", order: 4, blockBytes: 64 << 10, unusable: 903,
          suitableBlocks: 2336,
          freePages: 386_073, strong: true),
      ])
    #expect(!d.advice.contains { $0.kind == .none })
    let compact = try #require(d.advice.first)
    #expect(compact.kind == .compact)
    #expect(
      compact.title
        == "Compact memory: 90.5% of free memory is unusable for order-9 (2 MiB) allocations in node 0 DMA32 "
        + "(71 free order-9 blocks)")
    #expect(compact.evidence.hasPrefix("node 0 DMA32: 386073 free pages, of which order-9 blocks hold only 71 × 2 MiB"))
    #expect(compact.evidence.contains("90.3% of free memory is unusable for order-4 (64 KiB) allocations"))
    #expect(compact.commands.first == "echo 1 > /proc/sys/vm/compact_memory")
    // 6.18 with compaction_proactiveness 20: raised to 30 as well.
    #expect(
      compact.profile == [
        "sysctl:", "  compaction_proactiveness: 30", "actions:", "  compact:", "    when:",
        "      - { order: 4, per: node, unusable_above: 0.9 }", "      - { order: 9, per: node, unusable_above: 0.9 }",
        "    min_interval: 10m",
      ])
  }

  @Test func healthyBuddyinfoHasNoFinding() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    let d = Diagnoser.diagnose(try fixtures.snapshot(host))
    #expect(d.zones.first?.orders.map(\.unusableIndex) == [20, 195])
    #expect(d.unusable.isEmpty)
    #expect(d.advice.map(\.kind) == [.none])
    #expect(d.advice.first?.evidence.contains("no zone with more than half of its free memory unusable") == true)
  }

  @Test func moreThanHalfIsAFindingAboveEightyPercentStrong() throws {
    // 6000 order-0 pages and 8 order-9 blocks (4096 pages): 594 per mille unusable at orders 4 and 9.
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 6000 0 0 0 0 0 0 0 0 8 0\n")
    let d = Diagnoser.diagnose(try fixtures.snapshot(host))
    #expect(d.unusable.map(\.unusable) == [594, 594])
    #expect(d.unusable.allSatisfy { !$0.strong })
    let compact = try #require(d.advice.first)
    #expect(compact.title.hasPrefix("Consider compacting memory: 59.4% of free memory is unusable for order-9"))
    #expect(compact.evidence.contains("unusable index 594/1000 (above 500: more than half)"))
    #expect(compact.profile.contains("      - { order: 9, per: node, unusable_above: 0.5 }"))
    // Exactly half is not a finding: 4096 order-0 pages beside the 4096 in order-9 blocks.
    try host.write("proc/buddyinfo", "Node 0, zone Normal 4096 0 0 0 0 0 0 0 0 8 0\n")
    #expect(Diagnoser.diagnose(try fixtures.snapshot(host)).unusable.isEmpty)
  }

  @Test func shortOfMemoryIsNotAnUnusableFinding() throws {
    // 594 per mille unusable at order 9, but free (5048) is not above low 5000 plus 2 × 512.
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 3000 0 0 0 0 0 0 0 0 0 2\n")
    try host.writeZoneinfo([FixtureZone("Normal", free: 5048, min: 4000, low: 5000, high: 6000, managed: 2_000_000)])
    let d = Diagnoser.diagnose(try fixtures.snapshot(host), orders: [9])
    #expect(d.zones.first?.orders.first?.unusableIndex == 594)
    #expect(d.unusable.isEmpty)
    #expect(!d.advice.contains { $0.kind == .compact })
    // With room above the low watermark it is one.
    try host.writeZoneinfo([FixtureZone("Normal", free: 5048, min: 2000, low: 3000, high: 4000, managed: 2_000_000)])
    #expect(Diagnoser.diagnose(try fixtures.snapshot(host), orders: [9]).unusable.count == 1)
    // Without watermarks, the fragmentation index judges: 2000 order-3 blocks give 500 at order 4,
    // at extfrag_threshold, so memory is short although all of it is unusable for order 4.
    let bare = try FixtureHost()
    try bare.write("proc/buddyinfo", "Node 0, zone Normal 0 0 0 2000 0 0 0 0 0 0 0\n")
    let d4 = Diagnoser.diagnose(try fixtures.snapshot(bare), orders: [4])
    #expect(d4.zones.first?.orders.first?.unusableIndex == 1000)
    #expect(d4.unusable.isEmpty)
  }

  @Test func multiNodeHostJudgesEachNodeAndCompactsTheOneHit() throws {
    let host = try FixtureHost(numaNodes: 2)
    try host.write(
      "proc/buddyinfo",
      """
      Node 0, zone   Normal 1010 1093 1105 779 454 329 312 249 182 179 433
      Node 1, zone    DMA32 20000 0 0 0 0 0 0 0 0 4 4
      Node 1, zone   Normal 300000 100 0 0 0 0 0 0 0 20 10

      """)
    let d = Diagnoser.diagnose(try fixtures.snapshot(host), orders: [9])
    // Node 1: 320200 pages in order-0/1 blocks of 346824 free (52 order-9 blocks): 923 per mille; its
    // zones alone: DMA32 764, Normal 936.
    let node1 = try #require(d.unusable.first { $0.zone == nil })
    #expect(node1.node == 1)
    #expect(node1.unusable == 923)
    #expect(node1.suitableBlocks == 52)
    #expect(!d.unusable.contains { $0.node == 0 })
    let compact = try #require(d.advice.first)
    #expect(compact.commands.first == "echo 1 > /sys/devices/system/node/node1/compact")
    #expect(d.unusable.map(\.unusable) == [936, 923, 764])
    #expect(compact.profile.contains("    when: { order: 9, per: node, unusable_above: 0.9 }"))
  }

  @Test func profileAddsItsOrdersAndItsActionIsNamed() throws {
    let s = try fixtures.snapshot(try vmStartHost())
    let p = try loadProfile(
      "actions:\n  compact:\n    when: { order: 7, per: node, unusable_above: 0.8 }\n    min_interval: 10m\n",
      name: "vmhost")
    let d = Diagnoser.diagnose(s, profile: p)
    #expect(d.ordersOfInterest == [4, 7, 9])
    #expect(d.profile?.orders == [7])
    let action = try #require(d.profile?.actions.first)
    #expect(action.kind == .compact)
    #expect(action.wouldRun == true)
    let compact = try #require(d.advice.first { $0.kind == .compact })
    #expect(
      compact.evidence.contains(
        "; the profile's compact action would run now: node 0: 90.3% of free memory unusable at order 7"))
    // With requested orders the profile's are added too.
    #expect(Diagnoser.diagnose(s, orders: [2], profile: p).ordersOfInterest == [2, 7])
  }

  @Test func profileActionThatWouldRunWithoutMatchingAdviceIsListed() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    let s = try fixtures.snapshot(host)
    let eager = try loadProfile("actions:\n  drop_caches:\n    when: { order: 10, free_blocks_below: 1000 }\n")
    let d = Diagnoser.diagnose(s, profile: eager)
    #expect(d.ordersOfInterest == [4, 9, 10])
    let advice = try #require(d.advice.first)
    #expect(advice.kind == .profileAction)
    #expect(advice.title == "The profile's drop_caches action would run now")
    #expect(advice.evidence.contains("would run now: node 0 Normal: "))
    let idle = try loadProfile("actions:\n  compact:\n    when: { order: 9, unusable_above: 0.9 }\n")
    let calm = Diagnoser.diagnose(s, profile: idle)
    #expect(calm.advice.map(\.kind) == [.none])
    #expect(calm.profile?.actions.first?.wouldRun == false)
  }

  @Test func ordersOfInterestAddTheProfilesOrders() {
    #expect(Diagnoser.ordersOfInterest([], failures: [], protected: [9, 7], pages: .x86) == [4, 7, 9])
    #expect(Diagnoser.ordersOfInterest([3], failures: [], protected: [11, 7], pages: .x86) == [3, 7])
  }
}

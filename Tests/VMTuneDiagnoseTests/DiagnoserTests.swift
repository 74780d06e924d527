import Testing
import VMTuneHost
import VMTuneKernel
import VMTuneModel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneDiagnose

/// The buddyinfo of the 400 GB KVM host on 2014/11/25: gigabytes free on two nodes, all in order
/// 0–1 blocks.
let kvmHostBuddyInfo = """
  Node 0, zone      DMA      2      1      2      2      2      1      0      0      1      1      3
  Node 0, zone    DMA32     12     12     13     16     10      5      7     10      9      6     98
  Node 0, zone   Normal 4374385  85408      0      0      0      0      0      0      0      0      0
  Node 1, zone   Normal 1830850 261703    460     14      0      0      0      0      0      0      0

  """

@Suite struct DiagnoserTests {
  func snapshot(_ host: FixtureHost) throws -> HostSnapshot {
    try HostSnapshot.read(host.files)
  }

  /// The 400 GB KVM host on 2014/11/25: two nodes with gigabytes free, all in order 0–1 blocks.
  func fragmentedKVMHost() throws -> FixtureHost {
    let host = try FixtureHost(kernel: "2.6.32-431.17.1.el6.x86_64", memTotalKB: 396_867_932, numaNodes: 2)
    try host.write("proc/buddyinfo", kvmHostBuddyInfo)
    try host.writeZoneinfo([
      FixtureZone("DMA", free: 3932, min: 2, low: 2, high: 3, managed: 3840),
      FixtureZone("DMA32", free: 107_992, min: 172, low: 215, high: 258, managed: 759_268),
      FixtureZone("Normal", free: 4_545_201, min: 11000, low: 13750, high: 16500, managed: 48_000_000),
      FixtureZone(node: 1, "Normal", free: 2_356_208, min: 11500, low: 14375, high: 17250, managed: 50_000_000),
    ])
    return host
  }

  @Test func fragmentedHostGetsCompactionAdvice() throws {
    let host = try fragmentedKVMHost()
    let log = try KernelLog.parse(
      "Nov 25 09:14:07 wv2-f302 kernel: qemu_wl50: page allocation failure. order:4, mode:0x20\n")
    let d = Diagnoser.diagnose(try snapshot(host), log: log)
    #expect(d.ordersOfInterest == [4])
    let n0 = try #require(d.zones.first { $0.node == 0 && $0.zone == "Normal" })
    let o4 = try #require(n0.orders.first)
    #expect(o4.fragmentationIndex == 937)
    #expect(o4.decision == .compact(index: 937))
    #expect(o4.failuresInLog == 1)
    #expect(n0.headroomPages == Int64(4_545_201 - 13750))
    let n1 = try #require(d.zones.first { $0.node == 1 })
    #expect(n1.orders.first?.fragmentationIndex == 930)
    #expect(d.failures == [FailureSummary(order: 4, count: 1, processes: ["qemu_wl50"], atomic: true, firstLine: 1)])
    let compact = try #require(d.advice.first)
    #expect(compact.kind == .compact)
    #expect(
      compact.evidence.hasPrefix(
        "node 0 Normal: 4545201 free pages (17.3 GiB) but 0 blocks of order 4; fragmentation index 937 > "
          + "extfrag_threshold 500"
      ))
    #expect(compact.commands.first == "echo 1 > /proc/sys/vm/compact_memory")
    // Node 0 (DMA32 and Normal summed) has 97.6 % unusable at order 4, node 1 100 %: per node above 0.9.
    #expect(compact.profile.contains("    when: { order: 4, per: node, unusable_above: 0.9 }"))
    // An old kernel: no proactive compaction line suggested.
    #expect(!compact.profile.contains("  compaction_proactiveness: 30"))
  }

  @Test func watermarksSwallowingMemoryAdviseLoweringMinFree() throws {
    // The runaway reserve: min_free_kbytes 3000000 on 4 GiB.
    var values = FixtureHost.defaultValues
    values["min_free_kbytes"] = "3000000"
    let host = try FixtureHost(values: values, kernel: "5.4.0", memTotalKB: 4_024_116)
    try host.write(
      "proc/buddyinfo",
      "Node 0, zone DMA 0 0 0 0 0 0 0 0 1 1 3\nNode 0, zone DMA32 100 100 100 100 100 100 100 100 100 100 700\nNode 0, "
        + "zone Normal 1000 1000 1000 1000 100 10 10 10 1 1 10\n"
    )
    try host.writeZoneinfo([
      FixtureZone("DMA", free: 3840, min: 2862, low: 3577, high: 4292, managed: 3840),
      FixtureZone("DMA32", free: 757_824, min: 565_534, low: 706_917, high: 848_300, managed: 758_592),
      FixtureZone("Normal", free: 145_221, min: 181_602, low: 227_002, high: 272_402, managed: 243_597),
    ])
    let d = Diagnoser.diagnose(try snapshot(host))
    let lower = try #require(d.advice.first { $0.kind == .lowerMinFree })
    // The kernel's own choice: int_sqrt((3840+758592+243597)*4*16) = 8024 kB
    // (`calculate_min_free_kbytes()`); THP off here.
    #expect(lower.title == "Lower min_free_kbytes from 3000000 to 8024")
    #expect(lower.evidence.hasPrefix("min_free_kbytes reserves 74% of RAM"))
    #expect(lower.profile == ["sysctl:", "  min_free_kbytes: 8024"])
    #expect(d.zones.first { $0.zone == "Normal" }?.headroomPages == Int64(145_221 - 227_002))
  }

  @Test func directReclaimAdvisesRaisingReserveAndScaleFactor() throws {
    let host = try FixtureHost(memTotalKB: 16 << 20)
    try host.write(
      "proc/vmstat", "allocstall_normal 120\nallocstall_movable 30\npgscan_direct 50000\ncompact_stall 0\n")
    let d = Diagnoser.diagnose(try snapshot(host))
    #expect(d.counters["allocstall"] == 150)
    let raise = try #require(d.advice.first { $0.kind == .raiseMinFree })
    // max(2 × 67584, 16 GiB / 200 = 83886) = 135168, within 5 %.
    #expect(raise.title == "Raise min_free_kbytes from 67584 to 135168")
    #expect(raise.evidence.hasPrefix("allocstall 150, pgscan_direct 50000"))
    #expect(d.advice.contains { $0.kind == .scaleFactor && $0.title == "Raise watermark_scale_factor from 10 to 200" })
  }

  @Test func shortOfMemoryWithCacheAdvisesDropCaches() throws {
    let host = try FixtureHost(memTotalKB: 8 << 20)
    try host.write(
      "proc/meminfo", "MemTotal: 8388608 kB\nMemFree: 60000 kB\nActive(file): 2000000 kB\nInactive(file): 1500000 kB\n")
    // 2000 order-3 blocks and nothing larger: order-4 index 500 ≤ threshold → reclaim.
    try host.write("proc/buddyinfo", "Node 0, zone Normal 0 0 0 2000 0 0 0 0 0 0 0\n")
    try host.writeZoneinfo([FixtureZone("Normal", free: 16000, min: 4000, low: 5000, high: 6000, managed: 2_000_000)])
    let log = try KernelLog.parse(
      "[ 5.000000] nginx: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), nodemask=(null)\n")
    let d = Diagnoser.diagnose(try snapshot(host), log: log)
    #expect(d.zones.first?.orders.first?.decision == .reclaimShortOfMemory(index: 500))
    let drop = try #require(d.advice.first { $0.kind == .dropCaches })
    #expect(
      drop.evidence
        == "fragmentation index 500 ≤ extfrag_threshold 500; page cache holds 3.3 GiB (41% of RAM) that reclaim can "
        + "free"
    )
    #expect(drop.profile.contains("    when: { order: 4, fragmentation_index_below: 500, free_blocks_below: 64 }"))
    #expect(!d.advice.contains { $0.kind == .compact })
  }

  @Test func ksmAndZoneReclaimAdvice() throws {
    let host = try fragmentedKVMHost()
    try host.set("zone_reclaim_mode", "3")
    try host.write("sys/kernel/mm/ksm/run", "1\n")
    try host.write("sys/kernel/mm/ksm/pages_sharing", "123456\n")
    let d = Diagnoser.diagnose(try snapshot(host))
    #expect(d.advice.contains { $0.kind == .ksm && $0.title.contains("123456 pages") })
    let zr = try #require(d.advice.first { $0.kind == .zoneReclaim })
    #expect(zr.evidence.hasPrefix("bits reclaim write on 2 nodes"))
    #expect(zr.profile == ["sysctl:", "  zone_reclaim_mode: []"])
  }

  @Test func healthyHostNeedsNothingAndOfflineLogsWork() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    let d = Diagnoser.diagnose(try snapshot(host))
    #expect(d.advice.map(\.kind) == [.none])
    // No buddyinfo: the OOM report's buddy lines are analysed instead.
    let bare = try FixtureHost()
    let log = try KernelLog.parse(
      "Node 0 Normal: 1648026*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = "
        + "6592104kB\n"
    )
    let offline = Diagnoser.diagnose(try snapshot(bare), log: log)
    #expect(offline.zones.first?.source == "log line 1")
    #expect(offline.zones.first?.orders.map(\.fragmentationIndex) == [938, 999])
    #expect(offline.advice.first?.kind == .compact)
  }
}

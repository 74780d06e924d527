import Testing
import VMTuneHost
import VMTuneKernel
import VMTuneModel
import VMTuneTestSupport

@testable import VMTuneDiagnose

/// A log carries the memory state of the host that wrote it, at each failure: its Mem-Info buddy
/// lines. diagnose analyses that state with no live host, shows it apart from the live host's,
/// adds the OOM report's order, and counts each failure only in the zones it could use.
@Suite struct LogStateTests {
  /// An order-4 atomic failure and an order-2 OOM on host hv-07, each with its buddy lines.
  static let log = """
    Apr 20 15:08:07 hv-07 kernel: hv-worker: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), \
    nodemask=(null),cpuset=/,mems_allowed=0
    Apr 20 15:08:07 hv-07 kernel: CPU: 3 PID: 2291 Comm: hv-worker Not tainted 5.4.0-42-generic #46-Ubuntu
    Apr 20 15:08:07 hv-07 kernel: Mem-Info:
    Apr 20 15:08:07 hv-07 kernel: Node 0 DMA: 0*4kB 1*8kB (U) 1*16kB (U) 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) \
    0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15896kB
    Apr 20 15:08:07 hv-07 kernel: Node 0 DMA32: 2210*4kB (UME) 1450*8kB (UME) 603*16kB (UME) 3*32kB (M) 0*64kB \
    0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 30184kB
    Apr 20 15:08:07 hv-07 kernel: Node 0 Normal: 40213*4kB (UME) 9120*8kB (UME) 1002*16kB (UME) 12*32kB (UM) \
    0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 250228kB
    Apr 20 15:09:30 hv-07 kernel: java invoked oom-killer: gfp_mask=0x40cc0(GFP_KERNEL|__GFP_COMP), order=2, \
    oom_score_adj=0
    Apr 20 15:09:30 hv-07 kernel: Node 0 DMA: 0*4kB 1*8kB (U) 1*16kB (U) 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) \
    0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15896kB
    Apr 20 15:09:30 hv-07 kernel: Node 0 DMA32: 5*4kB (UM) 2*8kB (M) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB \
    0*1024kB 0*2048kB 0*4096kB = 36kB
    Apr 20 15:09:30 hv-07 kernel: Node 0 Normal: 100*4kB (UME) 20*8kB (U) 1*16kB 0*32kB 0*64kB 0*128kB 0*256kB \
    0*512kB 0*1024kB 0*2048kB 0*4096kB = 576kB
    Apr 20 15:09:30 hv-07 kernel: Out of memory: Killed process 4242 (java) total-vm:9437184kB, anon-rss:8204260kB

    """

  @Test func theOOMReportsOrderIsAnalysed() throws {
    let d = Diagnoser.diagnose(log: try KernelLog.parse(Self.log))
    #expect(d.ordersOfInterest == [2, 4])
    #expect(d.ooms.map(\.order) == [2])
    #expect(d.ooms.first?.invoker == "java")
  }

  /// No live host: the log's own buddy lines, per report, node and zone, labelled with the host,
  /// time and event they describe; the page size and kernel are the log's.
  @Test func aLogAloneIsAnalysedAsTheStateItRecorded() throws {
    let d = Diagnoser.diagnose(log: try KernelLog.parse(Self.log))
    #expect(!d.live)
    #expect(d.states.map(\.kind) == [.logged, .logged])
    #expect(
      d.states[0].title
        == "Host hv-07 at Apr 20 15:08:07 (log line 4), at the order-4 allocation failure of hv-worker (line 1), "
        + "Linux 5.4.0-42-generic")
    #expect(
      d.states[1].title
        == "Host hv-07 at Apr 20 15:09:30 (log line 8), at the OOM kill invoked by java at order 2 (line 7)")
    #expect(
      d.zones.map(\.source) == Array(repeating: "log line 4", count: 3) + Array(repeating: "log line 8", count: 3))
    #expect(d.zones.map(\.zone) == ["DMA", "DMA32", "Normal", "DMA", "DMA32", "Normal"])
    #expect(d.pages.pageSize.source == .log)
    #expect(d.host.kernelRelease == "5.4.0-42-generic", "the kernel the log's report names")
    #expect(d.assumptions.isEmpty)
    // Normal at the failure: 250228 kB free, nothing of order 4 or above.
    let normal = try #require(d.zones.first { $0.zone == "Normal" })
    #expect(normal.freePages == 62557)
    #expect(normal.orders.first { $0.order == 4 }?.suitableBlocks == 0)
    #expect(d.advice.first?.kind == .compact)
  }

  /// With a live host too: this host's state first, then each state the log recorded, each with
  /// its title; the advice about fragmentation is about this host's zones only.
  @Test func withALiveHostBothAreShownApart() throws {
    let host = try FixtureHost(hostname: "vm")
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    let d = Diagnoser.diagnose(try HostSnapshot.read(host.files), log: try KernelLog.parse(Self.log))
    #expect(d.live)
    #expect(d.states.map(\.kind) == [.live, .logged, .logged])
    #expect(d.states[0].title == "This host (vm) now: /proc/buddyinfo")
    #expect(d.states[0].source == "buddyinfo")
    #expect(d.zones.filter { $0.source == "buddyinfo" }.map(\.zone) == ["Normal"])
    #expect(d.zones.count == 7)
    #expect(d.logHosts == ["hv-07"])
    #expect(d.hostNote == "The log is from host hv-07, not this host (vm): its memory states are shown apart.")
    #expect(!d.advice.contains { $0.kind == .compact }, "the healthy live host needs no compaction")
    #expect(!d.advice.contains { $0.evidence.contains("log line") })
  }

  /// A failure counts in the zones its gfp mask and nodemask allow (and its report printed), not
  /// in the ISA DMA zone unless it asked for DMA, and not on other nodes.
  @Test func failuresCountOnlyInTheZonesTheyCouldUse() throws {
    let host = try FixtureHost(numaNodes: 2)
    try host.write("proc/buddyinfo", kvmHostBuddyInfo)
    let log = try KernelLog.parse(
      """
      [ 1.0] nginx: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), nodemask=1
      [ 2.0] nginx: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), nodemask=1
      [ 3.0] usb-storage: page allocation failure: order:4, mode:0x14(GFP_DMA32), nodemask=(null)

      """)
    let d = Diagnoser.diagnose(try HostSnapshot.read(host.files), log: log)
    func failures(_ node: Int, _ zone: String) -> Int? {
      d.zones.first { $0.node == node && $0.zone == zone && $0.source == "buddyinfo" }?.orders.first {
        $0.order == 4
      }?.failuresInLog
    }
    #expect(failures(1, "Normal") == 2)
    #expect(failures(0, "Normal") == 0)
    #expect(failures(0, "DMA32") == 1)
    #expect(failures(0, "DMA") == 0)
    #expect(d.failures.first?.count == 3)
    #expect(d.failures.first?.processes == ["nginx", "usb-storage"])
  }

  /// In the log's own report, the failure counts in the zones the report printed that it could use.
  @Test func aReportsFailureCountsInItsOwnZones() throws {
    let d = Diagnoser.diagnose(log: try KernelLog.parse(Self.log))
    let first = d.zones.filter { $0.source == "log line 4" }
    #expect(first.map { $0.orders.first { $0.order == 4 }?.failuresInLog } == [0, 1, 1])
    let second = d.zones.filter { $0.source == "log line 8" }
    #expect(second.allSatisfy { $0.orders.allSatisfy { $0.failuresInLog == 0 } })
  }

  /// A log from a 64 KiB-page host, read alone: sizes follow its pages.
  @Test func aLogFromA64KiBPageHostKeepsItsPageSize() throws {
    let log = try KernelLog.parse(
      "[ 5.000000] Node 0 Normal: 30000*64kB (U) 100*128kB (M) 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB 0*8192kB "
        + "0*16384kB 0*32768kB 0*65536kB 0*131072kB 0*262144kB 0*524288kB = 1932800kB\n")
    let d = Diagnoser.diagnose(log: log)
    #expect(d.pages.pageSize.bytes == 65536 && d.pages.orderCount == 14 && d.pages.hugePageOrder == 13)
    #expect(d.states.first?.pages.pageSize.bytes == 65536)
    #expect(d.assumptions == [Diagnoser.unknownKernelInLog], "no live host and no report names the kernel")
  }
}

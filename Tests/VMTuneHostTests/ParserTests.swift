import Foundation
import Testing
import VMTuneTestSupport

@testable import VMTuneHost

@Suite struct ZoneInfoParserTests {
  /// 6.13+ layout (docs/KERNEL.md, /proc formats), abridged from the 6.18 host.
  static let modern = """
    Node 0, zone      DMA
      per-node stats
          nr_inactive_anon 10462
          nr_active_file 46271
      pages free     3840
            boost    0
            min      60
            low      75
            high     90
            promo    105
            spanned  4095
            present  3998
            managed  3840
            cma      0
            protection: (0, 3019, 4171, 4171, 4171)
          nr_free_pages 3840
          nr_free_pages_blocks 3584
          nr_zone_inactive_anon 0
          numa_hit     0
      pagesets
        cpu: 0
                  count:    0
                  high:     0
                  batch:    1
                  high_min: 37
                  high_max: 240
      vm stats threshold: 4
      node_unreclaimable:  0
      start_pfn:           1
    Node 0, zone   Normal
      pages free     1234567
            boost    0
            min      4649
            low      5811
            high     6973
            promo    8135
            spanned  5505024
            present  5505024
            managed  294912
            cma      0
            protection: (0, 0, 0, 0, 0)
          nr_free_pages 1234567
      pagesets
        cpu: 0
                  count:    12
                  high:     2905
      node_unreclaimable:  0
      start_pfn:           1048576
    Node 0, zone  Movable
      pages free     0
            boost    0
            min      32
            low      32
            high     32
            promo    32
            spanned  0
            present  0
            managed  0
            cma      0
            protection: (0, 0, 0, 0, 0)
    """

  @Test func modernLayout() throws {
    let info = try ZoneInfo.parse(Self.modern)
    #expect(info.zones.map(\.name) == ["DMA", "Normal", "Movable"])
    let dma = info.zones[0]
    #expect([dma.min, dma.low, dma.high, dma.promo] == [60, 75, 90, 105])
    #expect(dma.managed == 3840 && dma.present == 3998 && dma.free == 3840 && dma.boost == 0)
    #expect(dma.protection == [0, 3019, 4171, 4171, 4171])
    #expect(dma.counters["nr_free_pages_blocks"] == 3584)
    #expect(dma.counters["high"] == nil, "pageset 'high:' must not leak into zone fields")
    #expect(info.nodeCounters[0]?["nr_active_file"] == 46271)
    #expect(info.zones[1].high == 6973, "pageset 'high: 2905' must not overwrite the watermark")
    #expect(!info.zones[2].populated)
    #expect(info.hasPromo)
  }

  /// 2.6.32 era (docs/KERNEL.md, /proc formats): no managed, boost or promo; 4-space stat items; protection after them.
  @Test func legacyLayout() throws {
    let text = """
      Node 0, zone      DMA
        pages free     3934
              min      8
              low      10
              high     12
              scanned  0
              spanned  4080
              present  3920
          nr_free_pages 3934
          nr_inactive_anon 0
              protection: (0, 3512, 3893, 3893)
        pagesets
          cpu: 0
                    count: 0
                    high:  0
                    batch: 1
        vm stats threshold: 4
        all_unreclaimable: 0
        prev_priority:     12
        start_pfn:         16
        inactive_ratio:    1
      """
    let z = try #require(try ZoneInfo.parse(text).zones.first)
    #expect([z.min, z.low, z.high] == [8, 10, 12])
    #expect(z.managed == nil && z.managedPages == 3920 && z.promo == nil && z.boost == nil)
    #expect(z.protection == [0, 3512, 3893, 3893])
    #expect(z.counters["nr_free_pages"] == 3934)
  }

  @Test func malformedNumbersNameTheLine() {
    #expect(throws: ParseError.malformed(path: "/proc/zoneinfo", line: 3, message: "min: '6x0' is not a number")) {
      try ZoneInfo.parse("Node 0, zone DMA\n  pages free 10\n        min      6x0\n")
    }
    #expect(throws: ParseError.self) { try ZoneInfo.parse("Node x, zone DMA\n") }
    #expect(throws: ParseError.self) { try ZoneInfo.parse("Node 0, zone DMA\n        protection: (0, 1\n") }
  }

  @Test func truncatedAndGarbageInputsNeverCrash() throws {
    // Truncated mid-zone: what was read is kept.
    let cut = String(Self.modern.prefix(400))
    #expect(try ZoneInfo.parse(cut).zones.count == 1)
    // Lines before the first zone header and unknown lines are ignored.
    #expect(try ZoneInfo.parse("hello\nworld 12\n").zones.isEmpty)
    // Seeded: a crash prints no issue, so the seed is printed before the loop.
    var rng = SplitMix64(seed: testSeed(0x7A0E_1F0))
    for text in randomGarbage(&rng, count: 200, maxLength: 300) {
      _ = try? ZoneInfo.parse(text)
    }
  }
}

@Suite struct BuddyInfoParserTests {
  @Test func fragmentedXenHostLines() throws {
    let text = """
      Node 0, zone      DMA      2      2      2      1      2      1      1      0      0      0      2
      Node 0, zone    DMA32  32995   4377    762    211    157    108     68     23      3      0      0
      Node 0, zone   Normal 127146  68215   1614      0      0      0      0      0      0      0      1 
      """
    let zones = try BuddyInfo.parse(text)
    #expect(zones.map(\.zone) == ["DMA", "DMA32", "Normal"])
    #expect(zones[2].counts == [127_146, 68215, 1614, 0, 0, 0, 0, 0, 0, 0, 1])
    // 127146 + 2*68215 + 4*1614 + 1024 = 271056 free pages.
    #expect(zones[2].freePages == 271_056)
  }

  @Test func flattenedPasteTwoNodeHost() throws {
    let line = try fixtureText("logs/kvm-host-flattened-paste.log").split(separator: "\n")[1]
    let start = try #require(line.range(of: "Node 0, zone DMA"))
    let end = try #require(line.range(of: " # cat /proc/meminfo"))
    let zones = try BuddyInfo.parse(String(line[start.lowerBound..<end.lowerBound]))
    #expect(zones.map { "\($0.node)/\($0.zone)" } == ["0/DMA", "0/DMA32", "0/Normal", "1/Normal"])
    #expect(zones[3].counts == [1_830_850, 261_703, 460, 14, 0, 0, 0, 0, 0, 0, 0])
  }

  @Test func garbageIsAnErrorWithTheLine() {
    let bad = ParseError.malformed(path: "/proc/buddyinfo", line: 2, message: "free block count '12a' is not a number")
    #expect(throws: bad) { try BuddyInfo.parse("Node 0, zone DMA 1 2\nNode 0, zone Normal 12a 3\n") }
    #expect(throws: ParseError.self) { try BuddyInfo.parse("Node 0, zone\n") }
    #expect(throws: ParseError.self) { try BuddyInfo.parse("garbage\n") }
    #expect(throws: ParseError.self) { try BuddyInfo.parse("Node 0, zone DMA\n") }
    #expect(throws: ParseError.self) { try BuddyInfo.parse("Node 0, zone DMA 99999999999999999999999\n") }
    // Found by `make fuzz`: a node number beyond Int trapped on conversion.
    #expect(throws: ParseError.self) { try BuddyInfo.parse("Node 18446744073709551615, zone DMA 1 2\n") }
  }
}

@Suite struct VMStatParserTests {
  @Test func countersAndSums() throws {
    let v = try VMStat.parse(
      "nr_free_pages 3840\nallocstall_dma32 2\nallocstall_normal 5\ncompact_stall 7\ndrop_pagecache 1\n")
    #expect(v["nr_free_pages"] == 3840)
    #expect(v.sum(prefix: "allocstall_") == 7)
    let bad = ParseError.malformed(path: "/proc/vmstat", line: 2, message: "compact_stall: 'x' is not a number")
    #expect(try VMStat.parse("nr_free_pages 1\ncompact_stall x\n").skipped == [bad])
    #expect(try VMStat.parse("three tokens here\n").skipped.count == 1)
  }
}

@Suite struct KernelLogParserTests {
  @Test func failureLinesOfEveryEra() throws {
    let text = """
      Aug  4 22:58:15 server1 kernel: : [69229257.683658] xenwatch: page allocation failure. order:4, mode:0xd0
      [  123.456789] java: page allocation failure: order:2, mode:0x4020
      <4>[ 9.000001] kworker/u16:2: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), \
      nodemask=(null),cpuset=/,mems_allowed=0
      Nov 25 09:14:07 host kernel: qemu-kvm: page allocation failure: order:9, \
      mode:0x1c24ca(GFP_TRANSHUGE|__GFP_THISNODE), nodemask=0-1
      insmod: vmalloc error: size 8192, failed to allocate pages, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), \
      nodemask=(null),cpuset=/,mems_allowed=0
      """
    let log = try KernelLog.parse(text)
    let f = log.allocationFailures
    #expect(f.map(\.comm) == ["xenwatch", "java", "kworker/u16:2", "qemu-kvm", "insmod"])
    #expect(f.map(\.order) == [4, 2, 4, 9, 0])
    #expect(f.map(\.mode) == [0xd0, 0x4020, 0x820, 0x1c24ca, 0xdc0])
    #expect(f[2].flags == ["GFP_ATOMIC"])
    #expect(f[2].nodemask == "(null)")
    #expect(f[3].flags == ["GFP_TRANSHUGE", "__GFP_THISNODE"])
    #expect(f[3].nodemask == "0-1")
    #expect(f[4].kind == .vmalloc)
    #expect(f.map(\.line) == [1, 2, 3, 4, 5])
  }

  @Test func xenwatchOrder4FailureLog() throws {
    let log = try KernelLog.parse(try fixtureText("logs/xenwatch-order4-failure.log"))
    #expect(log.allocationFailures.count == 1)
    #expect(log.allocationFailures.first?.comm == "xenwatch")
    #expect(log.allocationFailures.first?.order == 4)
    #expect(log.allocationFailures.first?.mode == 0xd0)
  }

  /// A KVM host report pasted whole syslog excerpts as single lines; every record must still be found.
  @Test func flattenedPasteReports() throws {
    let log = try KernelLog.parse(try fixtureText("logs/kvm-host-flattened-paste.log"))
    let failure = try #require(log.allocationFailures.first)
    #expect(failure.comm == "qemu_wl50" && failure.order == 4 && failure.mode == 0x20 && failure.line == 3)
    #expect(log.oomKills.map(\.comm) == ["qemu_wl52"])
    #expect(log.oomKills.first?.pid == 3878)
    let normal0 = try #require(log.buddyLines.first { $0.node == 0 && $0.zone == "Normal" })
    #expect(normal0.counts == [1_648_026, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    #expect(normal0.totalKB == 6_592_104)
    let dma32 = try #require(log.buddyLines.first { $0.node == 0 && $0.zone == "DMA32" })
    #expect(dma32.counts == [10, 11, 12, 13, 12, 5, 7, 10, 9, 6, 98])
    #expect(dma32.totalKB == 431_968)
    // Each buddy line's printed total equals Σ count × size.
    for b in log.buddyLines {
      if let total = b.totalKB { #expect(b.freeAreas.freePages * 4 == total, "\(b.zone) on line \(b.line)") }
    }
  }

  @Test func modernOOMAndBuddyLinesWithTypes() throws {
    let text = """
      [ 100.000000] stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, \
      oom_score_adj=0
      [ 100.000100] Node 0 DMA: 1*4kB (U) 1*8kB (U) 1*16kB (U) 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) \
      0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15900kB
      [ 100.000200] Out of memory: Killed process 4242 (stress) total-vm:1048576kB, anon-rss:1000000kB, \
      file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:2000kB oom_score_adj:0
      [ 100.000300] bash (1234): drop_caches: 3
      """
    let log = try KernelLog.parse(text)
    #expect(log.oomKills.map(\.pid) == [4242])
    #expect(log.oomKills.first?.line == 3)
    let dma = try #require(log.buddyLines.first)
    #expect(dma.counts == [1, 1, 1, 0, 2, 1, 1, 0, 1, 1, 3])
    #expect(dma.types[0] == "U" && dma.types[3] == nil && dma.types[10] == "M")
    #expect(dma.freeAreas.freePages * 4 == 15900)
    // The oom-killer invocation and drop_caches lines are not buddy lines or failures.
    #expect(log.buddyLines.count == 1 && log.allocationFailures.isEmpty)
  }

  @Test func malformedAndTruncatedLogs() throws {
    #expect(throws: ParseError.self) {
      try KernelLog.parse("x: page allocation failure: order:99999999999999999999, mode:0x20\n")
    }
    #expect(throws: ParseError.self) { try KernelLog.parse("Node 0 Normal: 5*12kB = 60kB\n") }
    // A truncated buddy line (no total) still yields its counts.
    let cut = try KernelLog.parse("Node 1 Normal: 8390977*4kB 1181188*8kB 0*16kB")
    #expect(cut.buddyLines.first?.counts == [8_390_977, 1_181_188, 0])
    #expect(cut.buddyLines.first?.totalKB == nil)
    var rng = SplitMix64(seed: testSeed(0x106_1065))
    for text in randomGarbage(&rng, count: 200, maxLength: 400) {
      _ = try? KernelLog.parse(text)
    }
  }
}

/// The /proc files captured from the 6.18 host (Tests/Fixtures/proc), parsed whole: every
/// number below is read from the file itself, so a parser regression on real output fails here.
@Suite struct CapturedFixtureParserTests {
  @Test func zoneinfo618() throws {
    let info = try ZoneInfo.parse(try fixtureText("proc/zoneinfo-6.18"))
    #expect(info.zones.map(\.name) == ["DMA", "DMA32", "Normal", "Movable", "Device"])
    #expect(Set(info.zones.map(\.node)) == [0], "one NUMA node")
    #expect(info.zones.map(\.populated) == [true, true, true, false, false])
    #expect(info.hasPromo)

    let dma = info.zones[0]
    #expect([dma.free, dma.min, dma.low, dma.high, dma.promo] == [3840, 30, 37, 44, 51])
    #expect([dma.spanned, dma.present, dma.managed] == [4095, 3998, 3840])
    #expect(dma.protection == [0, 3019, 8267, 8267, 8267])

    let dma32 = info.zones[1]
    #expect(dma32.free == 772_852 && dma32.managed == 772_915 && dma32.present == 782_336 && dma32.spanned == 1_044_480)
    #expect([dma32.min, dma32.low, dma32.high] == [6159, 7698, 9237])
    #expect(dma32.protection == [0, 0, 5248, 5248, 5248])

    let normal = info.zones[2]
    #expect(normal.free == 591_043 && normal.managed == 1_343_488 && normal.present == 5_505_024)
    // The zone's watermarks, not the pagesets' `high: 14499` / `high: 11041` below them.
    #expect([normal.min, normal.low, normal.high, normal.promo] == [10706, 13382, 16058, 18734])
    #expect(normal.boost == 0 && normal.cma == 0)
    #expect(normal.counters["nr_free_pages_blocks"] == 503_296)
    #expect(normal.counters["numa_hit"] == 41_579_079)
    #expect(
      normal.counters["count"] == nil && normal.counters["high_max"] == nil, "pageset fields leaked into the zone")

    #expect(info.zones[3].managed == 0 && [info.zones[3].min, info.zones[3].low, info.zones[3].high] == [32, 32, 32])
    // The per-node block printed under node 0's first zone.
    #expect(info.nodeCounters.keys.sorted() == [0])
    #expect(info.nodeCounters[0]?["nr_inactive_anon"] == 295_940)
    #expect(info.nodeCounters[0]?["workingset_activate_file"] == 1_378_866)
    #expect(info.nodeCounters[0]?["nr_kernel_file_pages"] == 0)
  }

  @Test func buddyinfo618() throws {
    let zones = try BuddyInfo.parse(try fixtureText("proc/buddyinfo-6.18"))
    #expect(zones.map { "\($0.node)/\($0.zone)" } == ["0/DMA", "0/DMA32", "0/Normal"])
    #expect(zones[0].counts == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3])
    #expect(zones[1].counts == [2, 1, 4, 2, 5, 4, 4, 4, 5, 3, 751])
    #expect(zones[2].counts == [4792, 2295, 813, 373, 286, 243, 318, 160, 74, 1, 491])
    #expect(zones.map(\.freePages) == [3840, 772_852, 591_042])
  }

  @Test func meminfo618() throws {
    let m = try MemInfo.parse(try fixtureText("proc/meminfo-6.18"))
    #expect(m.values.count == 54)
    #expect(m.memTotalKB == 24_684_084)
    #expect(m.values["MemFree"] == 21_674_000)
    #expect(m.values["MemAvailable"] == 23_058_348)
    #expect(m.values["Active(anon)"] == 1536)
    #expect(m.values["Inactive(file)"] == 488_364)
    #expect(m.values["HugePages_Total"] == 0, "a count without a unit")
    #expect(m.values["Hugepagesize"] == 2048)
    #expect(m.values["DirectMap1G"] == 25_165_824)
  }

  @Test func vmstat618() throws {
    let v = try VMStat.parse(try fixtureText("proc/vmstat-6.18"))
    #expect(v.counters.count == 192)
    #expect(v["nr_free_pages"] == 1_367_735)
    #expect(v["workingset_activate_file"] == 1_378_866)
    #expect(v["pgfault"] == 44_756_765)
    #expect(v["drop_pagecache"] == 1 && v["drop_slab"] == 2)
    #expect(v.sum(prefix: "allocstall_") == 0)
  }

  /// The files were captured together: vmstat's nr_free_pages is the sum of zoneinfo's zones,
  /// and buddyinfo's free lists add up to zoneinfo's free pages (Normal moved by one page).
  @Test func capturedFilesAgreeWithEachOther() throws {
    let info = try ZoneInfo.parse(try fixtureText("proc/zoneinfo-6.18"))
    let v = try VMStat.parse(try fixtureText("proc/vmstat-6.18"))
    let buddy = try BuddyInfo.parse(try fixtureText("proc/buddyinfo-6.18"))
    #expect(info.zones.reduce(0) { $0 + $1.free } == v["nr_free_pages"])
    #expect(buddy.map(\.freePages) == [info.zones[0].free, info.zones[1].free, info.zones[2].free - 1])
  }
}

import Testing
import VMTuneHost

/// The same two reports (an order-4 atomic failure and an order-2 OOM, each with its Mem-Info
/// buddy lines) as every log source prints them: dmesg in its forms, journalctl -k in its output
/// modes, syslog files and pastes that lost their newlines. Each must read the same.
@Suite struct KernelLogSourceTests {
  /// The kernel's messages, without any prefix.
  static let messages: [String] = [
    "hv-worker: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0",
    "CPU: 3 PID: 2291 Comm: hv-worker Not tainted 5.4.0-42-generic #46-Ubuntu",
    "Call Trace:",
    " <IRQ>",
    " dump_stack+0x6d/0x9a",
    " warn_alloc.cold+0x7b/0xdf",
    "Mem-Info:",
    "active_anon:1023 inactive_anon:2200 isolated_anon:0",
    "Node 0 active_anon:4092kB inactive_anon:8800kB active_file:120kB",
    "Node 0 DMA free:15896kB min:132kB low:164kB high:196kB",
    "lowmem_reserve[]: 0 2912 15927 15927 15927",
    "Node 0 DMA: 0*4kB 1*8kB (U) 1*16kB (U) 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) "
      + "1*2048kB (M) 3*4096kB (M) = 15896kB",
    "Node 0 DMA32: 2210*4kB (UME) 1450*8kB (UME) 603*16kB (UME) 3*32kB (M) 0*64kB 0*128kB 0*256kB 0*512kB "
      + "0*1024kB 0*2048kB 0*4096kB = 30184kB",
    "Node 0 Normal: 40213*4kB (UME) 9120*8kB (UME) 1002*16kB (UME) 12*32kB (UM) 0*64kB 0*128kB 0*256kB 0*512kB "
      + "0*1024kB 0*2048kB 0*4096kB = 250228kB",
    "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
    "4502 total pagecache pages",
    "java invoked oom-killer: gfp_mask=0x40cc0(GFP_KERNEL|__GFP_COMP), order=2, oom_score_adj=0",
    "Mem-Info:",
    "Node 0 DMA: 0*4kB 1*8kB (U) 1*16kB (U) 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) "
      + "1*2048kB (M) 3*4096kB (M) = 15896kB",
    "Node 0 DMA32: 5*4kB (UM) 2*8kB (M) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB "
      + "0*4096kB = 36kB",
    "Node 0 Normal: 100*4kB (UME) 20*8kB (U) 1*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB "
      + "0*4096kB = 576kB",
    "Out of memory: Killed process 4242 (java) total-vm:9437184kB, anon-rss:8204260kB, file-rss:0kB, "
      + "shmem-rss:0kB, UID:1000 pgtables:16500kB oom_score_adj:0",
    "oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
  ]

  /// Where a log comes from, and how it prefixes each message.
  enum Source: String, CaseIterable, Sendable {
    case dmesg, dmesgT, dmesgRaw, journalShort, journalShortPrecise, journalShortISO, journalShortISOColon
    case journalShortMonotonic, journalCat, syslog, syslogPrintkTime, rsyslogISO

    /// Whether the prefix names the host.
    var namesHost: Bool { ![.dmesg, .dmesgT, .dmesgRaw, .journalCat].contains(self) }

    func prefix(_ i: Int) -> String {
      let us = String(i * 137 % 1_000_000)
      let micros = String(repeating: "0", count: 6 - us.count) + us
      let mono = "[ 8123.\(micros)]"
      let second = String(7 + i / 10)
      let ss = second.count == 1 ? "0" + second : second
      switch self {
      case .dmesg: return mono + " "
      case .dmesgT: return "[Mon Apr 20 15:08:\(ss) 2020] "
      case .dmesgRaw: return "<4>" + mono + " "
      case .journalShort: return "Apr 20 15:08:\(ss) hv-07 kernel: "
      case .journalShortPrecise: return "Apr 20 15:08:\(ss).\(micros) hv-07 kernel: "
      case .journalShortISO: return "2020-04-20T15:08:\(ss)+0200 hv-07 kernel: "
      case .journalShortISOColon: return "2020-04-20T15:08:\(ss)+02:00 hv-07 kernel: "
      case .journalShortMonotonic: return mono + " hv-07 kernel: "
      case .journalCat: return ""
      case .syslog: return "Apr  2 15:08:\(ss) hv-07 kernel: "
      case .syslogPrintkTime: return "Apr 20 15:08:\(ss) hv-07 kernel: " + mono + " "
      case .rsyslogISO: return "2020-04-20T15:08:\(ss).\(micros)+02:00 hv-07 kernel: " + mono + " "
      }
    }

    func render(_ messages: [String]) -> String {
      messages.enumerated().map { prefix($0.offset) + $0.element }.joined(separator: "\n") + "\n"
    }
  }

  /// Each printk fragment of a buddy line as its own message (journald writing KERN_CONT pieces
  /// separately): `Node 0`, `DMA32:`, `2210*4kB`, `(UME)`, …, `= 30184kB`.
  static func fragmented(_ messages: [String]) -> [String] {
    messages.flatMap { m -> [String] in
      guard m.hasPrefix("Node "), m.contains("*") else { return [m] }
      let words = m.split(separator: " ").map(String.init)
      var out = [words[0] + " " + words[1], words[2]]
      var i = 3
      while i < words.count {
        if words[i] == "=" {
          out.append("= " + words[i + 1])
          i += 2
        } else {
          out.append(words[i])
          i += 1
        }
      }
      return out
    }
  }

  static func expectTheTwoReports(_ log: KernelLog, host: String?, _ comment: Comment) throws {
    #expect(log.allocationFailures.map(\.comm) == ["hv-worker"], comment)
    let failure = try #require(log.allocationFailures.first, comment)
    #expect(failure.order == 4 && failure.mode == 0x820 && failure.flags == ["GFP_ATOMIC"], comment)
    #expect(failure.host == host, comment)
    #expect(log.oomKills.count == 1, comment)
    let kill = try #require(log.oomKills.first, comment)
    #expect(kill.pid == 4242 && kill.comm == "java" && kill.order == 2 && kill.invoker == "java", comment)
    #expect(kill.mode == 0x40cc0, comment)
    #expect(log.reports.count == 2, comment)
    let first = try #require(log.reports.first, comment)
    #expect(first.buddyLines.map(\.zone) == ["DMA", "DMA32", "Normal"], comment)
    #expect(first.buddyLines.allSatisfy { $0.node == 0 }, comment)
    #expect(first.cause?.kind == .allocationFailure && first.cause?.line == failure.line, comment)
    #expect(first.cause?.comm == "hv-worker" && first.cause?.order == 4, comment)
    #expect(first.host == host, comment)
    let dma32 = first.buddyLines[1]
    #expect(dma32.counts == [2210, 1450, 603, 3, 0, 0, 0, 0, 0, 0, 0], comment)
    #expect(dma32.types[0] == "UME" && dma32.types[3] == "M" && dma32.types[4] == nil, comment)
    #expect(dma32.totalKB == 30184, comment)
    #expect(first.buddyLines[2].totalKB == 250_228 && first.buddyLines[0].totalKB == 15896, comment)
    let second = log.reports[1]
    #expect(second.cause?.kind == .oom && second.cause?.comm == "java" && second.cause?.order == 2, comment)
    #expect(second.buddyLines.map(\.totalKB) == [15896, 36, 576], comment)
    for b in log.buddyLines {
      #expect(b.freeAreas.freePages * b.pageKB == b.totalKB, "\(comment) line \(b.line)")
    }
  }

  @Test(arguments: Source.allCases) func everySourceReadsTheSameReports(_ source: Source) throws {
    let log = try KernelLog.parse(source.render(Self.messages))
    try Self.expectTheTwoReports(log, host: source.namesHost ? "hv-07" : nil, "\(source)")
    #expect(log.allocationFailures.first?.line == 1)
    #expect(log.allocationFailures.first?.time != nil || source == .journalCat)
  }

  /// journald stores each printk fragment of a Mem-Info buddy line as a message of its own; they
  /// are joined again into the line the console prints.
  @Test(arguments: Source.allCases) func splitBuddyLinesAreRejoined(_ source: Source) throws {
    let log = try KernelLog.parse(source.render(Self.fragmented(Self.messages)))
    try Self.expectTheTwoReports(log, host: source.namesHost ? "hv-07" : nil, "\(source)")
    // A joined line is numbered by its first fragment.
    let dma = try #require(log.buddyLines.first)
    #expect(dma.line == 12)
  }

  /// Fragments may also keep the node and zone together, or a line may be cut after some counts.
  @Test func otherCutsOfABuddyLineAreJoined() throws {
    let log = try KernelLog.parse(
      """
      Apr 20 15:08:07 hv-07 kernel: Node 1 DMA32:
      Apr 20 15:08:07 hv-07 kernel: 3*4kB (M) 1*8kB
      Apr 20 15:08:07 hv-07 kernel: = 20kB
      Apr 20 15:08:07 hv-07 kernel: Node 1 Normal: 7*4kB (U) 2*8kB (M)
      Apr 20 15:08:07 hv-07 kernel: 1*16kB = 60kB
      Apr 20 15:08:07 hv-07 kernel: 4502 total pagecache pages
      """)
    #expect(log.buddyLines.map(\.node) == [1, 1])
    #expect(log.buddyLines.map(\.counts) == [[3, 1], [7, 2, 1]])
    #expect(log.buddyLines.map(\.totalKB) == [20, 60] && log.buddyLines.map(\.line) == [1, 4])
  }

  /// Reports pasted into tickets lose their newlines: every source's records are split again at
  /// their prefixes.
  @Test(arguments: [Source.dmesg, .dmesgT, .journalShort, .journalShortISO, .journalShortMonotonic, .syslog])
  func flattenedPastesReadTheSame(_ source: Source) throws {
    let flat = source.render(Self.messages).split(separator: "\n").joined(separator: " ")
    let log = try KernelLog.parse(flat)
    try Self.expectTheTwoReports(log, host: source.namesHost ? "hv-07" : nil, "\(source)")
  }

  /// `dmesg -T` dates are prefixes, not part of the process name.
  @Test func dmesgTimesStayOutOfTheProcessName() throws {
    let log = try KernelLog.parse(
      """
      [Mon Apr 20 15:08:07 2020] kworker/u16:2: page allocation failure: order:4, mode:0x820(GFP_ATOMIC)
      [Tue Apr  7 03:00:01 2020] Out of memory: Killed process 77 (mysqld) total-vm:1kB
      """)
    #expect(log.allocationFailures.map(\.comm) == ["kworker/u16:2"])
    #expect(log.allocationFailures.first?.time == "Mon Apr 20 15:08:07 2020")
    #expect(log.oomKills.map(\.comm) == ["mysqld"])
    #expect(log.oomKills.first?.time == "Tue Apr  7 03:00:01 2020")
  }

  /// The incremental scanner fed line by line (as the log reader streams a file) reads what the
  /// whole text reads, and holds no line it does not need.
  @Test func linesFedOneByOneReadLikeTheWholeText() throws {
    let text = Source.journalShort.render(Self.fragmented(Self.messages))
    var scanner = KernelLogScanner(source: "kern.log")
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      try scanner.feed(line)
    }
    #expect(try scanner.finish() == (try KernelLog.parse(text, source: "kern.log")))
  }

  /// Ordinary lines of every kind leave nothing behind.
  @Test func ordinaryLinesAreNotReports() throws {
    let log = try KernelLog.parse(
      """
      Apr 20 15:08:07 hv-07 kernel: e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None
      Apr 20 15:08:07 hv-07 kernel: Memory: 16318740K/16691072K available (14339K kernel code, 2387K rwdata)
      Apr 20 15:08:07 hv-07 kernel: audit: type=1400 audit(1587388087.123:42): apparmor="STATUS" operation="x"
      Apr 20 15:08:07 hv-07 kernel: systemd[1]: Started Journal Service; will kill process group 12 (x)
      Apr 20 15:08:07 hv-07 kernel: Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB
      Apr 20 15:08:07 hv-07 kernel: oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB
      Apr 20 15:08:07 hv-07 kernel: java: page allocation stalls for 10004ms, order:0, mode:0x14200ca(GFP_HIGHUSER_MOVABLE)
      Apr 20 15:08:07 hv-07 sshd[881]: Accepted publickey for root; Killed process 12 (x) said nobody
      """)
    #expect(log.allocationFailures.isEmpty && log.oomKills.isEmpty && log.reports.isEmpty)
  }

  /// However many failures and kills a log holds, the scanner keeps counts and the first few:
  /// memory does not grow with them.
  @Test func manyFailuresAreCountedNotKept() throws {
    var scanner = KernelLogScanner()
    for i in 0..<5000 {
      try scanner.feed("[ \(i).000000] w\(i % 50): page allocation failure: order:4, mode:0x820(GFP_ATOMIC)")
      try scanner.feed("[ \(i).000001] x: page allocation failure: order:2, mode:0x14(GFP_DMA32), nodemask=1")
      try scanner.feed("[ \(i).000002] Out of memory: Killed process \(i) (y) total-vm:1kB")
    }
    let log = try scanner.finish()
    #expect(log.allocationFailures.count == KernelLog.maxListed && log.oomKills.count == KernelLog.maxListed)
    #expect(log.oomKillCount == 5000)
    #expect(log.failureTallies.map(\.count) == [5000, 5000])
    #expect(log.failureTallies.map(\.order) == [4, 2] && log.failureTallies.map(\.firstLine) == [1, 2])
    #expect(log.failureTallies[0].processes == (0..<KernelLog.maxProcesses).map { "w\($0)" })
    #expect(log.failureTallies[1].nodemask == "1" && log.failureTallies[1].mode == 0x14)
  }
}

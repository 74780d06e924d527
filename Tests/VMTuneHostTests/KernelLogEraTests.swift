import Testing
import VMTuneHost

/// Allocation-failure and OOM wording of every kernel era, 2.4 to 6.x (docs/KERNEL.md, Kernel log
/// formats).
@Suite struct KernelLogEraTests {
  struct Failure: Sendable, CustomStringConvertible {
    var line: String
    var kind: AllocationFailure.Kind
    var comm: String
    var order: Int
    var mode: UInt64?
    var description: String { line }
  }

  static let failures: [Failure] = [
    // 2.4: no process name, the mask as gfp=0xHEX/PF_MEMALLOC.
    Failure(
      line: "__alloc_pages: 0-order allocation failed (gfp=0x1d2/0)", kind: .page, comm: "", order: 0, mode: 0x1d2),
    Failure(line: "__alloc_pages: 3-order allocation failed (gfp=0x20/1)", kind: .page, comm: "", order: 3, mode: 0x20),
    // 2.6.0 – 2.6.39: a period after "failure".
    Failure(
      line: "oracle: page allocation failure. order:0, mode:0xd0", kind: .page, comm: "oracle", order: 0, mode: 0xd0),
    // 3.0 – 4.4.
    Failure(
      line: "swapper/0: page allocation failure: order:2, mode:0x4020", kind: .page, comm: "swapper/0", order: 2,
      mode: 0x4020),
    // 4.5 – 4.9: decoded flags.
    Failure(
      line: "kswapd0: page allocation failure: order:0, mode:0x2280020(GFP_ATOMIC|__GFP_NOTRACK)", kind: .page,
      comm: "kswapd0", order: 0, mode: 0x228_0020),
    // 4.10+: warn_alloc() with nodemask, cpuset and mems_allowed.
    Failure(
      line: "qemu-kvm: page allocation failure: order:9, mode:0x1c24ca(GFP_TRANSHUGE|__GFP_THISNODE), "
        + "nodemask=0-1,cpuset=/,mems_allowed=0-1",
      kind: .page, comm: "qemu-kvm", order: 9, mode: 0x1c_24ca),
    // 6.x: GFP_ATOMIC is 0x820.
    Failure(
      line: "kworker/u16:2: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,"
        + "mems_allowed=0",
      kind: .page, comm: "kworker/u16:2", order: 4, mode: 0x820),
    // vmalloc, 4.x and 5.x+.
    Failure(
      line: "insmod: vmalloc: allocation failure: 8192 bytes, mode:0x24000c2(GFP_KERNEL|__GFP_HIGHMEM)",
      kind: .vmalloc, comm: "insmod", order: 0, mode: 0x240_00c2),
    Failure(
      line: "modprobe: vmalloc error: size 8192, failed to allocate pages, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), "
        + "nodemask=(null),cpuset=/,mems_allowed=0",
      kind: .vmalloc, comm: "modprobe", order: 0, mode: 0xdc0),
  ]

  @Test(arguments: failures) func allocationFailureWording(_ f: Failure) throws {
    let log = try KernelLog.parse("Jan  3 04:05:06 db1 kernel: " + f.line + "\n")
    let got = try #require(log.allocationFailures.first, "not recognised")
    #expect(log.allocationFailures.count == 1)
    #expect(got.kind == f.kind && got.comm == f.comm && got.order == f.order && got.mode == f.mode)
    #expect(got.host == "db1" && got.time == "Jan  3 04:05:06")
  }

  struct OOM: Sendable, CustomStringConvertible {
    var era: String
    var lines: [String]
    /// pid, comm, order, memory cgroup.
    var kills: [(Int, String, Int?, Bool)]
    var description: String { era }
  }

  static let ooms: [OOM] = [
    OOM(era: "2.4", lines: ["Out of Memory: Killed process 2211 (httpd)."], kills: [(2211, "httpd", nil, false)]),
    // 2.6.12 – 2.6.35: the choice, then the kill (a child may die instead).
    OOM(
      era: "2.6.26",
      lines: [
        "java invoked oom-killer: gfp_mask=0x1201d2, order=0, oomkilladj=0",
        "Out of memory: kill process 3120 (java) score 455938 or a child",
        "Killed process 3121 (java)",
      ],
      kills: [(3121, "java", 0, false)]),
    OOM(era: "bare Killed process", lines: ["Killed process 5555 (sshd)"], kills: [(5555, "sshd", nil, false)]),
    // 2.6.36 – 4.x: the choice, then the kill with its sizes.
    OOM(
      era: "3.10",
      lines: [
        "mysqld invoked oom-killer: gfp_mask=0x201da, order=3, oom_score_adj=0",
        "Out of memory: Kill process 2592 (mysqld) score 855 or sacrifice child",
        "Killed process 2592 (mysqld) total-vm:4213448kB, anon-rss:3297112kB, file-rss:0kB",
      ],
      kills: [(2592, "mysqld", 3, false)]),
    OOM(
      era: "oom_kill_allocating_task",
      lines: [
        "Out of memory (oom_kill_allocating_task): Kill process 77 (a.out) score 0 or sacrifice child",
        "Killed process 77 (a.out) total-vm:1024kB, anon-rss:512kB, file-rss:0kB",
      ],
      kills: [(77, "a.out", nil, false)]),
    OOM(
      era: "4.x memory cgroup",
      lines: [
        "Memory cgroup out of memory: Kill process 1234 (node) score 1000 or sacrifice child",
        "Killed process 1234 (node) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
      ],
      kills: [(1234, "node", nil, true)]),
    // 4.19+ / 5.x+: one line.
    OOM(
      era: "5.x",
      lines: [
        "stress invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
        "Out of memory: Killed process 4242 (stress) total-vm:1048576kB, anon-rss:1000000kB, file-rss:0kB",
        "oom_reaper: reaped process 4242 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
      ],
      kills: [(4242, "stress", 0, false)]),
    OOM(
      era: "5.x memory cgroup, order -1",
      lines: [
        "node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0",
        "Memory cgroup out of memory: Killed process 999 (node) total-vm:1kB, anon-rss:1kB, file-rss:0kB",
      ],
      kills: [(999, "node", nil, true)]),
    // Two choices in a row: each counts once.
    OOM(
      era: "two kills",
      lines: [
        "Out of memory: kill process 10 (a) score 9 or a child",
        "Killed process 11 (a)",
        "Out of memory: kill process 20 (b) score 9 or a child",
      ],
      kills: [(11, "a", nil, false), (20, "b", nil, false)]),
  ]

  @Test(arguments: ooms) func oomWording(_ o: OOM) throws {
    let log = try KernelLog.parse(o.lines.map { "[ 100.000000] " + $0 }.joined(separator: "\n"))
    #expect(log.oomKills.map(\.pid) == o.kills.map(\.0))
    #expect(log.oomKills.map(\.comm) == o.kills.map(\.1))
    #expect(log.oomKills.map(\.order) == o.kills.map(\.2))
    #expect(log.oomKills.map(\.cgroup) == o.kills.map(\.3))
    #expect(log.allocationFailures.isEmpty)
  }

  /// Buddy lines without a node (UMA kernels), with i386's HighMem, and 2.4's `= NkB)`.
  @Test func buddyLinesOfOldKernels() throws {
    let log = try KernelLog.parse(
      """
      DMA: 4*4kB 3*8kB 1*16kB 0*32kB 1*64kB 0*128kB 0*256kB 1*512kB 0*1024kB 1*2048kB 2*4096kB = 10936kB)
      Normal: 212*4kB 37*8kB 1*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 1160kB
      HighMem: 1*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 4kB
      """)
    #expect(log.buddyLines.map(\.zone) == ["DMA", "Normal", "HighMem"])
    #expect(log.buddyLines.allSatisfy { $0.node == nil })
    #expect(log.buddyLines.map(\.totalKB) == [10936, 1160, 4])
    #expect(log.buddyLines[1].counts == [212, 37, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    #expect(log.reports.count == 1)
  }

  /// A report on a 64 KiB-page host: its smallest block (order 0) is 64 kB.
  @Test func buddyLinesOfA64KiBPageHost() throws {
    let log = try KernelLog.parse(
      "[ 5.000000] Node 0 Normal: 2*64kB (U) 1*128kB (M) 0*256kB 1*512kB 0*1024kB 0*2048kB 0*4096kB 0*8192kB "
        + "0*16384kB 0*32768kB 0*65536kB 0*131072kB 0*262144kB 1*524288kB (M) = 525056kB\n")
    let line = try #require(log.buddyLines.first)
    #expect(line.pageKB == 64 && line.counts.count == 14 && line.counts[13] == 1)
  }

  /// Pieces of prefixes and fragments alone, at the end of a log, or cut short: read without a
  /// trap, and nothing counted.
  @Test func cutPrefixesAndLoneFragmentsCountNothing() throws {
    for text in [
      "kernel:", " kernel: ", "]", "[", "[1.000000]", "<4>", "<", "Node 0", "Node 0\nDMA:", "= 5kB", "(U)",
      "x: page allocation failure", "x: page allocation failure. order:", "Out of memory: Kill process",
      "Killed process x (y)", "invoked oom-killer:", "Apr 20 15:08:07 h kernel:", "2020-04-20T15:08:07 h kernel:",
      "a kernel: b kernel: c", "[ 1.000000] [ 2.000000] ", "Normal: 1*4kB 2*8kB", "Node 0 DMA: 1*4kB (U",
    ] {
      let log = try KernelLog.parse(text)
      #expect(log.allocationFailures.isEmpty && log.oomKills.isEmpty, "\(text)")
    }
    // A buddy line cut at the end of the log still yields its counts.
    #expect(try KernelLog.parse("Normal: 1*4kB 2*8kB").buddyLines.first?.counts == [1, 2])
  }
}

/// A "page allocation failure" (or vmalloc failure) report.
public struct AllocationFailure: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable { case page, vmalloc }
  public var kind: Kind
  /// The process; empty where the kernel did not print it (2.4's `__alloc_pages:` lines).
  public var comm: String
  public var order: Int
  /// The gfp mask in hex as printed.
  public var mode: UInt64?
  /// The symbolic decode the kernel printed (4.5+), e.g. ["GFP_ATOMIC"]; empty when absent.
  public var flags: [String]
  public var nodemask: String?
  /// 1-based line of the input where the record starts.
  public var line: Int
  /// When, as the line's prefix printed it (syslog time, dmesg -T date or printk seconds).
  public var time: String?
  /// The host the line's syslog or journal prefix names.
  public var host: String?
}

/// An OOM kill: `Out of memory: Killed process PID (comm)` (4.19+), or the choice
/// (`Kill process … or sacrifice child`, `kill process … or a child`) and the `Killed process`
/// line that follows it, counted once; 2.4's `Out of Memory: Killed process`.
public struct OOMKill: Sendable, Hashable, Codable {
  public var pid: Int
  public var comm: String
  /// Where the kill (or the choice before it) was logged.
  public var line: Int
  /// The allocation that invoked the OOM killer (`COMM invoked oom-killer: gfp_mask=…, order=N`),
  /// when logged; nil order for -1 (a memory cgroup or SysRq).
  public var order: Int?
  public var mode: UInt64?
  public var invoker: String?
  /// A memory cgroup's limit, not the host, ran out (`Memory cgroup out of memory`).
  public var cgroup: Bool = false
  public var time: String?
  public var host: String?
}

/// Allocation failures of one kind, order, mask and nodemask, counted: however long a log is, it
/// holds a few of these.
public struct FailureTally: Sendable, Hashable, Codable {
  public var kind: AllocationFailure.Kind
  public var order: Int
  public var mode: UInt64?
  public var flags: [String]
  public var nodemask: String?
  public var count: Int
  /// The line of the first.
  public var firstLine: Int
  /// The first ``KernelLog/maxProcesses`` distinct processes.
  public var processes: [String]
}

/// What a Mem-Info report followed: an allocation failure or the OOM killer's invocation.
public struct ReportCause: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable {
    case allocationFailure = "allocation_failure"
    case oom
  }

  public var kind: Kind
  /// The process that failed to allocate or invoked the OOM killer.
  public var comm: String
  public var order: Int?
  public var mode: UInt64?
  /// The failure's nodemask as printed (`(null)`, `0-1`), when printed.
  public var nodemask: String?
  public var line: Int
  public var time: String?
  public var host: String?
  /// The kernel release the report's `CPU: … Not tainted 5.4.0-42-generic #46` (or 2.6's
  /// `Pid: …, comm: … Tainted: …`) line names.
  public var kernelRelease: String?
}

/// One Mem-Info dump: the buddy line of every zone the kernel printed, the memory state at the
/// moment of the failure or OOM it followed.
public struct MemoryReport: Sendable, Hashable, Codable {
  /// The line of its first buddy line.
  public var line: Int
  public var cause: ReportCause?
  public var buddyLines: [BuddyLine]
  public var time: String?
  public var host: String?

  /// kB per page on the host that printed it (its buddy lines' smallest block).
  public var pageKB: UInt64 { buddyLines.map(\.pageKB).min() ?? 4 }
}

/// A Mem-Info buddy line: `Node 0 Normal: 1648026*4kB 0*8kB … = 6592104kB`.
public struct BuddyLine: Sendable, Hashable, Codable {
  public var node: Int?
  public var zone: String
  /// Free blocks per order (order = log2(size / page size)).
  public var counts: [UInt64]
  /// Migratetype letters per order when printed (`UME`), nil entries where none were.
  public var types: [String?]
  /// kB per page: the line's smallest block (order 0).
  public var pageKB: UInt64 = 4
  /// The printed total, when the line was not cut off.
  public var totalKB: UInt64?
  public var line: Int

  /// As ``FreeAreas`` for the fragmentation model.
  public var freeAreas: FreeAreas { FreeAreas(node: node ?? 0, zone: zone, counts: counts) }
}

/// Everything vmtune reads from a kernel log (dmesg, journalctl -k, syslog files), in order.
public struct KernelLog: Sendable, Hashable, Codable {
  /// At most this many Mem-Info reports are kept, the most recent, so memory stays flat.
  public static let maxReports = 64
  /// At most this many failures and OOM kills are listed one by one, the first; all are counted.
  public static let maxListed = 1000
  /// At most this many processes are named per ``FailureTally``.
  public static let maxProcesses = 8

  /// The first ``maxListed`` allocation failures.
  public var allocationFailures: [AllocationFailure] = []
  /// Every allocation failure, counted by kind, order, mask and nodemask, in order of appearance.
  public var failureTallies: [FailureTally] = []
  /// The first ``maxListed`` OOM kills.
  public var oomKills: [OOMKill] = []
  /// Every OOM kill.
  public var oomKillCount = 0
  /// The Mem-Info reports, oldest first (the most recent ``maxReports``).
  public var reports: [MemoryReport] = []
  /// Reports dropped to keep ``maxReports``.
  public var reportsDropped = 0
  /// The hosts the prefixes of failure, OOM and Mem-Info lines name, in order of appearance.
  public var hosts: [String] = []

  public init() {}

  /// The kernel release the first report that names one names.
  public var kernelRelease: String? { reports.lazy.compactMap(\.cause?.kernelRelease).first }

  /// Every buddy line of the kept reports, in order.
  public var buddyLines: [BuddyLine] { reports.flatMap(\.buddyLines) }

  /// Parses a whole log of any era and source (docs/KERNEL.md, Kernel log formats) with
  /// ``KernelLogScanner``; a file is read line by line instead, without holding it.
  public static func parse(_ text: String, source: String = "kernel log") throws(ParseError) -> KernelLog {
    var scanner = KernelLogScanner(source: source)
    var text = text
    var failure: ParseError?
    text.withUTF8 { all in
      var start = 0
      while start < all.count {
        var end = start
        while end < all.count, all[end] != 0x0A { end += 1 }
        do throws(ParseError) { try scanner.feed(UnsafeBufferPointer(rebasing: all[start..<end])) } catch {
          failure = error
          return
        }
        start = end + 1
      }
    }
    if let failure { throw failure }
    return try scanner.finish()
  }
}

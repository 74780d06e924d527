/// What vmtune knows about a host at one moment: every vm sysctl, the kernel release, memory
/// and NUMA layout. Read from a root directory; plain data afterwards (offline plans use it).
public struct HostSnapshot: Sendable, Hashable, Codable {
  public static let formatVersion = 1

  public var formatVersion: Int = HostSnapshot.formatVersion
  public var hostname: String?
  /// `uname -r`, from proc/sys/kernel/osrelease.
  public var kernelRelease: String?
  /// Readable /proc/sys/vm files, trimmed.
  public var values: [String: String]
  /// Files that exist but cannot be read (write-only triggers), with the reason.
  public var unreadable: [String: String]
  public var memInfo: MemInfo
  public var numaNodes: Int
  public var cpus: Int
  /// /proc/zoneinfo, /proc/buddyinfo, /proc/vmstat when the root has them.
  public var zoneInfo: ZoneInfo?
  public var buddyInfo: [FreeAreas]?
  public var vmstat: VMStat?
  /// /sys/kernel/mm/transparent_hugepage/enabled (`always [madvise] never`), when present.
  public var transparentHugepage: String?
  /// /sys/kernel/mm/ksm: run, pages_sharing, merge_across_nodes, when present.
  public var ksm: [String: UInt64]?
  /// /etc/machine-id: the host's identity across boots, when present.
  public var machineID: String?
  /// proc/sys/kernel/random/boot_id: changes on every boot.
  public var bootID: String?
  /// The page size the running host reported (`sysconf`), when the snapshot was read from `/`.
  /// Trees and older snapshots infer it (``pageSize``).
  public var recordedPageSize: PageSize?

  public init(
    hostname: String? = nil, kernelRelease: String?, values: [String: String],
    unreadable: [String: String] = [:], memInfo: MemInfo, numaNodes: Int, cpus: Int
  ) {
    self.hostname = hostname
    self.kernelRelease = kernelRelease
    self.values = values
    self.unreadable = unreadable
    self.memInfo = memInfo
    self.numaNodes = numaNodes
    self.cpus = cpus
  }

  /// The THP mode in brackets (`madvise`), nil when THP is absent.
  public var thpMode: String? {
    guard let t = transparentHugepage, let open = t.firstIndex(of: "["), let close = t.firstIndex(of: "]"), open < close
    else { return nil }
    return String(t[t.index(after: open)..<close])
  }

  /// The page size: the one recorded from the running host, else what the tree's zoneinfo,
  /// buddyinfo and meminfo show, else 4 KiB assumed.
  public var pageSize: PageSize {
    recordedPageSize ?? PageSize.infer(memInfo: memInfo, zoneInfo: zoneInfo, buddyInfo: buddyInfo)
  }

  /// Buddy orders (MAX_ORDER of this kernel): buddyinfo's columns, else 11 (x86's).
  public var orderCount: Int { buddyInfo?.map(\.counts.count).max() ?? 11 }

  /// The order of a transparent huge page (a PMD): meminfo's Hugepagesize when it is a buddy
  /// order here, else PAGE_SHIFT − 3 (a page table page holds PAGE_SIZE / 8 entries).
  public var hugePageOrder: Int {
    let page = pageSize
    if let kb = memInfo.values["Hugepagesize"], kb > 0, UInt64(kb) * 1024 >= page.bytes {
      let order = (UInt64(kb) * 1024 / page.bytes).trailingZeroBitCount
      if order < orderCount, UInt64(1) << order == UInt64(kb) * 1024 / page.bytes { return order }
    }
    return page.shift - 3
  }

  /// Lines of the /proc tables that could not be read and were skipped, as `file:line: why`.
  public var parseWarnings: [String] {
    (memInfo.skipped + (zoneInfo?.skipped ?? []) + (vmstat?.skipped ?? [])).map(\.description)
  }

  /// Whether the knob's file exists on this host (readable or not).
  public func has(_ key: String) -> Bool { values[key] != nil || unreadable[key] != nil }

  /// The /proc tables a snapshot may include beyond the sysctls and meminfo.
  public struct Tables: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let zoneinfo = Tables(rawValue: 1)
    public static let buddyinfo = Tables(rawValue: 2)
    public static let vmstat = Tables(rawValue: 4)
    /// The THP mode from /sys/kernel/mm/transparent_hugepage/enabled.
    public static let thp = Tables(rawValue: 8)
    /// KSM's state and counters from /sys/kernel/mm/ksm (diagnosis only).
    public static let ksm = Tables(rawValue: 16)
    /// Everything under /sys/kernel/mm that vmtune reads.
    public static let mm: Tables = [.thp, .ksm]
    public static let all: Tables = [.zoneinfo, .buddyinfo, .vmstat, .mm]
  }
}

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

  /// Whether the knob's file exists on this host (readable or not).
  public func has(_ key: String) -> Bool { values[key] != nil || unreadable[key] != nil }

  /// The /proc tables a snapshot may include beyond the sysctls and meminfo.
  public struct Tables: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let zoneinfo = Tables(rawValue: 1)
    public static let buddyinfo = Tables(rawValue: 2)
    public static let vmstat = Tables(rawValue: 4)
    /// THP mode and KSM counters from /sys/kernel/mm.
    public static let mm = Tables(rawValue: 8)
    public static let all: Tables = [.zoneinfo, .buddyinfo, .vmstat, .mm]
  }

  /// Reads the host under `files.root`. Files in `triggers` are never opened: reading some of
  /// them has side effects (`stat_refresh` folds per-CPU counters on any read). `tables` picks
  /// the /proc tables to parse (the agent skips those a cycle does not need).
  public static func read(_ files: HostFiles, triggers: Set<String>, tables: Tables = .all) throws(KernelError) -> HostSnapshot {
    let store = SysctlStore(files: files)
    var values: [String: String] = [:]
    var unreadable: [String: String] = [:]
    for key in store.keys() {
      if triggers.contains(key) {
        unreadable[key] = "write-only trigger (not read)"
        continue
      }
      do {
        values[key] = try store.read(key)
      } catch {
        unreadable[key] = error.errno.map { $0.vmtuneText } ?? error.description
      }
    }
    let memInfo = try MemInfo.parse(try files.readText("proc/meminfo"), source: files.path("proc/meminfo"))
    let release = try? files.readText("proc/sys/kernel/osrelease")
    let hostname = try? files.readText("proc/sys/kernel/hostname")
    var snap = HostSnapshot(
      hostname: hostname.map(SysctlStore.trim), kernelRelease: release.map(SysctlStore.trim),
      values: values, unreadable: unreadable, memInfo: memInfo,
      numaNodes: Self.numaNodes(files), cpus: Self.cpus(files))
    // Optional files: absent is fine (fixture trees, odd kernels); malformed is an error.
    try snap.readTables(files, tables)
    return snap
  }

  /// Adds the requested /proc tables (absent files are skipped; malformed ones are errors).
  public mutating func readTables(_ files: HostFiles, _ tables: Tables) throws(KernelError) {
    var snap = self
    defer { self = snap }
    if tables.contains(.zoneinfo), let text = try? files.readText("proc/zoneinfo") {
      snap.zoneInfo = try ZoneInfo.parse(text, source: files.path("proc/zoneinfo"))
    }
    if tables.contains(.buddyinfo), let text = try? files.readText("proc/buddyinfo") {
      snap.buddyInfo = try BuddyInfo.parse(text, source: files.path("proc/buddyinfo"))
    }
    if tables.contains(.vmstat), let text = try? files.readText("proc/vmstat") {
      snap.vmstat = try VMStat.parse(text, source: files.path("proc/vmstat"))
    }
    guard tables.contains(.mm) else { return }
    snap.transparentHugepage = (try? files.readText("sys/kernel/mm/transparent_hugepage/enabled")).map(SysctlStore.trim)
    var ksm: [String: UInt64] = [:]
    for key in ["run", "pages_sharing", "pages_shared", "merge_across_nodes"] {
      if let v = try? files.readText("sys/kernel/mm/ksm/\(key)"), let n = UInt64(SysctlStore.trim(v)) { ksm[key] = n }
    }
    snap.ksm = ksm.isEmpty ? nil : ksm
  }

  /// Online NUMA nodes from sys/devices/system/node/nodeN (1 when the directory is absent).
  static func numaNodes(_ files: HostFiles) -> Int {
    let nodes = files.list("sys/devices/system/node").filter {
      $0.hasPrefix("node") && $0.count > 4 && $0.dropFirst(4).allSatisfy(\.isNumber)
    }
    return max(1, nodes.count)
  }

  /// Online CPUs from sys/devices/system/cpu/online (`0-3,8`), 1 when unknown.
  static func cpus(_ files: HostFiles) -> Int {
    guard let text = try? files.readText("sys/devices/system/cpu/online") else { return 1 }
    var total = 0
    for range in SysctlStore.trim(text).split(separator: ",") {
      let ends = range.split(separator: "-").compactMap { Int($0) }
      if ends.count == 2, ends[1] >= ends[0] {
        total += ends[1] - ends[0] + 1
      } else if ends.count == 1 {
        total += 1
      }
    }
    return max(1, total)
  }
}

import VMTuneHost

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads a ``HostSnapshot`` from the files under a root: every vm sysctl (never opening the
/// write-only files, see ``SysctlStore/writeOnly``), meminfo, the kernel release, NUMA and CPUs,
/// and the /proc tables asked for. Parsing is VMTuneHost's; this file only reads.
extension HostSnapshot {
  /// Reads the host under `files.root`. Write-only files are never opened: reading some of them
  /// has side effects (`stat_refresh` folds per-CPU counters on any read). `tables` picks the
  /// /proc tables to parse (the agent skips those a cycle does not need).
  /// `keys` limits the sysctls read to those named (a plan needs only its profile's keys); nil
  /// reads every file in /proc/sys/vm. A named key the kernel lacks is simply absent.
  public static func read(
    _ files: HostFiles, keys: Set<String>? = nil, tables: Tables = .all
  ) throws(KernelError) -> HostSnapshot {
    let store = SysctlStore(files: files)
    var values: [String: String] = [:]
    var unreadable: [String: String] = [:]
    for key in keys.map({ $0.sorted() }) ?? store.keys() {
      if SysctlStore.writeOnly.contains(key) {
        unreadable[key] = "write-only trigger (not read)"
        continue
      }
      do {
        values[key] = try store.read(key)
      } catch {
        if keys != nil, error.errno == .noSuchFileOrDirectory { continue }
        unreadable[key] = error.errno.map { $0.vmtuneText } ?? error.description
      }
    }
    let memInfo = try parse(files, "proc/meminfo", MemInfo.parse)
    let release = try? files.readText("proc/sys/kernel/osrelease")
    let hostname = try? files.readText("proc/sys/kernel/hostname")
    var snap = HostSnapshot(
      hostname: hostname.map { String($0.trimmingWhitespace()) },
      kernelRelease: release.map { String($0.trimmingWhitespace()) },
      values: values, unreadable: unreadable, memInfo: memInfo,
      numaNodes: Self.numaNodes(files), cpus: Self.cpus(files))
    snap.machineID = (try? files.readText("etc/machine-id")).map { String($0.trimmingWhitespace()) }
    snap.bootID = (try? files.readText("proc/sys/kernel/random/boot_id")).map { String($0.trimmingWhitespace()) }
    // Optional files: absent is fine (fixture trees, odd kernels); malformed is an error.
    try snap.readTables(files, tables)
    if files.root == "" { snap.recordedPageSize = PageSize(bytes: UInt64(sysconf(Int32(_SC_PAGESIZE))), source: .host) }
    return snap
  }

  /// Adds the requested /proc tables (absent files are skipped; malformed ones are errors).
  public mutating func readTables(_ files: HostFiles, _ tables: Tables) throws(KernelError) {
    var snap = self
    defer { self = snap }
    if tables.contains(.zoneinfo), let text = try? files.readText("proc/zoneinfo") {
      snap.zoneInfo = try Self.parse(text, files.path("proc/zoneinfo"), ZoneInfo.parse)
    }
    if tables.contains(.buddyinfo), let text = try? files.readText("proc/buddyinfo") {
      snap.buddyInfo = try Self.parse(text, files.path("proc/buddyinfo"), BuddyInfo.parse)
    }
    if tables.contains(.vmstat), let text = try? files.readText("proc/vmstat") {
      snap.vmstat = try Self.parse(text, files.path("proc/vmstat"), VMStat.parse)
    }
    if tables.contains(.thp) {
      snap.transparentHugepage = (try? files.readText("sys/kernel/mm/transparent_hugepage/enabled"))
        .map { String($0.trimmingWhitespace()) }
    }
    guard tables.contains(.ksm) else { return }
    var ksm: [String: UInt64] = [:]
    for key in ["run", "pages_sharing", "pages_shared", "merge_across_nodes"] {
      if let v = try? files.readText("sys/kernel/mm/ksm/\(key)"), let n = UInt64(v.trimmingWhitespace()) {
        ksm[key] = n
      }
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
    for range in text.trimmingWhitespace().split(separator: ",") {
      let ends = range.split(separator: "-").compactMap { Int($0) }
      if ends.count == 2, ends[1] >= ends[0] {
        total += ends[1] - ends[0] + 1
      } else if ends.count == 1 {
        total += 1
      }
    }
    return max(1, total)
  }

  /// Reads `relative` and parses it; a parse failure is a ``KernelError/malformed(_:)``.
  static func parse<T>(
    _ files: HostFiles, _ relative: String, _ parser: (String, String) throws(ParseError) -> T
  ) throws(KernelError) -> T {
    try parse(try files.readText(relative), files.path(relative), parser)
  }

  static func parse<T>(
    _ text: String, _ source: String, _ parser: (String, String) throws(ParseError) -> T
  ) throws(KernelError) -> T {
    do { return try parser(text, source) } catch { throw .malformed(error) }
  }
}

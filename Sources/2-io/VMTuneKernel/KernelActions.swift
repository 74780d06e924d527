import VMTuneHost

#if canImport(Glibc)
  import Glibc
#endif

/// The one-shot kernel actions: compaction (`compact_memory`, per-node `compact`) and cache
/// drops (`drop_caches`); see docs/KERNEL.md.
public struct KernelActions: Sendable {
  public let files: HostFiles

  public init(files: HostFiles) { self.files = files }

  /// `echo 1 > /proc/sys/vm/compact_memory`: compacts every zone of every node, synchronously.
  public func compactAll() throws(KernelError) {
    try files.overwrite("proc/sys/vm/compact_memory", Array("1\n".utf8))
  }

  /// `echo 1 > /sys/devices/system/node/nodeN/compact`: one node, synchronously.
  public func compact(node: Int) throws(KernelError) {
    try files.overwrite("sys/devices/system/node/node\(node)/compact", Array("1\n".utf8))
  }

  /// Nodes that have a `compact` file.
  public func compactableNodes() -> [Int] {
    files.list("sys/devices/system/node").compactMap { name -> Int? in
      guard name.hasPrefix("node"), let n = Int(name.dropFirst(4)) else { return nil }
      return files.kind("sys/devices/system/node/\(name)/compact") == .missing ? nil : n
    }.sorted()
  }

  /// `sync` (optionally), then `echo N > /proc/sys/vm/drop_caches` (1 page cache, 2 slab, 3 both).
  public func dropCaches(_ value: Int, syncFirst: Bool) throws(KernelError) {
    if syncFirst { sync() }
    try files.overwrite("proc/sys/vm/drop_caches", Array("\(value)\n".utf8))
  }

  /// Reads /proc/buddyinfo and /proc/vmstat (for before/after effects).
  public func memoryState() throws(KernelError) -> (buddy: [FreeAreas], vmstat: VMStat) {
    let buddy = try HostSnapshot.parse(files, "proc/buddyinfo", BuddyInfo.parse)
    let vmstat = try HostSnapshot.parse(files, "proc/vmstat", VMStat.parse)
    return (buddy, vmstat)
  }
}

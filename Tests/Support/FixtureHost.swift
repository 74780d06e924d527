import Foundation
import VMTuneHost
import VMTuneKernel

/// A temporary directory laid out like a host's /proc and /sys, for tests that must never
/// touch the real /proc/sys. Values default to a 6.18 single-node host (docs/KERNEL.md, The 6.18 test host).
public final class FixtureHost: @unchecked Sendable {
  public let root: String
  public var files: HostFiles { HostFiles(root: root) }

  public static let defaultValues: [String: String] = [
    "admin_reserve_kbytes": "8192", "compact_unevictable_allowed": "1",
    "compaction_proactiveness": "20", "defrag_mode": "0", "dirty_background_bytes": "0",
    "dirty_background_ratio": "10", "dirty_bytes": "0", "dirty_expire_centisecs": "3000",
    "dirty_ratio": "20", "dirty_writeback_centisecs": "500", "dirtytime_expire_seconds": "43200",
    "extfrag_threshold": "500", "lowmem_reserve_ratio": "256\t256\t32\t0\t0",
    "max_map_count": "65530", "min_free_kbytes": "67584", "min_slab_ratio": "5",
    "min_unmapped_ratio": "1", "nr_hugepages": "0", "numa_stat": "1", "overcommit_kbytes": "0",
    "overcommit_memory": "0", "overcommit_ratio": "50", "page-cluster": "3",
    "percpu_pagelist_high_fraction": "0", "stat_interval": "1", "swappiness": "60",
    "user_reserve_kbytes": "100403", "vfs_cache_pressure": "100", "vfs_cache_pressure_denom": "100",
    "watermark_boost_factor": "15000", "watermark_scale_factor": "10", "zone_reclaim_mode": "0",
  ]

  /// Creates the tree. `memTotalKB` defaults to 24 GiB.
  public init(
    values: [String: String] = FixtureHost.defaultValues, kernel: String = "6.18.44-test",
    memTotalKB: Int64 = 24_684_084, numaNodes: Int = 1, hostname: String = "fixture"
  ) throws {
    let base = FileManager.default.temporaryDirectory.path + "/vmtune-fixture-" + UUID().uuidString
    root = base
    let fm = FileManager.default
    try fm.createDirectory(atPath: base + "/proc/sys/vm", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: base + "/proc/sys/kernel", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: base + "/sys/devices/system/cpu", withIntermediateDirectories: true)
    for n in 0..<numaNodes {
      try fm.createDirectory(atPath: base + "/sys/devices/system/node/node\(n)", withIntermediateDirectories: true)
    }
    for (k, v) in values { try set(k, v) }
    try write("proc/sys/vm/drop_caches", "0\n")
    try write("proc/sys/vm/compact_memory", "0\n")
    try write("proc/sys/kernel/osrelease", kernel + "\n")
    try write("proc/sys/kernel/hostname", hostname + "\n")
    try write("sys/devices/system/cpu/online", "0-1\n")
    try write(
      "proc/meminfo",
      "MemTotal:       \(memTotalKB) kB\nMemFree:        \(memTotalKB / 2) kB\nMemAvailable:   \(memTotalKB / 2) "
        + "kB\nHugePages_Total:       0\n"
    )
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  /// Writes a file under the root (creating parents).
  public func write(_ relative: String, _ text: String) throws {
    let path = root + "/" + relative
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
  }

  /// Sets a sysctl file's content as the kernel prints it.
  public func set(_ key: String, _ value: String) throws {
    try write("proc/sys/vm/\(key)", value + "\n")
  }

  /// The sysctl file's content, trimmed.
  public func value(_ key: String) -> String? {
    (try? String(contentsOfFile: root + "/proc/sys/vm/" + key, encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Every sysctl value, for before/after comparisons.
  public func allValues() -> [String: String] {
    var out: [String: String] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/proc/sys/vm")) ?? [] {
      out[name] = value(name)
    }
    return out
  }

  /// Removes a sysctl file (a knob this kernel lacks).
  public func remove(_ key: String) throws {
    try FileManager.default.removeItem(atPath: root + "/proc/sys/vm/" + key)
  }
}

/// The repository's root (for shipped profiles), found from this source file's location.
public func repositoryRoot(_ file: String = #filePath) -> String {
  var url = URL(fileURLWithPath: file)
  while url.path != "/" {
    url.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: url.path + "/Package.swift") { return url.path }
  }
  return "."
}

/// One zone for a fixture /proc/zoneinfo.
public struct FixtureZone: Sendable {
  public var node: Int, name: String, free: UInt64, min: UInt64, low: UInt64, high: UInt64, managed: UInt64,
    present: UInt64
  /// The zone's file pages (`nr_zone_inactive_file` + `nr_zone_active_file`), reclaimable page cache.
  public var filePages: UInt64

  public init(
    node: Int = 0, _ name: String, free: UInt64, min: UInt64, low: UInt64, high: UInt64, managed: UInt64,
    present: UInt64? = nil, filePages: UInt64 = 0
  ) {
    self.filePages = filePages
    self.node = node
    self.name = name
    self.free = free
    self.min = min
    self.low = low
    self.high = high
    self.managed = managed
    self.present = present ?? managed
  }
}

extension FixtureHost {
  /// Writes /proc/zoneinfo in the 6.x layout (boost 0) for `zones`.
  public func writeZoneinfo(_ zones: [FixtureZone]) throws {
    var text = ""
    for z in zones {
      text += "Node \(z.node), zone \(String(repeating: " ", count: max(0, 8 - z.name.count)))\(z.name)\n"
      text +=
        "  pages free     \(z.free)\n        boost    0\n        min      \(z.min)\n        low      \(z.low)\n        "
        + "high     \(z.high)\n"
      text += "        spanned  \(z.present)\n        present  \(z.present)\n        managed  \(z.managed)\n"
      text += "        protection: (0, 0, 0, 0)\n      nr_free_pages \(z.free)\n"
      text +=
        "      nr_zone_inactive_file \(z.filePages / 2)\n      nr_zone_active_file \(z.filePages - z.filePages / 2)\n"
    }
    try write("proc/zoneinfo", text)
  }

  /// A copy of the 6.18 test host (docs/KERNEL.md, The 6.18 test host) after a day of work: its
  /// Normal zone has `normalFree` free pages and `inactiveFile` + `activeFile` pages of page cache.
  public static func busy(normalFree: UInt64, inactiveFile: UInt64, activeFile: UInt64) throws -> FixtureHost {
    let host = try FixtureHost(memTotalKB: 24_684_084)
    try host.write("proc/meminfo", try fixtureText("proc/meminfo-6.18"))
    var zone = ""
    var lines: [String] = []
    for line in try fixtureText("proc/zoneinfo-6.18").split(separator: "\n", omittingEmptySubsequences: false) {
      let fields = line.split(separator: " ")
      if line.hasPrefix("Node ") { zone = String(fields.last ?? "") }
      guard zone == "Normal" else {
        lines.append(String(line))
        continue
      }
      switch fields.first {
      case "pages" where fields.count == 3: lines.append("  pages free     \(normalFree)")
      case "nr_free_pages": lines.append("      nr_free_pages \(normalFree)")
      case "nr_zone_inactive_file": lines.append("      nr_zone_inactive_file \(inactiveFile)")
      case "nr_zone_active_file": lines.append("      nr_zone_active_file \(activeFile)")
      default: lines.append(String(line))
      }
    }
    try host.write("proc/zoneinfo", lines.joined(separator: "\n"))
    return host
  }
}

/// The 4 GiB 5.4 machine before an operator set min_free_kbytes 3000000 (8000 is what it had;
/// the watermarks here are the model's for 8000).
public func fourGiBHostBeforeRunawayReserve() throws -> FixtureHost {
  var values = FixtureHost.defaultValues
  values["min_free_kbytes"] = "8000"
  let host = try FixtureHost(values: values, kernel: "5.4.0", memTotalKB: 4_024_116)
  try host.writeZoneinfo([
    FixtureZone("DMA", free: 3840, min: 7, low: 10, high: 13, managed: 3840),
    FixtureZone("DMA32", free: 758_226, min: 1508, low: 2266, high: 3024, managed: 758_592),
    FixtureZone("Normal", free: 145_291, min: 484, low: 727, high: 970, managed: 243_597),
    FixtureZone("Movable", free: 0, min: 0, low: 0, high: 0, managed: 0),
  ])
  return host
}

extension FixtureHost {
  /// An arm64 host with 64 KiB pages (RHEL's default there): 14 buddy orders, 126 GiB RAM in
  /// DMA (1 GiB) and Normal zones; 2059823 pages (125.7 GiB) free.
  public static func arm64With64KiBPages() throws -> FixtureHost {
    // MemTotal = (16384 + 2047000) managed pages × 64 kB.
    let host = try FixtureHost(kernel: "5.14.0-427.el9.aarch64", memTotalKB: 132_056_576)
    try host.write(
      "proc/meminfo",
      "MemTotal:       132056576 kB\nMemFree:        131828672 kB\nMemAvailable:   131000000 kB\n"
        + "Hugepagesize:     524288 kB\n")
    try host.writeZoneinfo([
      FixtureZone("DMA", free: 16000, min: 8, low: 10, high: 12, managed: 16384),
      FixtureZone("Normal", free: 2_043_823, min: 1048, low: 1310, high: 1572, managed: 2_047_000),
    ])
    // 16000 + 2043823 = 2059823 free pages.
    try host.write(
      "proc/buddyinfo",
      "Node 0, zone      DMA      0      0      0      0      0      0      0      1      0      1      1      1"
        + "      1      1\n"
        + "Node 0, zone   Normal    1      1      1      1      0      1      0      1      1      1      1      1"
        + "      0    249\n")
    return host
  }
}

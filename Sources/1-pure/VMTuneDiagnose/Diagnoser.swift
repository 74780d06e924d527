import VMTuneHost
import VMTuneModel
import VMTunePlan
import VMTuneProfile

/// Pure: turns a host snapshot (and optionally a kernel log) into a ``Diagnosis`` with advice
/// tied to the numbers (docs/KERNEL.md, Watermarks to Kernel log formats).
public enum Diagnoser {
  static let counterNames = [
    "allocstall", "pgscan_direct", "pgscan_kswapd", "pgsteal_direct", "pgsteal_kswapd",
    "kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly", "compact_stall",
    "compact_success", "compact_fail", "compact_migrate_scanned", "compact_free_scanned",
    "compact_daemon_wake", "drop_pagecache", "drop_slab", "oom_kill", "pageoutrun",
  ]

  /// What every zone's orders are judged against.
  struct Scope {
    var orders: [Int]
    var failures: [FailureSummary]
    var threshold: Int
    /// Whether the kernel (4.8+) always compacts costly orders (above 3).
    var costlyRule: Bool
  }

  public static func diagnose(
    _ snapshot: HostSnapshot, log: KernelLog? = nil, orders requested: [Int] = []
  ) -> Diagnosis {
    let host = snapshot.facts
    let failures = summarize(log)
    let scope = Scope(
      orders: ordersOfInterest(requested, failures: failures), failures: failures,
      threshold: snapshot.values["extfrag_threshold"].flatMap { Int($0) } ?? 500,
      costlyRule: host.kernel.map { ($0.major, $0.minor) >= (4, 8) } ?? true)
    var d = Diagnosis(
      host: host,
      minFreeKbytes: snapshot.values["min_free_kbytes"].flatMap { UInt64($0) },
      watermarkScaleFactor: snapshot.values["watermark_scale_factor"].flatMap { UInt64($0) },
      extfragThreshold: scope.threshold, ordersOfInterest: scope.orders,
      zones: zones(snapshot, log: log, scope),
      nodes: nodes(snapshot), failures: failures, oomKills: log?.oomKills.count ?? 0,
      counters: counters(snapshot.vmstat), advice: [])
    d.advice = Advisor.advise(d, snapshot: snapshot)
    return d
  }

  /// The orders asked for, else those that failed in the log, else 4 and 9; within 0 … 10, sorted.
  static func ordersOfInterest(_ requested: [Int], failures: [FailureSummary]) -> [Int] {
    var orders = requested
    if orders.isEmpty { orders = failures.map(\.order).filter { $0 > 0 } }
    if orders.isEmpty { orders = [4, 9] }
    return Array(Set(orders.filter { (0...10).contains($0) })).sorted()
  }

  /// A diagnosis per /proc/buddyinfo zone, or without buddyinfo, per buddy line in the log.
  static func zones(_ snapshot: HostSnapshot, log: KernelLog?, _ scope: Scope) -> [ZoneDiagnosis] {
    let zoneStats = snapshot.zoneInfo?.zones ?? []
    let live = (snapshot.buddyInfo ?? []).map { areas in
      let stats = zoneStats.first { $0.node == areas.node && $0.name == areas.zone }
      return zone(areas, stats: stats, source: "buddyinfo", scope)
    }
    guard live.isEmpty, let log else { return live }
    // Offline: the fragmentation the kernel printed in its OOM / failure reports.
    return log.buddyLines.map { zone($0.freeAreas, stats: nil, source: "log line \($0.line)", scope) }
  }

  /// The ``counterNames`` in vmstat; one the kernel splits by zone (allocstall_normal, …) is summed.
  static func counters(_ vmstat: VMStat?) -> [String: UInt64] {
    guard let v = vmstat else { return [:] }
    var counters: [String: UInt64] = [:]
    for name in counterNames {
      if let x = v[name] { counters[name] = x }
      let total = v.sum(prefix: name + "_")
      if v[name] == nil, total > 0 || v.counters.keys.contains(where: { $0.hasPrefix(name + "_") }) {
        counters[name] = total
      }
    }
    return counters
  }

  static func zone(_ areas: FreeAreas, stats: ZoneStats?, source: String, _ scope: Scope) -> ZoneDiagnosis {
    let marks = stats?.unboosted
    let free = stats?.free ?? areas.freePages
    return ZoneDiagnosis(
      node: areas.node, zone: areas.zone, source: source, managed: stats?.managedPages,
      freePages: free, watermarks: marks, boost: stats?.boost,
      headroomPages: marks.map { Int64(free) - Int64($0.low) }, freeBlocks: areas.counts,
      orders: scope.orders.map { order($0, areas.counts, freePages: free, watermarks: marks, scope) })
  }

  /// Indexes of one order, and what compaction_suitable() decides when the watermarks are known.
  static func order(
    _ o: Int, _ counts: [UInt64], freePages: UInt64, watermarks: Watermarks?, _ scope: Scope
  ) -> OrderDiagnosis {
    let decision = watermarks.map { m in
      Compaction.decide(
        CompactionInput(
          freeBlocks: counts, order: o, freePages: freePages, minWatermark: m.min, lowWatermark: m.low,
          extfragThreshold: scope.threshold, costlyOrderRule: scope.costlyRule))
    }
    return OrderDiagnosis(
      order: o, fragmentationIndex: Fragmentation.index(counts, order: o),
      unusableIndex: Fragmentation.unusableIndex(counts, order: o),
      suitableBlocks: Fragmentation.contigInfo(counts, order: o).freeBlocksSuitable, decision: decision,
      failuresInLog: scope.failures.first { $0.order == o }?.count ?? 0)
  }

  static func nodes(_ snapshot: HostSnapshot) -> [NodeDiagnosis] {
    guard let buddy = snapshot.buddyInfo, let info = snapshot.zoneInfo else { return [] }
    let proactiveness = snapshot.values["compaction_proactiveness"].flatMap { UInt64($0) }
    return Set(buddy.map(\.node)).sorted().map { node in
      let pairs = info.zones.filter { $0.node == node }.map { z in
        (freeBlocks: buddy.first { $0.node == node && $0.zone == z.name }?.counts ?? [], present: z.present)
      }
      let score = ProactiveCompaction.nodeScore(pairs)
      return NodeDiagnosis(
        node: node, fragmentationScore: score,
        proactiveThreshold: proactiveness.flatMap {
          $0 == 0 ? nil : ProactiveCompaction.watermarks(proactiveness: $0).high
        },
        kcompactdWouldRun: proactiveness.map {
          ProactiveCompaction.wouldCompact(nodeScore: score, proactiveness: $0)
        } ?? false)
    }
  }

  static func summarize(_ log: KernelLog?) -> [FailureSummary] {
    guard let log else { return [] }
    var byOrder: [Int: FailureSummary] = [:]
    for f in log.allocationFailures where f.kind == .page {
      var s =
        byOrder[f.order] ?? FailureSummary(order: f.order, count: 0, processes: [], atomic: false, firstLine: f.line)
      s.count += 1
      if !s.processes.contains(f.comm) { s.processes.append(f.comm) }
      if isAtomic(f) { s.atomic = true }
      byOrder[f.order] = s
    }
    return byOrder.values.sorted { $0.order < $1.order }
  }

  /// GFP_ATOMIC by name (4.5+), or __GFP_HIGH without __GFP_WAIT in the old hex layout.
  static func isAtomic(_ f: AllocationFailure) -> Bool {
    let oldAtomic = f.flags.isEmpty && (f.mode ?? 0) & 0x30 == 0x20
    return f.flags.contains("GFP_ATOMIC") || f.flags.contains("GFP_NOWAIT") || oldAtomic
  }
}

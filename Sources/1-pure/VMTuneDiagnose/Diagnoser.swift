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

  public static func diagnose(_ snapshot: HostSnapshot, log: KernelLog? = nil, orders requested: [Int] = []) -> Diagnosis {
    let host = snapshot.facts
    let threshold = snapshot.values["extfrag_threshold"].flatMap { Int($0) } ?? 500
    let failures = summarize(log)
    var orders = requested
    if orders.isEmpty { orders = failures.map(\.order).filter { $0 > 0 } }
    if orders.isEmpty { orders = [4, 9] }
    orders = Array(Set(orders.filter { (0...10).contains($0) })).sorted()
    let costlyRule = host.kernel.map { ($0.major, $0.minor) >= (4, 8) } ?? true

    var zones: [ZoneDiagnosis] = []
    let zoneStats = snapshot.zoneInfo?.zones ?? []
    for areas in snapshot.buddyInfo ?? [] {
      let stats = zoneStats.first { $0.node == areas.node && $0.name == areas.zone }
      zones.append(zone(areas, stats: stats, source: "buddyinfo", orders: orders, failures: failures, threshold: threshold, costlyRule: costlyRule))
    }
    if zones.isEmpty, let log {
      // Offline: the fragmentation the kernel printed in its OOM / failure reports.
      for b in log.buddyLines {
        zones.append(zone(b.freeAreas, stats: nil, source: "log line \(b.line)", orders: orders, failures: failures, threshold: threshold, costlyRule: costlyRule))
      }
    }
    var counters: [String: UInt64] = [:]
    if let v = snapshot.vmstat {
      for name in counterNames {
        if let x = v[name] { counters[name] = x }
        let total = v.sum(prefix: name + "_")
        if v[name] == nil, total > 0 || v.counters.keys.contains(where: { $0.hasPrefix(name + "_") }) {
          counters[name] = total
        }
      }
    }
    var d = Diagnosis(
      host: host,
      minFreeKbytes: snapshot.values["min_free_kbytes"].flatMap { UInt64($0) },
      watermarkScaleFactor: snapshot.values["watermark_scale_factor"].flatMap { UInt64($0) },
      extfragThreshold: threshold, ordersOfInterest: orders, zones: zones,
      nodes: nodes(snapshot), failures: failures, oomKills: log?.oomKills.count ?? 0,
      counters: counters, advice: [])
    d.advice = Advisor.advise(d, snapshot: snapshot)
    return d
  }

  static func zone(
    _ areas: FreeAreas, stats: ZoneStats?, source: String, orders: [Int], failures: [FailureSummary],
    threshold: Int, costlyRule: Bool
  ) -> ZoneDiagnosis {
    let marks = stats?.unboosted
    let free = stats?.free ?? areas.freePages
    let od = orders.map { o -> OrderDiagnosis in
      let info = Fragmentation.contigInfo(areas.counts, order: o)
      var decision: CompactionDecision?
      if let m = marks {
        decision = Compaction.decide(
          CompactionInput(freeBlocks: areas.counts, order: o, freePages: free, minWatermark: m.min, lowWatermark: m.low, extfragThreshold: threshold, costlyOrderRule: costlyRule))
      }
      return OrderDiagnosis(
        order: o, fragmentationIndex: Fragmentation.index(areas.counts, order: o),
        unusableIndex: Fragmentation.unusableIndex(areas.counts, order: o),
        suitableBlocks: info.freeBlocksSuitable, decision: decision,
        failuresInLog: failures.first { $0.order == o }?.count ?? 0)
    }
    return ZoneDiagnosis(
      node: areas.node, zone: areas.zone, source: source, managed: stats?.managedPages,
      freePages: free, watermarks: marks, boost: stats?.boost,
      headroomPages: marks.map { Int64(free) - Int64($0.low) }, freeBlocks: areas.counts, orders: od)
  }

  static func nodes(_ snapshot: HostSnapshot) -> [NodeDiagnosis] {
    guard let buddy = snapshot.buddyInfo, let info = snapshot.zoneInfo else { return [] }
    let proactiveness = snapshot.values["compaction_proactiveness"].flatMap { UInt64($0) }
    return Set(buddy.map(\.node)).sorted().map { node in
      let present = info.zones.filter { $0.node == node }
      let pairs = present.map { z in (freeBlocks: buddy.first { $0.node == node && $0.zone == z.name }?.counts ?? [], present: z.present) }
      let score = ProactiveCompaction.nodeScore(pairs)
      return NodeDiagnosis(
        node: node, fragmentationScore: score,
        proactiveThreshold: proactiveness.flatMap { $0 == 0 ? nil : ProactiveCompaction.watermarks(proactiveness: $0).high },
        kcompactdWouldRun: proactiveness.map { ProactiveCompaction.wouldCompact(nodeScore: score, proactiveness: $0) } ?? false)
    }
  }

  static func summarize(_ log: KernelLog?) -> [FailureSummary] {
    guard let log else { return [] }
    var byOrder: [Int: FailureSummary] = [:]
    for f in log.allocationFailures where f.kind == .page {
      var s = byOrder[f.order] ?? FailureSummary(order: f.order, count: 0, processes: [], atomic: false, firstLine: f.line)
      s.count += 1
      if !s.processes.contains(f.comm) { s.processes.append(f.comm) }
      // GFP_ATOMIC by name (4.5+), or __GFP_HIGH without __GFP_WAIT in the old hex layout.
      let oldAtomic = f.flags.isEmpty && (f.mode ?? 0) & 0x30 == 0x20
      if f.flags.contains("GFP_ATOMIC") || f.flags.contains("GFP_NOWAIT") || oldAtomic { s.atomic = true }
      byOrder[f.order] = s
    }
    return byOrder.values.sorted { $0.order < $1.order }
  }
}

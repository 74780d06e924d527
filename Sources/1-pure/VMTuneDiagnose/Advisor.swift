import VMTuneHost
import VMTuneModel
import VMTunePlan
import VMTuneProfile

/// Advice from a diagnosis: each item names the numbers that call for it.
enum Advisor {
  static func advise(_ d: Diagnosis, snapshot: HostSnapshot) -> [Advice] {
    var out: [Advice] = []
    let memKB = Int64(d.host.memTotalKB)
    // 1. Fragmented (compaction helps) vs short of memory (reclaim helps), per order of interest.
    var fragmented: [(ZoneDiagnosis, OrderDiagnosis)] = []
    var short: [(ZoneDiagnosis, OrderDiagnosis)] = []
    for z in d.zones where z.freePages > 0 || z.watermarks != nil {
      for o in z.orders where o.order > 0 {
        switch o.decision {
        case .compact(let index)? where index > d.extfragThreshold || o.order <= Compaction.costlyOrder:
          fragmented.append((z, o))
        case .reclaimShortOfMemory?, .reclaimTooLittleFree?:
          if o.failuresInLog > 0 { short.append((z, o)) }
        case nil where o.fragmentationIndex > d.extfragThreshold:
          fragmented.append((z, o))
        default:
          break
        }
      }
    }
    if let worst = fragmented.max(by: { $0.1.fragmentationIndex < $1.1.fragmentationIndex }) {
      let (z, o) = worst
      let zonesText = Set(fragmented.map { "node \($0.0.node) \($0.0.zone)" }).sorted().joined(separator: ", ")
      let nodes = Set(fragmented.map(\.0.node)).sorted()
      var commands = nodes.count == 1 && d.host.numaNodes > 1
        ? ["echo 1 > /sys/devices/system/node/node\(nodes[0])/compact"]
        : ["echo 1 > /proc/sys/vm/compact_memory"]
      commands.append("cat /proc/buddyinfo    # order-\(o.order) and higher columns should grow")
      var profile = [
        "actions:", "  compact:", "    when: { order: \(o.order), fragmentation_index_above: \(d.extfragThreshold) }", "    min_interval: 15m",
      ]
      if let k = d.host.kernelRelease.flatMap({ KernelVersion(parsing: $0) }), k >= KernelVersion(5, 9),
        let p = snapshot.values["compaction_proactiveness"].flatMap({ Int($0) }), p < 30
      {
        profile = ["sysctl:", "  compaction_proactiveness: 30"] + profile
      }
      out.append(
        Advice(
          kind: .compact,
          title: "Compact memory: free memory is fragmented, not short (\(zonesText))",
          evidence: "node \(z.node) \(z.zone): \(z.freePages) free pages (\(humanKB(Int64(z.freePages) * 4))) but \(o.suitableBlocks) blocks of order \(o.order); fragmentation index \(o.fragmentationIndex) > extfrag_threshold \(d.extfragThreshold), unusable index \(o.unusableIndex)/1000\(o.failuresInLog > 0 ? "; \(o.failuresInLog) order-\(o.order) allocation failure(s) in the log" : "")",
          commands: commands, profile: profile))
    }
    if let (z, o) = short.first {
      let cacheKB = (snapshot.memInfo.values["Active(file)"] ?? 0) + (snapshot.memInfo.values["Inactive(file)"] ?? 0)
      let decisionText: String
      switch o.decision {
      case .reclaimTooLittleFree(let free, let needed)?: decisionText = "\(free) free pages, compaction needs more than \(needed - 1)"
      case .reclaimShortOfMemory(let index)?: decisionText = "fragmentation index \(index) ≤ extfrag_threshold \(d.extfragThreshold)"
      default: decisionText = "memory is short"
      }
      if memKB > 0, cacheKB * 10 > memKB {
        out.append(
          Advice(
            kind: .dropCaches,
            title: "Drop clean page cache: node \(z.node) \(z.zone) is short of free memory for order \(o.order)",
            evidence: "\(decisionText); page cache holds \(humanKB(cacheKB)) (\(cacheKB * 100 / memKB)% of RAM) that reclaim can free",
            commands: ["sync", "echo 1 > /proc/sys/vm/drop_caches", "echo 1 > /proc/sys/vm/compact_memory"],
            profile: [
              "actions:", "  drop_caches:", "    what: pagecache", "    sync_first: true",
              "    when: { order: \(o.order), fragmentation_index_below: \(d.extfragThreshold), free_blocks_below: 64 }",
              "    min_interval: 6h",
            ]))
      } else {
        out.append(
          Advice(
            kind: .shortOfMemory,
            title: "Memory is genuinely short on node \(z.node) \(z.zone): reduce the load",
            evidence: "\(decisionText); little page cache to reclaim (\(humanKB(cacheKB)))",
            commands: ["grep -E 'MemFree|MemAvailable|Committed_AS' /proc/meminfo"],
            profile: []))
      }
    }
    // 2. Watermarks: too high (min_free_kbytes 3000000 on a 4 GiB host) or too low (direct reclaim, atomic failures).
    if let minFree = d.minFreeKbytes, memKB > 0 {
      let swallowing = d.zones.filter { z in
        guard let m = z.watermarks, let managed = z.managed, managed > 0, !["Movable", "HighMem"].contains(z.zone) else { return false }
        return m.high >= managed || Int64(z.freePages) < Int64(m.low) && m.min * 20 > managed
      }
      if Int64(minFree) * 100 > memKB * 5 || !swallowing.isEmpty {
        let target = suggestedDefault(snapshot)
        out.append(
          Advice(
            kind: .lowerMinFree,
            title: "Lower min_free_kbytes from \(minFree) to \(target)",
            evidence: "min_free_kbytes reserves \(Int64(minFree) * 100 / memKB)% of RAM\(swallowing.first.map { z in "; node \(z.node) \(z.zone): high watermark \(z.watermarks?.high ?? 0) of \(z.managed ?? 0) managed pages, \(z.freePages) free" } ?? ""); the watermarks swallow free memory and kswapd reclaims constantly (a 4 GB host given min_free_kbytes 3,000,000 went into constant reclaim). \(target) kB is what the kernel itself would choose here.",
            commands: ["echo \(target) > /proc/sys/vm/min_free_kbytes"],
            profile: ["sysctl:", "  min_free_kbytes: \(target)"]))
      } else {
        let stalls = (d.counters["allocstall"] ?? 0) + (d.counters["pgscan_direct"] ?? 0)
        let atomicFailures = d.failures.filter(\.atomic).reduce(0) { $0 + $1.count }
        if stalls > 0 || atomicFailures > 0 {
          let target = min(max(Int64(minFree) * 2, memKB / 200), memKB * 5 / 100)
          var evidence: [String] = []
          if let a = d.counters["allocstall"], a > 0 { evidence.append("allocstall \(a)") }
          if let p = d.counters["pgscan_direct"], p > 0 { evidence.append("pgscan_direct \(p)") }
          if atomicFailures > 0 { evidence.append("\(atomicFailures) atomic allocation failure(s) in the log (atomic allocations may only dip below min)") }
          if target > Int64(minFree) {
            out.append(
              Advice(
                kind: .raiseMinFree,
                title: "Raise min_free_kbytes from \(minFree) to \(target)",
                evidence: evidence.joined(separator: ", ") + "; a larger reserve (0.5% of RAM here, within the 5% guard) keeps kswapd ahead of allocations",
                commands: ["echo \(target) > /proc/sys/vm/min_free_kbytes"],
                profile: ["sysctl:", "  min_free_kbytes: { at_least: \(target) }"]))
          }
          if let wsf = d.watermarkScaleFactor, wsf < 100 {
            out.append(
              Advice(
                kind: .scaleFactor,
                title: "Raise watermark_scale_factor from \(wsf) to 200",
                evidence: evidence.joined(separator: ", ") + "; kswapd wakes only \(wsf)/10000 of each zone above min, so allocations outrun it into direct reclaim",
                commands: ["echo 200 > /proc/sys/vm/watermark_scale_factor"],
                profile: ["sysctl:", "  watermark_scale_factor: 200"]))
          }
        }
      }
    }
    // 3. KSM scatters order-0 pages (the 400 GB KVM host with order-4 atomic failures).
    if let ksm = snapshot.ksm, ksm["run"] == 1, let sharing = ksm["pages_sharing"], sharing > 0, !fragmented.isEmpty {
      out.append(
        Advice(
          kind: .ksm,
          title: "Check KSM: ksmd is merging \(sharing) pages while memory is fragmented",
          evidence: "each merge frees a 4 KiB page at a scattered address and splits huge pages, feeding order-0 fragmentation (a 400 GB KVM host running ksmd ended with gigabytes free, all in order-0 and order-1 blocks, and failed order-4 atomic allocations)",
          commands: ["cat /sys/kernel/mm/ksm/pages_sharing", "echo 2 > /sys/kernel/mm/ksm/run    # stop and unmerge, if the memory is affordable"],
          profile: []))
    }
    // 4. Node reclaim on a NUMA host (vm.rst: file servers want 0).
    if d.host.numaNodes > 1, let zrm = snapshot.values["zone_reclaim_mode"].flatMap({ Int($0) }), zrm != 0 {
      out.append(
        Advice(
          kind: .zoneReclaim,
          title: "zone_reclaim_mode is \(zrm): each node reclaims its own cache before using the other's free memory",
          evidence: "bits \(zrm & 1 != 0 ? "reclaim " : "")\(zrm & 2 != 0 ? "write " : "")\(zrm & 4 != 0 ? "unmap" : "")on \(d.host.numaNodes) nodes; 0 suits file servers and most hosts: node reclaim drops local page cache instead of using free memory on other nodes (Documentation/admin-guide/sysctl/vm.rst)",
          commands: ["echo 0 > /proc/sys/vm/zone_reclaim_mode"],
          profile: ["sysctl:", "  zone_reclaim_mode: []"]))
    }
    if out.isEmpty {
      out.append(Advice(kind: .none, title: "No action needed", evidence: "no fragmentation above extfrag_threshold at orders \(d.ordersOfInterest.map(String.init).joined(separator: ", ")), watermarks within bounds, no direct reclaim", commands: [], profile: []))
    }
    return out
  }

  /// What the kernel would choose itself: the √ rule, raised to the THP recommendation.
  static func suggestedDefault(_ snapshot: HostSnapshot) -> Int64 {
    guard let info = snapshot.zoneInfo else { return 65536 }
    let user = info.zones.filter { ["DMA", "DMA32", "Normal"].contains($0.name) && $0.populated }
    let lowmemKB = user.reduce(UInt64(0)) { $0 + $1.managedPages } * 4
    var target = MinFreeKbytes.kernelDefault(lowmemKB: lowmemKB)
    if let thp = PolicyChecks.thpRecommendedKB(snapshot) { target = max(target, thp) }
    return Int64(target)
  }
}

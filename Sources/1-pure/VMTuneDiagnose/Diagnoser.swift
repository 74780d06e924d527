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
    /// The log's page allocation failures, grouped by what decides the zones they could use.
    var claims: [ZoneAttribution.Claim: Int] = [:]
  }

  /// With `profile`, the orders its action conditions protect are analysed too, and its actions
  /// are forecast on `snapshot`. With `log`, the orders that failed or invoked the OOM killer
  /// are analysed, and each Mem-Info report in it is shown as a state of its own beside this host's.
  public static func diagnose(
    _ snapshot: HostSnapshot, log: KernelLog? = nil, orders requested: [Int] = [], profile: Profile? = nil
  ) -> Diagnosis {
    diagnose(snapshot, log: log, orders: requested, profile: profile, live: true)
  }

  /// The log alone, with no live host (`noHost` says why): the memory states it recorded at each
  /// failure or OOM, with the page size of its buddy lines and the kernel its reports name.
  public static func diagnose(
    log: KernelLog, orders requested: [Int] = [], profile: Profile? = nil, noHost: String? = nil
  ) -> Diagnosis {
    let nodes = Set(log.buddyLines.map { $0.node ?? 0 })
    let snapshot = HostSnapshot(
      kernelRelease: log.kernelRelease, values: [:], memInfo: MemInfo(values: [:]), numaNodes: max(1, nodes.count),
      cpus: 1)
    return diagnose(snapshot, log: log, orders: requested, profile: profile, live: false, noHost: noHost)
  }

  static func diagnose(
    _ snapshot: HostSnapshot, log: KernelLog?, orders requested: [Int], profile: Profile?, live: Bool,
    noHost: String? = nil
  ) -> Diagnosis {
    let host = snapshot.facts
    let failures = summarize(log)
    let protected = profileOrders(profile)
    let pages = geometry(snapshot, log: log)
    let oomOrders = (log?.oomKills.compactMap(\.order) ?? []) + (log?.reports.compactMap { $0.cause?.order } ?? [])
    var scope = Scope(
      orders: ordersOfInterest(
        requested, failures: failures, oomOrders: oomOrders, protected: protected, pages: pages),
      failures: failures,
      threshold: snapshot.values["extfrag_threshold"].flatMap { Int($0) } ?? 500,
      costlyRule: host.kernel.map { ($0.major, $0.minor) >= (4, 8) } ?? true)
    scope.claims = ZoneAttribution.claims(log?.failureTallies ?? [])
    let (states, zones) = statesAndZones(snapshot, log: log, scope, pages: pages, live: live)
    var d = Diagnosis(
      host: host,
      minFreeKbytes: snapshot.values["min_free_kbytes"].flatMap { UInt64($0) },
      watermarkScaleFactor: snapshot.values["watermark_scale_factor"].flatMap { UInt64($0) },
      extfragThreshold: scope.threshold, ordersOfInterest: scope.orders,
      zones: zones,
      nodes: nodes(snapshot), failures: failures, oomKills: log?.oomKillCount ?? 0,
      counters: counters(snapshot.vmstat),
      unusable: unusableShares(zones, threshold: scope.threshold, pages: pages, states: states),
      profile: profile.map { forecast($0, orders: protected, on: snapshot) },
      assumptions: host.kernel == nil ? [live ? unknownKernel : unknownKernelInLog] : [], advice: [])
    d.pages = pages
    d.logRead = log != nil
    d.live = live
    d.states = states
    d.ooms = Array(log?.oomKills.prefix(maxListed) ?? [])
    d.logHosts = log?.hosts ?? []
    d.loggedStatesOmitted = max(0, (log?.reports.count ?? 0) - maxLoggedStates) + (log?.reportsDropped ?? 0)
    d.hostNote = hostNote(snapshot, log: log, live: live, noHost: noHost)
    d.advice = Advisor.advise(adviceView(d), snapshot: snapshot)
    return d
  }

  /// The host's page geometry; when the host does not tell its page size, the log's buddy lines
  /// do (their smallest block is one page).
  public static func geometry(_ snapshot: HostSnapshot, log: KernelLog?) -> PageGeometry {
    let pages = snapshot.pages
    guard pages.pageSize.source == .assumed, let line = log?.buddyLines.first else { return pages }
    let size = PageSize(bytes: line.pageKB * 1024, source: .log)
    let orders = max(snapshot.buddyInfo == nil ? 0 : pages.orderCount, log?.buddyLines.map(\.counts.count).max() ?? 0)
    return PageGeometry(pageSize: size, orderCount: max(orders, size.shift - 2), hugePageOrder: size.shift - 3)
  }

  /// What is assumed when neither a live host nor the log's reports name the kernel.
  static let unknownKernelInLog =
    "the kernel release is unknown (no live host, and no report in the log names it); compaction is judged by the "
    + "4.8+ rule (orders above 3 compact when the fragmentation index is above extfrag_threshold), the newest kernel's"

  /// What is assumed without a kernel release.
  static let unknownKernel =
    "the kernel release is unknown (no proc/sys/kernel/osrelease); compaction is judged by the 4.8+ rule (orders "
    + "above 3 compact when the fragmentation index is above extfrag_threshold), the newest kernel's"

  /// The orders asked for, else those that failed or invoked the OOM killer in the log, else 64 KiB blocks (the atomic
  /// allocations of network drivers; order 4 with 4 KiB pages) and huge pages (order 9); with the
  /// orders a profile's actions protect; within the host's orders, sorted.
  static func ordersOfInterest(
    _ requested: [Int], failures: [FailureSummary], oomOrders: [Int] = [], protected: [Int] = [], pages: PageGeometry
  ) -> [Int] {
    var orders = requested
    if orders.isEmpty { orders = (failures.map(\.order) + oomOrders).filter { $0 > 0 } }
    if orders.isEmpty { orders = [pages.order(ofBytes: 65536), pages.hugePageOrder].filter { $0 > 0 } }
    return Array(Set((orders + protected).filter(pages.has(order:)))).sorted()
  }

  /// The orders the conditions of a profile's actions protect, sorted.
  static func profileOrders(_ profile: Profile?) -> [Int] {
    Array(Set(profile?.actions.flatMap(\.conditions).map(\.order) ?? [])).sorted()
  }

  /// Each action of `profile`, forecast on `snapshot` as `plan` forecasts it.
  static func forecast(_ profile: Profile, orders: [Int], on snapshot: HostSnapshot) -> ProfileDiagnosis {
    ProfileDiagnosis(
      name: profile.name, orders: orders,
      actions: profile.actions.map { a in
        let f = ActionForecast.forecast(a, on: snapshot)
        return ProfileActionForecast(kind: a.kind, action: f.action, now: f.now, wouldRun: f.wouldRun)
      })
  }

  // MARK: Unusable free memory

  /// Zones, and on hosts with several nodes each node's zones summed (where it has more than one),
  /// where more than half of the free memory is unusable at an order of interest above 0
  /// (``UnusableShare``), strongest first.
  /// Left out: the ISA DMA zone where its node has others (as `per: node` and `per: zone`
  /// conditions leave it out), zones short of memory rather than fragmented (compaction_suitable()
  /// says reclaim, or free memory is not above the low watermark plus compaction's gap of
  /// 2 × the order's block), and places with less than that gap unusable.
  /// A zone of a logged state measures its blocks with that host's pages (`states`).
  static func unusableShares(
    _ zones: [ZoneDiagnosis], threshold: Int = 500, pages: PageGeometry, states: [MemoryState] = []
  ) -> [UnusableShare] {
    var shares: [UnusableShare] = []
    for z in zones.filter(isCounted(in: zones)) {
      for o in z.orders where !isShort(o, z, threshold: threshold) {
        if let s = share(
          node: z.node, zone: z.zone, source: z.source, counts: z.freeBlocks, order: o.order,
          pages: states.first { $0.source == z.source }?.pages ?? pages)
        {
          shares.append(s)
        }
      }
    }
    let live = nodeCounts(zones)
    // On one node the node is its zones; a node with one counted zone would repeat that zone.
    for (node, counts, members) in live where live.count > 1 && members.count > 1 {
      for order in Set(members.flatMap { $0.orders.map(\.order) }).sorted() {
        let short = members.allSatisfy { z in
          z.orders.first { $0.order == order }.map { isShort($0, z, threshold: threshold) } ?? true
        }
        if !short, let s = share(node: node, zone: nil, source: "buddyinfo", counts: counts, order: order, pages: pages)
        {
          shares.append(s)
        }
      }
    }
    return shares.sorted {
      ($0.unusable, $0.order, -$0.node, $0.zone == nil ? 0 : 1) > (
        $1.unusable, $1.order, -$1.node, $1.zone == nil ? 0 : 1
      )
    }
  }

  /// A finding for `counts` at `order`, when more than half of the free memory is unusable and at
  /// least compaction's gap of it.
  static func share(
    node: Int, zone: String?, source: String, counts: [UInt64], order: Int, pages: PageGeometry
  ) -> UnusableShare? {
    let info = Fragmentation.contigInfo(counts, order: order)
    let unusable = Fragmentation.unusableIndex(counts, order: order)
    let unusablePages = info.freePages - (info.freeBlocksSuitable << UInt64(order))
    guard order > 0, info.freePages > 0, unusable > UnusableShare.findingAbove,
      unusablePages >= UInt64(2) << UInt64(order)
    else { return nil }
    return UnusableShare(
      node: node, zone: zone, source: source, order: order, blockBytes: pages.blockBytes(order: order),
      unusable: unusable,
      suitableBlocks: info.freeBlocksSuitable, freePages: info.freePages, strong: unusable > UnusableShare.strongAbove)
  }

  /// Whether free memory in `z` is short at `o` (reclaim helps, not compaction): compaction_suitable()
  /// says reclaim; or, with a block free, free memory is not above low plus compaction's gap; or,
  /// without watermarks, no block is free and the fragmentation index of a costly order is at or
  /// below `threshold` (docs/KERNEL.md, Compaction suitability).
  static func isShort(_ o: OrderDiagnosis, _ z: ZoneDiagnosis, threshold: Int) -> Bool {
    switch o.decision {
    case .reclaimTooLittleFree?, .reclaimShortOfMemory?: return true
    case .alreadyAvailable?:
      guard let low = z.watermarks?.low else { return false }
      return z.freePages <= low + (UInt64(2) << UInt64(o.order))
    case .compact?: return false
    case nil: return o.order > Compaction.costlyOrder && (0...threshold).contains(o.fragmentationIndex)
    }
  }

  /// Whether a zone counts for findings: not the 16 MiB ISA DMA zone of a node that has others.
  static func isCounted(in zones: [ZoneDiagnosis]) -> (ZoneDiagnosis) -> Bool {
    let withOthers = Set(zones.filter { $0.zone != "DMA" }.map { "\($0.node) \($0.source)" })
    return { !($0.zone == "DMA" && withOthers.contains("\($0.node) \($0.source)")) }
  }

  /// Each node's free blocks by order, summed over its counted buddyinfo zones (as `per: node`
  /// conditions sum them), with those zones; empty offline.
  static func nodeCounts(_ zones: [ZoneDiagnosis]) -> [(node: Int, counts: [UInt64], zones: [ZoneDiagnosis])] {
    let live = zones.filter { $0.source == "buddyinfo" }
    return Dictionary(grouping: live.filter(isCounted(in: live)), by: \.node).sorted { $0.key < $1.key }.map {
      node, members in
      let width = members.map(\.freeBlocks.count).max() ?? 0
      let sum = (0..<width).map { o in
        members.reduce(UInt64(0)) { $0 + (o < $1.freeBlocks.count ? $1.freeBlocks[o] : 0) }
      }
      return (node, sum, members)
    }
  }

  /// A diagnosis per /proc/buddyinfo zone, each failure in the log counted in the zones it could
  /// use (``ZoneAttribution``).
  static func liveZones(_ snapshot: HostSnapshot, _ scope: Scope) -> [ZoneDiagnosis] {
    let zoneStats = snapshot.zoneInfo?.zones ?? []
    return (snapshot.buddyInfo ?? []).map { areas in
      let stats = zoneStats.first { $0.node == areas.node && $0.name == areas.zone }
      return zone(areas, stats: stats, source: "buddyinfo", claims: scope.claims, scope)
    }
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

  static func zone(
    _ areas: FreeAreas, stats: ZoneStats?, source: String, claims: [ZoneAttribution.Claim: Int], _ scope: Scope
  ) -> ZoneDiagnosis {
    let marks = stats?.unboosted
    let free = stats?.free ?? areas.freePages
    return ZoneDiagnosis(
      node: areas.node, zone: areas.zone, source: source, managed: stats?.managedPages,
      freePages: free, watermarks: marks, boost: stats?.boost,
      headroomPages: marks.map { Int64(free) - Int64($0.low) }, freeBlocks: areas.counts,
      orders: scope.orders.map { o in
        var d = order(o, areas.counts, freePages: free, watermarks: marks, scope)
        d.failuresInLog = ZoneAttribution.count(claims, order: o, node: areas.node, zone: areas.zone)
        return d
      })
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
      failuresInLog: 0)
  }

  static func nodes(_ snapshot: HostSnapshot) -> [NodeDiagnosis] {
    guard let buddy = snapshot.buddyInfo, let info = snapshot.zoneInfo else { return [] }
    let proactiveness = snapshot.values["compaction_proactiveness"].flatMap { UInt64($0) }
    return Set(buddy.map(\.node)).sorted().map { node in
      let pairs = info.zones.filter { $0.node == node }.map { z in
        (freeBlocks: buddy.first { $0.node == node && $0.zone == z.name }?.counts ?? [], present: z.present)
      }
      let score = ProactiveCompaction.nodeScore(pairs, hugePageOrder: snapshot.hugePageOrder)
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
    for t in log.failureTallies where t.kind == .page {
      var s =
        byOrder[t.order]
        ?? FailureSummary(order: t.order, count: 0, processes: [], atomic: false, firstLine: t.firstLine)
      s.count += t.count
      s.firstLine = min(s.firstLine, t.firstLine)
      for p in t.processes where s.processes.count < KernelLog.maxProcesses && !s.processes.contains(p) {
        s.processes.append(p)
      }
      if isAtomic(flags: t.flags, mode: t.mode) { s.atomic = true }
      byOrder[t.order] = s
    }
    return byOrder.values.sorted { $0.order < $1.order }
  }

  /// GFP_ATOMIC by name (4.5+), or __GFP_HIGH without __GFP_WAIT in the old hex layout.
  static func isAtomic(flags: [String], mode: UInt64?) -> Bool {
    let oldAtomic = flags.isEmpty && (mode ?? 0) & 0x30 == 0x20
    return flags.contains("GFP_ATOMIC") || flags.contains("GFP_NOWAIT") || oldAtomic
  }
}

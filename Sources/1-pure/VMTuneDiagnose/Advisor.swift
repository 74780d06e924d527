import VMTuneHost
import VMTuneModel
import VMTunePlan
import VMTuneProfile

/// Advice from a diagnosis: each item names the numbers that call for it.
enum Advisor {
  /// One piece of advice, or nil when its numbers do not call for it.
  typealias Rule = @Sendable (Context) -> Advice?

  /// Every rule, in the order its advice is listed.
  static let rules: [Rule] = [
    compactRule, dropCachesRule, shortOfMemoryRule, failuresRule, oomRule, lowerMinFreeRule, raiseMinFreeRule,
    scaleFactorRule, ksmRule, zoneReclaimRule,
  ]

  /// Every rule's advice (stalls since boot only where no watermark advice already names them),
  /// the profile's actions that would run, each checked against the guards; "no action needed"
  /// only when nothing calls for any.
  static func advise(_ d: Diagnosis, snapshot: HostSnapshot) -> [Advice] {
    let context = Context(d, snapshot: snapshot)
    var advice = rules.compactMap { $0(context) }
    if !advice.contains(where: { [.raiseMinFree, .scaleFactor].contains($0.kind) }), let s = stallsRule(context) {
      advice.append(s)
    }
    advice += profileActions(context, covered: Set(advice.map(\.kind.rawValue)))
    return advice.isEmpty ? [nothingToDo(context)] : advice.map { checkedAgainstGuards($0, on: snapshot) }
  }

  /// The `--profile` actions that would run now where no rule advises the same (the rules that do
  /// name the profile's action in their evidence).
  static func profileActions(_ c: Context, covered: Set<String>) -> [Advice] {
    (c.diagnosis.profile?.actions ?? []).filter { $0.wouldRun == true && !covered.contains($0.kind.rawValue) }.map {
      Advice(
        kind: .profileAction,
        title: "The profile's \($0.kind.rawValue) action would run now",
        evidence: "\($0.action); \($0.now)", commands: [], profile: [])
    }
  }

  // MARK: Fragmented or short of memory

  /// Free memory is fragmented, not short: compact. Fires on the fragmentation index (no block of
  /// an order of interest left, index above extfrag_threshold) or on the unusable free space index
  /// (more than half of free memory in blocks too small for the order, though some blocks are
  /// left: the fragmentation index is then −1000 and cannot see it). Per node when only one node
  /// of several is hit.
  static func compactRule(_ c: Context) -> Advice? {
    let worst = c.fragmented.max { $0.order.fragmentationIndex < $1.order.fragmentationIndex }
    guard worst != nil || !c.unusable.isEmpty else { return nil }
    let nodes = Set(c.fragmented.map(\.zone.node) + c.unusable.map(\.node)).sorted()
    let compact =
      nodes.count == 1 && c.diagnosis.host.numaNodes > 1
      ? "echo 1 > /sys/devices/system/node/node\(nodes[0])/compact"
      : "echo 1 > /proc/sys/vm/compact_memory"
    let orders = Set(c.fragmented.map(\.order.order) + c.unusable.map(\.order)).sorted()
    let check =
      "cat /proc/buddyinfo    # order-\(worst?.order.order ?? c.unusable[0].order) and higher columns should grow"
    var advice: Advice
    if let (z, o) = worst {
      let zonesText = Set(c.fragmented.map { "node \($0.zone.node) \($0.zone.zone)" }).sorted().joined(separator: ", ")
      let freeKB = c.diagnosis.pages.pageSize.kilobytes(z.freePages)
      var evidence = "node \(z.node) \(z.zone): \(z.freePages) free pages (\(humanKB(freeKB)))"
      evidence += " but \(o.suitableBlocks) blocks of order \(o.order); fragmentation index \(o.fragmentationIndex)"
      evidence += " > extfrag_threshold \(c.threshold), unusable index \(o.unusableIndex)/1000"
      if o.failuresInLog > 0 { evidence += "; \(o.failuresInLog) order-\(o.order) allocation failure(s) in the log" }
      advice = Advice(
        kind: .compact, title: "Compact memory: free memory is fragmented, not short (\(zonesText))",
        evidence: evidence, commands: [compact, check], profile: compactProfile(c, orders: orders))
    } else {
      let top = c.unusable[0]
      advice = Advice(
        kind: .compact, title: (top.strong ? "Compact memory: " : "Consider compacting memory: ") + top.text,
        evidence: unusableEvidence(c), commands: [compact, check], profile: compactProfile(c, orders: orders))
    }
    if let note = c.profileNote(.compact) { advice.evidence += "; " + note }
    return advice
  }

  /// Why a high unusable share calls for compaction though blocks of the order are free.
  static func unusableEvidence(_ c: Context) -> String {
    let top = c.unusable[0]
    let block = Bytes.text(top.blockBytes)
    var s = "\(top.place): \(top.freePages) free pages, of which order-\(top.order) blocks hold only "
    s += "\(top.suitableBlocks) × \(block); unusable index \(top.unusable)/1000 "
    s += top.strong ? "(above 800: strong)" : "(above 500: more than half)"
    s += ". The fragmentation index is −1000 while one such block is free, so the kernel's compaction_suitable() "
    s += "sees nothing to do until they run out: a request for more than \(top.suitableBlocks) of them "
    s += top.order >= 9 ? "(a VM start backed by huge pages) falls back or stalls" : "stalls in direct compaction"
    s += " (docs/KERNEL.md, Fragmentation indexes)"
    // Other orders and places, not the node that holds the top zone at the same order (or the reverse).
    let others = c.unusable.dropFirst().filter {
      !($0.order == top.order && $0.node == top.node && ($0.zone == nil || top.zone == nil))
    }.prefix(3)
    if !others.isEmpty { s += "; also " + others.map(\.text).joined(separator: "; ") }
    return s
  }

  /// A compact action on the unusable share of each order hit (any of them starts it); on 5.9+
  /// with compaction_proactiveness below 30, raising it too.
  static func compactProfile(_ c: Context, orders: [Int]) -> [String] {
    let conditions = orders.map { c.unusableCondition(order: $0) }
    let when =
      conditions.count == 1 ? ["    when: \(conditions[0])"] : ["    when:"] + conditions.map { "      - \($0)" }
    let profile = ["actions:", "  compact:"] + when + ["    min_interval: 10m"]
    guard let k = c.diagnosis.host.kernelRelease.flatMap({ KernelVersion(parsing: $0) }), k >= KernelVersion(5, 9),
      let p = c.snapshot.values["compaction_proactiveness"].flatMap({ Int($0) }), p < 30
    else { return profile }
    return ["sysctl:", "  compaction_proactiveness: 30"] + profile
  }

  /// Short of memory at an order that failed, with much clean page cache: drop it, then compact.
  static func dropCachesRule(_ c: Context) -> Advice? {
    guard let (z, o) = c.short.first, c.cacheIsReclaimable else { return nil }
    let cacheKB = c.pageCacheKB
    let note = c.profileNote(.dropCaches).map { "; " + $0 } ?? ""
    return Advice(
      kind: .dropCaches,
      title: "Drop clean page cache: node \(z.node) \(z.zone) is short of free memory for order \(o.order)",
      evidence: c.shortText(o)
        + "; page cache holds \(humanKB(cacheKB)) (\(cacheKB * 100 / c.memKB)% of RAM) that reclaim can free" + note,
      commands: ["sync", "echo 1 > /proc/sys/vm/drop_caches", "echo 1 > /proc/sys/vm/compact_memory"],
      profile: [
        "actions:", "  drop_caches:", "    what: pagecache", "    sync_first: true",
        "    when: { order: \(o.order), fragmentation_index_below: \(c.threshold), free_blocks_below: 64 }",
        "    min_interval: 6h",
      ])
  }

  /// Short of memory at an order that failed, with little page cache: the load must shrink.
  static func shortOfMemoryRule(_ c: Context) -> Advice? {
    guard let (z, o) = c.short.first, !c.cacheIsReclaimable else { return nil }
    return Advice(
      kind: .shortOfMemory,
      title: "Memory is genuinely short on node \(z.node) \(z.zone): reduce the load",
      evidence: "\(c.shortText(o)); little page cache to reclaim (\(humanKB(c.pageCacheKB)))",
      commands: ["grep -E 'MemFree|MemAvailable|Committed_AS' /proc/meminfo"],
      profile: [])
  }

  // MARK: Watermarks

  // 2. Watermarks: too high (the runaway reserve) or too low (direct reclaim, atomic failures).

  /// The reserve is above 5 % of RAM or the watermarks swallow a zone: back to the kernel's choice.
  static func lowerMinFreeRule(_ c: Context) -> Advice? {
    guard let minFree = c.minFree, c.minFreeTooHigh else { return nil }
    let target = suggestedDefault(c.snapshot)
    let zoneText = c.swallowing.first.map { z in
      "; node \(z.node) \(z.zone): high watermark \(z.watermarks?.high ?? 0) of \(z.managed ?? 0) managed pages, "
        + "\(z.freePages) free"
    }
    return Advice(
      kind: .lowerMinFree,
      title: "Lower min_free_kbytes from \(minFree) to \(target)",
      evidence: "min_free_kbytes reserves \(minFree * 100 / c.memKB)% of RAM\(zoneText ?? "")"
        + "; the watermarks swallow free memory and kswapd reclaims constantly (a 4 GB host given min_free_kbytes "
        + "3,000,000 went into constant reclaim). "
        + "\(target) kB is what the kernel itself would choose here.",
      commands: ["echo \(target) > /proc/sys/vm/min_free_kbytes"],
      profile: ["sysctl:", "  min_free_kbytes: \(target)"])
  }

  /// Direct reclaim or atomic failures: double the reserve (at least 0.5 %, at most 5 % of RAM).
  static func raiseMinFreeRule(_ c: Context) -> Advice? {
    guard let minFree = c.minFree, let evidence = c.directReclaim else { return nil }
    let target = min(max(minFree * 2, c.memKB / 200), c.memKB * 5 / 100)
    guard target > minFree else { return nil }
    return raise(
      .raiseMinFree, "min_free_kbytes", from: minFree, to: target, profileValue: "{ at_least: \(target) }",
      evidence: evidence.joined(separator: ", ")
        + "; a larger reserve (0.5% of RAM here, within the 5% guard) keeps kswapd ahead of allocations")
  }

  /// Direct reclaim or atomic failures with watermark_scale_factor below 100: wake kswapd earlier.
  static func scaleFactorRule(_ c: Context) -> Advice? {
    guard let evidence = c.directReclaim, let wsf = c.diagnosis.watermarkScaleFactor, wsf < 100 else { return nil }
    return raise(
      .scaleFactor, "watermark_scale_factor", from: Int64(wsf), to: 200, profileValue: "200",
      evidence: evidence.joined(separator: ", ")
        + "; kswapd wakes only \(wsf)/10000 of each zone above min, so allocations outrun it into direct reclaim")
  }

  /// Advice to raise one sysctl: the command now and the profile line that keeps it.
  static func raise(
    _ kind: Advice.Kind, _ key: String, from: Int64, to: Int64, profileValue: String, evidence: String
  ) -> Advice {
    Advice(
      kind: kind, title: "Raise \(key) from \(from) to \(to)", evidence: evidence,
      commands: ["echo \(to) > /proc/sys/vm/\(key)"], profile: ["sysctl:", "  \(key): \(profileValue)"])
  }

  // MARK: KSM and node reclaim

  // 3. KSM scatters order-0 pages (the 400 GB KVM host with order-4 atomic failures).
  static func ksmRule(_ c: Context) -> Advice? {
    guard let ksm = c.snapshot.ksm, ksm["run"] == 1, let sharing = ksm["pages_sharing"], sharing > 0,
      !c.fragmented.isEmpty || c.unusable.contains(where: \.strong)
    else { return nil }
    return Advice(
      kind: .ksm,
      title: "Check KSM: ksmd is merging \(sharing) pages while memory is fragmented",
      evidence: "each merge frees a page at a scattered address and splits huge pages, "
        + "feeding order-0 fragmentation (a 400 GB KVM host running ksmd ended with gigabytes free, all in "
        + "order-0 and order-1 blocks, and failed order-4 atomic allocations)",
      commands: [
        "cat /sys/kernel/mm/ksm/pages_sharing",
        "echo 2 > /sys/kernel/mm/ksm/run    # stop and unmerge, if the memory is affordable",
      ],
      profile: [])
  }

  // 4. Node reclaim on a NUMA host (vm.rst: file servers want 0).
  static func zoneReclaimRule(_ c: Context) -> Advice? {
    guard c.diagnosis.host.numaNodes > 1,
      let zrm = c.snapshot.values["zone_reclaim_mode"].flatMap({ Int($0) }), zrm != 0
    else { return nil }
    let bits = (zrm & 1 != 0 ? "reclaim " : "") + (zrm & 2 != 0 ? "write " : "") + (zrm & 4 != 0 ? "unmap" : "")
    return Advice(
      kind: .zoneReclaim,
      title: "zone_reclaim_mode is \(zrm): each node reclaims its own cache before using the other's free memory",
      evidence: "bits \(bits)on \(c.diagnosis.host.numaNodes) nodes; 0 suits file servers and most hosts: "
        + "node reclaim drops local page cache instead of using free memory on other nodes "
        + "(Documentation/admin-guide/sysctl/vm.rst)",
      commands: ["echo 0 > /proc/sys/vm/zone_reclaim_mode"],
      profile: ["sysctl:", "  zone_reclaim_mode: []"])
  }

  /// When no rule fires.
  static func nothingToDo(_ c: Context) -> Advice {
    let orders = c.diagnosis.ordersOfInterest.map(String.init).joined(separator: ", ")
    let log = c.diagnosis.logRead ? "in the log" : "in a log (none given: --log FILE)"
    var evidence = "no fragmentation above extfrag_threshold at orders \(orders), no zone with more than half of "
    evidence += "its free memory unusable at them, watermarks within bounds, no allocation failures or OOM kills \(log)"
    evidence += c.diagnosis.counters.isEmpty ? "" : ", no direct reclaim or compaction stalls since boot"
    if let k = c.diagnosis.counters["pgscan_kswapd"], k > 0 {
      evidence += " (kswapd scanned \(k) pages since boot: background reclaim, as designed)"
    }
    return Advice(kind: .none, title: "No action needed", evidence: evidence, commands: [], profile: [])
  }

  /// What the kernel would choose itself: the √ rule, raised to the THP recommendation.
  static func suggestedDefault(_ snapshot: HostSnapshot) -> Int64 {
    guard let info = snapshot.zoneInfo else { return 65536 }
    let user = info.zones.filter { ["DMA", "DMA32", "Normal"].contains($0.name) && $0.populated }
    let pages = user.reduce(UInt64(0)) { $0 &+ $1.managedPages }
    let lowmemKB = UInt64(clamping: snapshot.pageSize.kilobytes(pages))
    var target = MinFreeKbytes.kernelDefault(lowmemKB: lowmemKB)
    if let thp = PolicyChecks.thpRecommendedKB(snapshot) { target = max(target, thp) }
    return Int64(target)
  }
}

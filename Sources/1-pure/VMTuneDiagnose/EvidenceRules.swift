import VMTuneHost
import VMTunePlan
import VMTuneProfile

/// Advice from what has already happened: allocation failures and OOM kills in the log, stalls in
/// vmstat. They are findings even when memory looks healthy at the moment of reading.
extension Advisor {
  /// Allocation failures in the log at orders no other finding explains (fragmented, short of
  /// memory, unusable free memory), by order: when and who, and the compact action that keeps
  /// blocks of those orders free.
  static func failuresRule(_ c: Context) -> Advice? {
    let explained = Set(c.fragmented.map(\.order.order) + c.short.map(\.order.order) + c.unusable.map(\.order))
    let failures = c.diagnosis.failures.filter { !explained.contains($0.order) }
    guard !failures.isEmpty else { return nil }
    let pages = c.diagnosis.pages
    let total = failures.reduce(0) { $0 + $1.count }
    let plural = total == 1 ? "failure" : "failures"
    let title =
      failures.count == 1
      ? "\(total) order-\(failures[0].order) (\(Bytes.text(pages.blockBytes(order: failures[0].order)))) "
        + "allocation \(plural) in the log"
      : "\(total) allocation \(plural) at orders \(failures.map { String($0.order) }.joined(separator: ", ")) in the log"
    let evidence = failures.map { f in
      let who = f.processes.prefix(3).joined(separator: ", ") + (f.processes.count > 3 ? ", …" : "")
      var s = "order \(f.order): \(f.count) failure(s), first at line \(f.firstLine), by \(who)"
      if f.atomic { s += " (atomic: these may only use memory above the min watermark)" }
      return s
    }.joined(separator: "; ")
    let orders = failures.map(\.order).filter { $0 > 0 }
    let conditions = orders.map { "{ order: \($0), per: node, free_blocks_below: 1024 }" }
    let when =
      conditions.count == 1 ? ["    when: \(conditions[0])"] : ["    when:"] + conditions.map { "      - \($0)" }
    return Advice(
      kind: .allocationFailures, title: title,
      evidence: evidence + "; the kernel could not find a free block of that size when it was asked",
      commands: ["cat /proc/buddyinfo    # free blocks per order now"],
      profile: orders.isEmpty ? [] : ["actions:", "  compact:"] + when + ["    min_interval: 30s"],
      fits: orders.isEmpty ? nil : "kvm-host")
  }

  /// OOM kills in the log: memory and swap ran out; no vm setting creates memory.
  static func oomRule(_ c: Context) -> Advice? {
    let n = c.diagnosis.oomKills
    guard n > 0 else { return nil }
    let victims = c.diagnosis.oomVictims.prefix(5).joined(separator: ", ")
    var evidence = "the kernel killed \(n == 1 ? "a process" : "processes") because memory and swap ran out; "
    evidence += "vm settings cannot make memory: compare MemAvailable and Committed_AS with the load"
    if c.minFreeTooHigh { evidence += "; the reserve (min_free_kbytes) is too high and took part of it" }
    return Advice(
      kind: .oomKills, title: "\(n) OOM kill\(n == 1 ? "" : "s") in the log\(victims.isEmpty ? "" : " (\(victims))")",
      evidence: evidence,
      commands: ["grep -E 'MemAvailable|Committed_AS|SwapFree' /proc/meminfo"], profile: [])
  }

  /// Direct reclaim and compaction stalls since boot, where no watermark advice names them (the
  /// reserve is unknown or already high): when they happened needs two readings.
  static func stallsRule(_ c: Context) -> Advice? {
    let stalls = c.diagnosis.counters["allocstall"] ?? 0
    let compaction = c.diagnosis.counters["compact_stall"] ?? 0
    guard stalls > 0 || compaction > 0 else { return nil }
    var parts: [String] = []
    if stalls > 0 { parts.append("in direct reclaim \(stalls) times") }
    if compaction > 0 { parts.append("in compaction \(compaction) times") }
    var evidence = "allocstall \(stalls), compact_stall \(compaction)"
    if let k = c.diagnosis.counters["pgscan_kswapd"] { evidence += ", kswapd scanned \(k) pages" }
    evidence += " since boot; one reading cannot tell when: compare two (below), or let the agent's stalls_above "
    evidence += "condition measure them between its cycles. Waking kswapd earlier keeps allocations out of reclaim"
    let wsf = c.diagnosis.watermarkScaleFactor
    return Advice(
      kind: .reclaimStalls,
      title: "Allocations stalled \(parts.joined(separator: " and ")) since boot",
      evidence: evidence,
      commands: [
        "grep -E '^(allocstall|compact_stall|pgscan_kswapd)' /proc/vmstat; sleep 60; "
          + "grep -E '^(allocstall|compact_stall|pgscan_kswapd)' /proc/vmstat"
      ],
      profile: (wsf ?? 0) < 200 ? ["sysctl:", "  watermark_scale_factor: 200"] : [],
      fits: (wsf ?? 0) < 200 ? "kvm-host" : nil)
  }

  /// `advice` with its profile lines planned on `snapshot`: when apply would refuse them, its
  /// evidence says why (the lines stay, for a host where they fit).
  static func checkedAgainstGuards(_ advice: Advice, on snapshot: HostSnapshot) -> Advice {
    guard advice.profile.contains("sysctl:") else { return advice }
    var checked = advice
    let text = "apiVersion: vmtune/v1\nname: advice\n" + advice.profile.joined(separator: "\n") + "\n"
    do {
      let profile = try ProfileLoader(reader: MemoryProfileReader(["advice.yaml": text])).load(path: "advice.yaml")
      let plan = Planner.plan(profile, on: snapshot)
      if let refusal = plan.guardViolations.first {
        checked.evidence += "; apply would refuse these lines here: \(refusal.message)"
      } else if let blocked = plan.blocked.first {
        checked.evidence += "; this kernel would refuse these lines: \(blocked.reason ?? blocked.key)"
      }
    } catch {
      checked.evidence += "; (these lines do not load: \(error))"
    }
    return checked
  }
}

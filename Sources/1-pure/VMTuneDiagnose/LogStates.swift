import VMTuneHost
import VMTuneModel

/// The host states a diagnosis shows: this host now, and each Mem-Info report of the log (the
/// memory at a failure or OOM, on whichever host wrote the log), titled so they are never mixed.
extension Diagnoser {
  /// At most this many of the log's reports are shown, the most recent.
  public static let maxLoggedStates = 8
  /// At most this many OOM kills are listed, the first.
  public static let maxListed = 16

  /// This host's state (when it has buddyinfo) and the log's last reports, with their zones.
  static func statesAndZones(
    _ snapshot: HostSnapshot, log: KernelLog?, _ scope: Scope, pages: PageGeometry, live: Bool
  ) -> ([MemoryState], [ZoneDiagnosis]) {
    var states: [MemoryState] = []
    var zones = liveZones(snapshot, scope)
    if !zones.isEmpty {
      let name = snapshot.hostname.map { "This host (\($0)) now" } ?? "This host now"
      states.append(
        MemoryState(
          kind: .live, source: "buddyinfo", title: name + ": /proc/buddyinfo", host: snapshot.hostname, time: nil,
          cause: nil, pages: pages))
    }
    for report in log?.reports.suffix(maxLoggedStates) ?? [] {
      let source = "log line \(report.line)"
      var claims: [ZoneAttribution.Claim: Int] = [:]
      if let c = report.cause, c.kind == .allocationFailure, let order = c.order {
        claims[ZoneAttribution.Claim(order: order, zoneBits: c.mode.map { $0 & 0xF }, nodemask: c.nodemask)] = 1
      }
      states.append(
        MemoryState(
          kind: .logged, source: source, title: title(report), host: report.host ?? report.cause?.host,
          time: report.time, cause: report.cause, pages: geometry(report)))
      zones += report.buddyLines.map { zone($0.freeAreas, stats: nil, source: source, claims: claims, scope) }
    }
    return (states, zones)
  }

  /// `Host hv-07 at Apr 20 15:08:07 (log line 4), at the order-4 allocation failure of hv-worker
  /// (line 1), Linux 5.4.0-42-generic`.
  static func title(_ r: MemoryReport) -> String {
    var s = (r.host ?? r.cause?.host).map { "Host \($0)" } ?? "The log's host"
    if let time = r.time ?? r.cause?.time { s += " at \(time)" }
    s += " (log line \(r.line))"
    if let c = r.cause {
      switch c.kind {
      case .allocationFailure:
        s += ", at the order-\(c.order ?? 0) allocation failure" + (c.comm.isEmpty ? "" : " of \(c.comm)")
      case .oom:
        s += ", at the OOM kill invoked by \(c.comm)" + (c.order.map { " at order \($0)" } ?? "")
      }
      s += " (line \(c.line))"
      if let k = c.kernelRelease { s += ", Linux \(k)" }
    } else {
      s += ", a Mem-Info dump without a failure or OOM before it"
    }
    return s
  }

  /// The page geometry of the host that printed `report`: its smallest block is one page.
  static func geometry(_ report: MemoryReport) -> PageGeometry {
    let size = PageSize(bytes: report.pageKB * 1024, source: .log)
    let orders = report.buddyLines.map(\.counts.count).max() ?? 0
    return PageGeometry(pageSize: size, orderCount: max(orders, size.shift - 2), hugePageOrder: size.shift - 3)
  }

  /// Which host the log describes, against the live one; without one, why not (`noHost`).
  static func hostNote(_ snapshot: HostSnapshot, log: KernelLog?, live: Bool, noHost: String? = nil) -> String? {
    let hosts = log?.hosts ?? []
    let named = hosts.isEmpty ? "" : " on host\(hosts.count == 1 ? "" : "s") " + hosts.joined(separator: ", ")
    guard live else {
      return "No live host\(noHost.map { " (\($0))" } ?? ""): the memory states the log recorded\(named)."
    }
    guard let log, !log.reports.isEmpty || !log.failureTallies.isEmpty || log.oomKillCount > 0 else {
      return nil
    }
    guard !log.hosts.isEmpty, let me = snapshot.hostname else { return nil }
    if log.hosts == [me] { return "The log is from this host (\(me))." }
    return
      "The log is from host\(hosts.count == 1 ? "" : "s") \(hosts.joined(separator: ", ")), not this host (\(me)): "
      + "its memory states are shown apart."
  }

  /// What the advice rules judge: this host's zones when it has buddyinfo, else the log's.
  static func adviceView(_ d: Diagnosis) -> Diagnosis {
    guard d.zones.contains(where: { $0.source == "buddyinfo" }) else { return d }
    var view = d
    view.zones = d.zones.filter { $0.source == "buddyinfo" }
    view.unusable = d.unusable.filter { $0.source == "buddyinfo" }
    return view
  }
}

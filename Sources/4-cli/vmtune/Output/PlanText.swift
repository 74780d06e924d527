import VMTuneFrontend
import VMTuneHost
import VMTunePlan
import VMTuneProfile

/// Renders a plan for a terminal: one line per key, then warnings, actions and a summary.
struct PlanText {
  var terminal: Terminal

  func header(_ plan: Plan) -> String {
    let files = plan.files.joined(separator: " ← ")
    let h = plan.host
    var facts: [String] = []
    if let name = h.hostname { facts.append(name) }
    if let k = h.kernelRelease { facts.append("Linux \(k)") }
    facts.append("\(humanKB(h.memTotalKB)) RAM")
    facts.append("\(h.numaNodes) NUMA node\(h.numaNodes == 1 ? "" : "s")")
    facts.append("\(h.cpus) CPU\(h.cpus == 1 ? "" : "s")")
    return "Profile \(terminal.paint(plan.profile, .bold)) (\(files))\nHost    \(facts.joined(separator: ", "))\n"
  }

  func line(_ e: PlanEntry, width: Int) -> String {
    let key = pad(e.key, width)
    let want = "want \(e.target)\(e.knob.isUnchecked ? " (unchecked)" : "")"
    switch e.action {
    case .change where e.released:
      let arrow = "\(e.current?.description ?? "?") → \(e.desired?.description ?? "?")"
      var s = "  \(terminal.paint("-", .magenta)) \(key)  \(terminal.paint(arrow + " (released)", .magenta))"
      let why =
        e.location.file == "journal"
        ? "not in this profile: back to the host's \(e.target)"
        : "want \(e.target): the host's baseline (before vmtune) satisfies it, so it goes back"
      s += "\n      \(terminal.paint(why, .dim))"
      if let n = e.note { s += "\n      \(terminal.paint(n, .dim))" }
      return s
    case .change:
      let arrow = "\(e.current?.description ?? "?") → \(e.desired?.description ?? "?")"
      var s =
        "  \(terminal.paint("~", .yellow)) \(key)  \(terminal.paint(pad(arrow, 24), .yellow))  "
        + "\(terminal.paint(want, .dim))"
      if let n = e.note { s += "\n      \(terminal.paint(n, .dim))" }
      return s
    case .unchanged:
      return
        "  \(terminal.paint("=", .dim)) \(key)  \(pad(e.current?.description ?? "", 24))  "
        + "\(terminal.paint(want, .dim))"
    case .skipped:
      return "  \(terminal.paint("!", .cyan)) \(key)  \(terminal.paint("skipped: \(e.reason ?? "")", .cyan))"
    case .blocked:
      return
        "  \(terminal.paint("✗", .red)) \(key)  \(terminal.paint("blocked: \(e.reason ?? "") (\(e.location))", .red))"
    }
  }

  func render(_ plan: Plan, savedTo: String? = nil) -> String {
    var out = header(plan) + "\n"
    let width = max(24, plan.entries.map(\.key.count).max() ?? 0)
    for e in plan.entries { out += line(e, width: width) + "\n" }
    if plan.entries.isEmpty { out += "  (the profile sets no sysctls)\n" }
    if let zones = plan.watermarks?.filter({ $0.managed > 0 || $0.after != $0.now }), !zones.isEmpty {
      out += "\nWatermarks, pages (min / low / high; free and page-cache pages now, ~ estimated):\n"
      let width = zones.map { "Node \($0.node) \($0.zone)".count }.max() ?? 12
      for z in zones {
        let now = "\(z.now.min) / \(z.now.low) / \(z.now.high)"
        let next = "\(z.after.min) / \(z.after.low) / \(z.after.high)"
        let changed = z.now != z.after
        out +=
          "  \(pad("Node \(z.node) \(z.zone)", width))  \(pad(now, 26)) \(changed ? "→" : "=") "
          + "\(changed ? terminal.paint(pad(next, 26), .yellow) : pad(next, 26))  free \(pad("\(z.free)", 9)) "
          + "cache \(cacheText(z))\n"
      }
    }
    if !plan.warnings.isEmpty {
      out += "\n"
      for w in plan.warnings {
        let label = w.severity == .guardViolation ? terminal.paint("guard:", .red) : terminal.paint("warning:", .yellow)
        out += "\(label) \(w.message)\n"
      }
    }
    if !plan.actions.isEmpty {
      out += "\nActions (run by 'vmtune agent', never by apply):\n"
      for a in plan.actions {
        let now = a.wouldRun == true ? terminal.paint(a.now, .yellow) : terminal.paint(a.now, .dim)
        out += "  • \(a.action)\n      \(now)\n"
      }
    }
    let s = plan.summary
    var parts = ["\(s.change) to change", "\(s.unchanged) unchanged", "\(s.skipped) skipped"]
    if s.blocked > 0 { parts.append(terminal.paint("\(s.blocked) blocked", .red)) }
    out += "\nPlan: \(parts.joined(separator: ", ")).\n"
    if plan.wouldBeRefused {
      var why: [String] = []
      if s.blocked > 0 { why.append("\(s.blocked) blocked") }
      let guards = plan.guardViolations.count
      if guards > 0 { why.append("\(guards) guard\(guards == 1 ? "" : "s") (--force overrides)") }
      out += terminal.paint("apply would refuse this plan: \(why.joined(separator: ", "))", .red) + "\n"
    }
    if let savedTo {
      out += "Saved to \(savedTo); apply exactly this with: vmtune apply --plan \(savedTo)\n"
    }
    return out
  }

  /// A zone's page cache for the watermark table: exact from its counters, `~N` when shared out
  /// of meminfo, `?` when unknown.
  func cacheText(_ z: ZoneForecast) -> String {
    switch z.reclaimableSource {
    case .zoneCounters: return "\(z.reclaimable)"
    case .meminfoShare: return "~\(z.reclaimable)"
    case .unknown: return "?"
    }
  }
}

import VMTuneAgent
import VMTuneApply
import VMTuneCheck
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan

/// `vmtune status`: what vmtune did on this host and whether the host still matches it, from
/// the journals, the persist file, the agent's state and a fresh plan (`tuned-adm active` and
/// `verify` in one).
struct StatusReport: Encodable {
  /// The newest applied journal: the change in force.
  struct Applied: Encodable {
    var profile: String
    var generation: Int
    /// Epoch seconds, and as UTC text.
    var at: Int64
    var atText: String
    var command: String?
    var sources: [String]?
    var kernelRelease: String?
  }

  struct Journals: Encodable {
    var directory: String
    var generations: Int
    var newest: Int?
    var corrupt: [CorruptJournal]
    /// Records that hold several generations folded by history compaction (`2…8`).
    var folded: [String]
  }

  struct Persist: Encodable {
    var path: String
    var exists: Bool
    /// The file holds what an apply --persist of the applied profile would write now.
    var matches: Bool?
  }

  struct Agent: Encodable {
    var lastCycle: AgentState.Cycle?
    var lastCycleText: String?
    var actions: [String: ActionRecord]
    var standDown: StandDown?
  }

  struct Drift: Encodable {
    var inSync: Bool
    var changes: [String]
    var check: CheckReport?
    var error: String?
  }

  var formatVersion = 1
  /// `applied`, `off` (vmtune off released everything), `none` (no applied journal).
  var state: String
  var applied: Applied?
  var managedKeys: [String]
  var journals: Journals
  var persist: Persist?
  var agent: Agent
  var drift: Drift?

  /// Gathers the status under `frontend`'s root; `timestamp` for the drift check.
  init(frontend: Frontend, timestamp: Int64) {
    let files = frontend.files
    let store = JournalStore(files: files)
    let scan = store.scan()
    let newest = scan.journals.last { $0.state == .applied }
    state = newest == nil ? "none" : newest?.command == "off" ? "off" : "applied"
    applied = newest.map {
      Applied(
        profile: $0.profile, generation: $0.generation, at: $0.createdAt, atText: UTC.text($0.createdAt),
        command: $0.command, sources: $0.sources, kernelRelease: $0.kernelRelease)
    }
    managedKeys = Journal.managed(scan.journals).managed.map(\.name)
    journals = Journals(
      directory: files.path(JournalStore.directory), generations: scan.journals.count + scan.corrupt.count,
      newest: store.generations().last, corrupt: scan.corrupt,
      folded: scan.journals.compactMap { j in j.through.map { "\(j.generation)…\($0)" } })
    let summary = AgentState.summary(files)
    agent = Agent(
      lastCycle: summary?.lastCycle, lastCycleText: summary?.lastCycle.map { UTC.text($0.at) },
      actions: summary?.actions ?? [:], standDown: StandDown.read(files))
    guard state == "applied", let newest else {
      if let owned = Applier.persistedFile(scan.journals) {
        persist = Persist(path: files.path(owned), exists: files.kind(owned) == .file, matches: nil)
      }
      return
    }
    var plan: Plan?
    do {
      let p = try frontend.plan(newest.sources ?? [newest.profile])
      plan = p
      let report = CheckReport(plan: p, timestamp: timestamp)
      drift = Drift(
        inSync: report.drifted == 0,
        changes: p.entries.filter { $0.action == .change || $0.action == .blocked }.map(\.key), check: report)
    } catch {
      drift = Drift(inSync: false, changes: [], check: nil, error: error.message)
    }
    if let owned = Applier.persistedFile(scan.journals) {
      let text = files.kind(owned) == .file ? try? files.readText(owned) : nil
      let matches = plan.map { Persistence.render($0).text == text }
      persist = Persist(path: files.path(owned), exists: text != nil, matches: text == nil ? false : matches)
    }
  }

  /// 0 in sync (or nothing applied), 2 drift, 1 when the applied profile cannot be planned.
  var exitStatus: Int32 {
    guard let drift else { return 0 }
    if drift.error != nil { return 1 }
    return drift.inSync ? 0 : 2
  }

  func text(_ t: Terminal) -> String {
    var out: [String] = []
    switch state {
    case "none": out.append("Profile   none: no applied journal under \(journals.directory)")
    case "off":
      out.append(
        "Profile   off: 'vmtune off' released every managed key at \(applied?.atText ?? "?") UTC "
          + "(generation \(applied?.generation ?? 0)); undo with 'vmtune rollback'")
    default:
      if let a = applied {
        out.append(
          "Profile   \(t.paint(a.profile, .bold)), applied \(a.atText) UTC by 'vmtune \(a.command ?? "apply")' "
            + "(journal generation \(a.generation))")
        if let s = a.sources, s.count > 0 { out.append("          from \(s.joined(separator: " + "))") }
      }
    }
    var j = "Journal   \(journals.generations) generation(s) in \(journals.directory)"
    if let n = journals.newest { j += ", newest \(n)" }
    if !journals.folded.isEmpty { j += "; folded: \(journals.folded.joined(separator: ", "))" }
    out.append(j)
    for c in journals.corrupt { out.append("          \(t.paint("corrupt", .red)) \(c.generation): \(c.reason)") }
    out.append("Managed   \(managedKeys.isEmpty ? "no keys" : managedKeys.joined(separator: ", "))")
    if let p = persist {
      let verdict =
        !p.exists
        ? t.paint("missing", .red)
        : p.matches == false ? t.paint("differs from the profile (apply --persist rewrites it)", .yellow) : "matches"
      out.append("Persist   \(p.path): \(verdict)")
    } else {
      out.append("Persist   none (apply --persist writes /etc/sysctl.d/90-vmtune.conf)")
    }
    if let c = agent.lastCycle {
      out.append(
        "Agent     last cycle \(agent.lastCycleText ?? "?") UTC, \(c.failed ? t.paint("failed", .red) : "ok")"
          + (c.enforcing ? "" : ", not enforcing"))
    } else {
      out.append("Agent     no cycle recorded")
    }
    for (name, r) in agent.actions.sorted(by: { $0.key < $1.key }) {
      var s = "          \(name): last run \(r.lastRun.map { UTC.text($0) + " UTC" } ?? "never")"
      if let e = r.lastEffect { s += ", \(e)" }
      if r.futileRuns > 0 { s += ", \(r.futileRuns) futile run(s)" }
      if let h = r.heldOffUntil { s += ", held off until \(UTC.text(h)) UTC" }
      out.append(s)
    }
    if let m = agent.standDown {
      let by = "'vmtune \(m.command ?? "rollback")'"
      out.append(
        "          \(t.paint("standing down", .yellow)) since \(UTC.text(m.at)) UTC (\(by)); "
          + "enforcement resumes after the next 'vmtune apply'")
    }
    if let d = drift {
      if let e = d.error {
        out.append("Drift     \(t.paint("cannot plan: \(e)", .red))")
      } else if d.inSync {
        out.append("Drift     \(t.paint("in sync", .green))")
      } else {
        out.append("Drift     \(t.paint("\(d.changes.count) key(s) differ", .red)) (vmtune apply puts them back):")
        for k in d.check?.keys ?? [] where k.status == "drift" {
          out.append("  \(t.paint("✗", .red)) \(pad(k.key, 24))  \(k.message ?? "")")
        }
      }
    }
    return out.joined(separator: "\n") + "\n"
  }
}

import FoundationEssentials
import VMTuneApply
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// One log line (journald reads the `<N>` priority prefix the CLI adds).
public struct AgentLine: Sendable, Hashable, CustomStringConvertible {
  public enum Level: Int, Sendable, Hashable {
    case error = 3
    case warning = 4
    case notice = 5
    case info = 6
  }
  public var level: Level
  public var message: String
  public var description: String { message }

  public init(level: Level, message: String) {
    self.level = level
    self.message = message
  }
}

/// The agent: each cycle it enforces the profile's sysctls (logging drift) and runs the
/// profile's actions when their schedule or condition says so, within their rate limits.
///
/// Schedules: `every: E` first runs at start + jitter (or E after the last run recorded in
/// `<root>/var/lib/vmtune/agent-state.json`, whichever is later), then every E. A `when:`
/// condition alone is checked every cycle; with `every:` it is checked at the scheduled times
/// and gates the run.
/// `min_interval` bounds how often an action runs, whatever fires it. A failed action is logged
/// and retried after a backoff (1 min, doubling, at most 1 h) without stopping the loop.
public final class Agent {
  public private(set) var profile: Profile
  public let files: HostFiles
  let store: any SysctlAccess
  let executor: any ActionExecutor
  let clock: any AgentClock
  let jitter: Jitter
  /// Apply drifted sysctls back (false: only log drift).
  public var enforce: Bool
  private var states: [Action.Kind: ActionState] = [:]
  private var lastSeen: [String: String] = [:]
  public private(set) var cycles = 0

  struct ActionState {
    var nextDue: Int64?
    var lastRun: Int64?
    var retryAt: Int64?
    var failures = 0
  }

  public init(
    profile: Profile, files: HostFiles, store: (any SysctlAccess)? = nil, executor: any ActionExecutor,
    clock: any AgentClock, jitter: Jitter, enforce: Bool = true
  ) {
    self.profile = profile
    self.files = files
    self.store = store ?? SysctlStore(files: files)
    self.executor = executor
    self.clock = clock
    self.jitter = jitter
    self.enforce = enforce
    for (kind, last) in AgentState.load(files) { states[kind, default: ActionState()].lastRun = last }
    schedule(from: clock.now())
  }

  /// Swaps in a reloaded profile (SIGHUP); schedules restart from now, run history is kept.
  public func replace(profile: Profile) {
    self.profile = profile
    schedule(from: clock.now())
  }

  private func schedule(from now: Int64) {
    var next: [Action.Kind: ActionState] = [:]
    for a in profile.actions {
      var s = states[a.kind] ?? ActionState()
      s.nextDue = a.everySeconds.map { every in
        max(now + jitter.offset(a.jitterSeconds ?? 0, salt: a.kind.rawValue), (s.lastRun ?? Int64.min / 2) + every)
      }
      next[a.kind] = s
    }
    states = next
  }

  /// When the action is next due by schedule (nil: condition-only).
  public func nextDue(_ kind: Action.Kind) -> Int64? { states[kind]?.nextDue }

  /// One evaluation: returns the lines to log.
  public func cycle() -> [AgentLine] {
    cycles += 1
    let now = clock.now()
    let snapshot: HostSnapshot
    do {
      snapshot = try Frontend(checked: files).readHost(keys: Planner.keysRead(by: profile), tables: tablesNeeded)
    } catch {
      return [AgentLine(level: .error, message: error.message)]
    }
    var log = enforceSysctls(snapshot)
    for action in profile.actions {
      log += consider(action, snapshot: snapshot, now: now)
    }
    return log
  }

  /// The /proc tables one cycle reads, once: buddyinfo for conditions, zoneinfo for headroom, and
  /// what a plan's guards look at (zone watermarks, THP) when drift may be enforced.
  var tablesNeeded: HostSnapshot.Tables {
    var tables: HostSnapshot.Tables = []
    let conditions = profile.actions.compactMap(\.condition)
    if !conditions.isEmpty { tables.insert(.buddyinfo) }
    if conditions.contains(where: { $0.headroomBelowPercent != nil }) { tables.insert(.zoneinfo) }
    if enforce, !profile.settings.isEmpty { tables.formUnion(Planner.tablesRead) }
    return tables
  }

  /// Plans once on the cycle's snapshot, logs drift (and who changed a key: vmtune or someone
  /// else) and applies the plan back through the journaled applier, which re-checks the observed
  /// values under its lock before writing.
  private func enforceSysctls(_ snapshot: HostSnapshot) -> [AgentLine] {
    var log: [AgentLine] = []
    let plan = Planner.plan(profile, on: snapshot)
    for e in plan.changes {
      let live = e.current?.description ?? "?"
      let wants = "profile \(profile.name) wants \(e.target)"
      if let seen = lastSeen[e.key], seen != live {
        log.append(
          AgentLine(
            level: .warning, message: "drift: \(e.key) changed outside vmtune from \(seen) to \(live); \(wants)"))
      } else {
        log.append(AgentLine(level: .notice, message: "drift: \(e.key) is \(live); \(wants)"))
      }
    }
    for e in plan.entries where e.action != .skipped {
      if let v = e.current { lastSeen[e.key] = v.description }
    }
    guard enforce, !plan.changes.isEmpty else { return log }
    do {
      let report = try Applier(files: files, store: store).apply(plan)
      let generation = report.generation.map(String.init) ?? "-"
      for w in report.writes {
        log.append(AgentLine(level: .notice, message: "enforced \(w.key): \(w.from) → \(w.to) (journal \(generation))"))
        lastSeen[w.key] = w.to.description
      }
      // The kernel zeroes an exclusive partner when its pair is written.
      for e in plan.changes { if let partner = e.knob.partner { lastSeen[partner.name] = "0" } }
    } catch {
      log.append(AgentLine(level: .error, message: "enforcing \(profile.name) failed: \(error)"))
    }
    return log
  }

  private func consider(_ action: Action, snapshot: HostSnapshot, now: Int64) -> [AgentLine] {
    var s = states[action.kind] ?? ActionState()
    defer { states[action.kind] = s }
    let name = action.kind.rawValue
    if let retry = s.retryAt, now < retry { return [] }
    var scheduled = false
    if let due = s.nextDue {
      guard now >= due else { return [] }
      scheduled = true
      // Next slot on the grid, skipping slots missed while the host slept.
      let every = action.everySeconds ?? 1
      s.nextDue = due + ((now - due) / every + 1) * every
    }
    var evidence: Evidence?
    if let t = action.condition {
      evidence = ConditionEvaluator.evaluate(t, buddy: snapshot.buddyInfo ?? [], zones: snapshot.zoneInfo)
      guard evidence != nil else {
        return scheduled ? [AgentLine(level: .info, message: "\(name): scheduled check, condition not met")] : []
      }
    }
    if let min = action.minIntervalSeconds, let last = s.lastRun, now - last < min {
      return [
        AgentLine(
          level: .info, message: "\(name): due but rate-limited (last run \(now - last)s ago, min_interval \(min)s)")
      ]
    }
    let period = Interval(seconds: action.everySeconds ?? 0)
    let why = evidence.map { "condition met: \($0)" } ?? "scheduled every \(period)"
    do {
      let effect = try executor.run(action, order: action.condition?.order ?? 4)
      s.lastRun = now
      s.failures = 0
      s.retryAt = nil
      var lines = [AgentLine(level: .notice, message: "\(name) ran (\(why)); \(effect)")]
      var runs = states.compactMapValues(\.lastRun)
      runs[action.kind] = now
      if let problem = AgentState.save(runs, files) { lines.append(AgentLine(level: .warning, message: problem)) }
      return lines
    } catch {
      s.failures += 1
      let backoff = min(Int64(60) << Int64(min(s.failures - 1, 6)), 3600)
      s.retryAt = now + backoff
      return [AgentLine(level: .error, message: "\(name) failed (\(why)): \(error); retrying in \(backoff)s")]
    }
  }
}

/// Last run of each action, kept across restarts and `--once` runs.
enum AgentState {
  static let path = "var/lib/vmtune/agent-state.json"

  static func load(_ files: HostFiles) -> [Action.Kind: Int64] {
    guard let bytes = try? files.read(path),
      let decoded = try? JSONDecoder().decode([String: Int64].self, from: Data(bytes))
    else { return [:] }
    var out: [Action.Kind: Int64] = [:]
    for (k, v) in decoded { if let kind = Action.Kind(rawValue: k) { out[kind] = v } }
    return out
  }

  /// Nil on success, else a message for the log.
  static func save(_ runs: [Action.Kind: Int64], _ files: HostFiles) -> String? {
    var plain: [String: Int64] = [:]
    for (k, v) in runs { plain[k.rawValue] = v }
    do {
      try files.secureStateDirectory("var/lib/vmtune")
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      try files.writeAtomically(path, Array(try encoder.encode(plain)), mode: 0o600)
      return nil
    } catch {
      return "cannot save \(files.path(path)): \(error); schedules restart from now after a restart"
    }
  }
}

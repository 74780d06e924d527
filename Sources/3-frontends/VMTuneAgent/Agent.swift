import FoundationEssentials
import VMTuneApply
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTuneModel
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
/// `<root>/var/lib/vmtune/agent-state.json`, whichever is later), then every E. `when:`
/// conditions are evaluated every cycle; with both, either starts the action. `min_interval`
/// bounds how often it runs, whatever starts it. A run whose measured effect is nil (compaction
/// that freed no block of the order, a cache drop that freed nothing) is logged as futile and
/// holds the action off, doubling each time (2 × min_interval or 1 min, at most 1 h), until then or
/// until free memory changes by a tenth. A failed action is logged and retried after a backoff
/// (1 min, doubling, at most 1 h) without stopping the loop.
///
/// Times are wall-clock epoch seconds (so history holds across runs), but the time between two
/// cycles is measured on the monotonic clock: when the wall clock is stepped, every pending time is
/// moved by the step (and saved), so what was due in 5 minutes is still due in 5 minutes. A run
/// recorded in the future when the agent starts (the clock was set back between runs) is moved to
/// now. Both are logged.
public final class Agent {
  public private(set) var profile: Profile
  public let files: HostFiles
  let store: any SysctlAccess
  let executor: any ActionExecutor
  /// The clocks, read through the watch that notices wall-clock steps.
  private var watch: ClockWatch
  let jitter: Jitter
  /// Apply drifted sysctls back (false: only log drift).
  public var enforce: Bool
  private var states: [Action.Kind: ActionState] = [:]
  private var lastSeen: [String: String] = [:]
  /// The rollback's stand-down marker seen last cycle (nil: enforcing).
  private var standingDown: StandDown?
  /// The previous cycle's counters, for conditions about stalls and kswapd.
  private var previousVMStat: VMStat?
  public private(set) var cycles = 0
  /// Whether the last cycle failed: it logged an error (the host could not be read, enforcing
  /// the profile failed, or an action failed). `vmtune agent --once` exits 1 then.
  public private(set) var lastCycleFailed = false
  /// The last cycle, as saved for `vmtune status`; saved at most once a minute unless it failed.
  private var lastCycle: AgentState.Cycle?
  private var cycleSavedAt: Int64?
  /// Lines for the next cycle's log, from work done outside a cycle (start, reload).
  private var pending: [AgentLine] = []
  /// Keys an earlier apply manages that the profile does not set are released to their baseline
  /// once, on the first enforcing cycle after a start or reload, as `vmtune apply PROFILE` would.
  private var releasePending = true

  struct ActionState {
    var nextDue: Int64?
    var record = ActionRecord()
    var retryAt: Int64?
    var failures = 0
    /// What the action is waiting for, so a wait is logged when it starts, not every cycle.
    var lastWait: Wait?
  }

  /// Why a due action waits.
  enum Wait: Equatable {
    case rateLimited, heldOff
  }

  /// What the agent remembers about an action (for status and tests).
  public func record(_ kind: Action.Kind) -> ActionRecord? { states[kind]?.record }

  public init(
    profile: Profile, files: HostFiles, store: (any SysctlAccess)? = nil, executor: any ActionExecutor,
    clock: any AgentClock, jitter: Jitter, enforce: Bool = true
  ) {
    self.profile = profile
    self.files = files
    self.store = store ?? SysctlStore(files: files)
    self.executor = executor
    self.watch = ClockWatch(clock: clock)
    self.jitter = jitter
    self.enforce = enforce
    let now = watch.read().now
    for (kind, record) in AgentState.load(files) { states[kind, default: ActionState()].record = record }
    clampFutureRuns(now: now)
    schedule(from: now)
  }

  /// Swaps in a reloaded profile (SIGHUP); schedules restart from now, run history is kept.
  public func replace(profile: Profile) {
    self.profile = profile
    releasePending = true
    schedule(from: readClock(log: &pending))
  }

  /// The wall clock now; a step since the last reading moves every pending time with it (logged).
  private func readClock(log: inout [AgentLine]) -> Int64 {
    let (now, step) = watch.read()
    guard step != 0 else { return now }
    log.append(ClockWatch.stepLine(step))
    for kind in Array(states.keys) {
      states[kind]?.nextDue?.shift(by: step)
      states[kind]?.retryAt?.shift(by: step)
      states[kind]?.record.lastRun?.shift(by: step)
      states[kind]?.record.heldOffUntil?.shift(by: step)
    }
    saveRecords(log: &log)
    return now
  }

  /// A last run recorded after `now` (the wall clock was set back since it ran) is moved to now,
  /// with its hold-off, so the action is not suspended until the clock catches up.
  private func clampFutureRuns(now: Int64) {
    var clamped = false
    for kind in states.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
      guard let last = states[kind]?.record.lastRun, last - now > ClockWatch.tolerance else { continue }
      states[kind]?.record.lastRun = now
      states[kind]?.record.heldOffUntil?.shift(by: now - last)
      clamped = true
      pending.append(
        AgentLine(
          level: .warning,
          message: "\(kind.rawValue): its last run is recorded \(Interval(seconds: last - now)) in the future "
            + "(the wall clock was set back); counting its schedule and min_interval from now"))
    }
    if clamped { saveRecords(log: &pending) }
  }

  /// Saves every action's record; a failure is logged.
  private func saveRecords(log: inout [AgentLine]) {
    let records = states.mapValues(\.record)
    guard records.values.contains(where: { $0.lastRun != nil }) else { return }
    if let problem = AgentState.save(records, files, cycle: lastCycle) {
      log.append(AgentLine(level: .warning, message: problem))
    }
  }

  /// Notes the cycle for `vmtune status`: saved when a minute has passed since the last save,
  /// or when the outcome changed, so a one-second interval does not write the state every second.
  private func recordCycle(_ now: Int64, log: inout [AgentLine]) {
    let changed = lastCycle?.failed != lastCycleFailed
    lastCycle = AgentState.Cycle(at: now, failed: lastCycleFailed, enforcing: enforce && standingDown == nil)
    if !changed, let saved = cycleSavedAt, now - saved < 60, now >= saved { return }
    cycleSavedAt = now
    if let problem = AgentState.save(states.mapValues(\.record), files, cycle: lastCycle) {
      log.append(AgentLine(level: .warning, message: problem))
    }
  }

  private func schedule(from now: Int64) {
    var next: [Action.Kind: ActionState] = [:]
    for a in profile.actions {
      var s = states[a.kind] ?? ActionState()
      s.nextDue = a.everySeconds.map { every in
        max(
          now + jitter.offset(a.jitterSeconds ?? 0, salt: a.kind.rawValue), (s.record.lastRun ?? Int64.min / 2) + every)
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
    var log = pending
    pending = []
    let now = readClock(log: &log)
    log += run(now: now)
    lastCycleFailed = log.contains { $0.level == .error }
    recordCycle(now, log: &log)
    return log
  }

  /// Reads the host, enforces the profile and considers each action.
  private func run(now: Int64) -> [AgentLine] {
    let snapshot: HostSnapshot
    let frontend = Frontend(checked: files)
    let managed = enforce && releasePending ? frontend.managedKeys() : ManagedKeys()
    do {
      snapshot = try frontend.readHost(keys: Planner.keysRead(by: profile, releasing: managed), tables: tablesNeeded)
    } catch {
      return [AgentLine(level: .error, message: error.message)]
    }
    var log = enforceSysctls(snapshot, managed: managed)
    var pressure: Pressure?
    if let before = previousVMStat, let after = snapshot.vmstat { pressure = Pressure(from: before, to: after) }
    previousVMStat = snapshot.vmstat ?? previousVMStat
    for action in profile.actions {
      log += consider(action, snapshot: snapshot, pressure: pressure, now: now)
    }
    return log
  }

  /// The /proc tables one cycle reads, once: buddyinfo for conditions, zoneinfo for headroom, and
  /// what a plan's guards look at (zone watermarks, THP) when drift may be enforced.
  var tablesNeeded: HostSnapshot.Tables {
    var tables: HostSnapshot.Tables = []
    let conditions = profile.actions.flatMap(\.conditions)
    // buddyinfo also measures each run's effect.
    if !profile.actions.isEmpty { tables.insert(.buddyinfo) }
    if conditions.contains(where: \.needsZoneInfo) { tables.insert(.zoneinfo) }
    if conditions.contains(where: \.needsVMStat) { tables.insert(.vmstat) }
    if enforce, !profile.settings.isEmpty { tables.formUnion(Planner.tablesRead) }
    return tables
  }

  /// Plans once on the cycle's snapshot, logs drift (and who changed a key: vmtune or someone
  /// else) and applies the plan back through the journaled applier, which re-checks the observed
  /// values under its lock before writing.
  private func enforceSysctls(_ snapshot: HostSnapshot, managed: ManagedKeys) -> [AgentLine] {
    var log: [AgentLine] = []
    let plan = Planner.plan(profile, on: snapshot, managed: managed)
    if let marker = StandDown.read(files) { return standDown(marker, plan) }
    if standingDown != nil {
      standingDown = nil
      log.append(AgentLine(level: .notice, message: "resuming enforcement: 'vmtune apply' ran since the rollback"))
    }
    for e in plan.changes {
      let live = e.current?.description ?? "?"
      if e.released {
        log.append(
          AgentLine(
            level: .notice,
            message: "release: \(e.key) is \(live), set by an earlier apply; profile \(profile.name) does not "
              + "manage it, so back to its baseline \(e.desired?.description ?? "?")"))
        continue
      }
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
    guard enforce, !plan.changes.isEmpty else {
      releasePending = false
      return log
    }
    do {
      let report = try Applier(files: files, store: store).apply(plan, options: ApplyOptions(enforcement: true))
      releasePending = false
      let generation = report.generation.map(String.init) ?? "-"
      for c in report.skipped {
        log.append(AgentLine(level: .warning, message: "skipped journal \(c.path): \(c.reason)"))
      }
      for w in report.writes {
        let what = w.released ? "released" : "enforced"
        log.append(AgentLine(level: .notice, message: "\(what) \(w.key): \(w.from) → \(w.to) (journal \(generation))"))
        lastSeen[w.key] = w.to.description
      }
      // The kernel zeroes an exclusive partner when its pair is written.
      for e in plan.changes { if let partner = e.knob.partner { lastSeen[partner.name] = "0" } }
    } catch {
      // A rollback between this cycle's look and the applier's lock.
      if case .standingDown(let marker) = error { return log + standDown(marker, plan) }
      log.append(AgentLine(level: .error, message: "enforcing \(profile.name) failed: \(error)"))
    }
    return log
  }

  /// While a rollback's marker exists: enforce nothing, say so once per marker, and keep track
  /// of live values, so that the values the rollback restored are not reported later as changed
  /// outside vmtune.
  private func standDown(_ marker: StandDown, _ plan: Plan) -> [AgentLine] {
    for e in plan.entries where e.action != .skipped {
      if let v = e.current { lastSeen[e.key] = v.description }
    }
    defer { standingDown = marker }
    guard standingDown != marker else { return [] }
    return [AgentLine(level: .notice, message: ApplyError.standingDown(marker).description)]
  }

  private func consider(_ action: Action, snapshot: HostSnapshot, pressure: Pressure?, now: Int64) -> [AgentLine] {
    var s = states[action.kind] ?? ActionState()
    defer { states[action.kind] = s }
    if let retry = s.retryAt, now < retry { return [] }
    let name = action.kind.rawValue
    var scheduled = false
    if let due = s.nextDue, now >= due {
      scheduled = true
      // Next slot on the grid, skipping slots missed while the host slept.
      let every = action.everySeconds ?? 1
      s.nextDue = due + ((now - due) / every + 1) * every
    }
    let evidence = ConditionEvaluator.evaluate(
      action.conditions, buddy: snapshot.buddyInfo ?? [], zones: snapshot.zoneInfo, pages: snapshot.pages,
      pressure: pressure)
    guard scheduled || evidence != nil else {
      s.lastWait = nil
      return []
    }
    if let (wait, why) = waitReason(action, s, snapshot: snapshot, now: now) {
      defer { s.lastWait = wait }
      return s.lastWait == wait ? [] : [AgentLine(level: .info, message: "\(name): due but \(why)")]
    }
    s.lastWait = nil
    let why =
      evidence.map { "condition met: \($0)" } ?? "scheduled every \(Interval(seconds: action.everySeconds ?? 0))"
    do {
      var target = action
      if action.nodesMatching, let e = evidence, e.zone == nil, !scheduled { target.nodes = [e.node] }
      let effect = try executor.run(target, order: action.condition?.order ?? 4)
      s.retryAt = nil
      s.failures = 0
      var lines = [AgentLine(level: .notice, message: "\(name) ran (\(why)); \(effect)")]
      lines += recordRun(action, effect, &s, now: now, memory: Self.measure(snapshot, order: effect.order))
      return lines
    } catch {
      s.failures += 1
      let backoff = min(Int64(60) << Int64(min(s.failures - 1, 6)), 3600)
      s.retryAt = now + backoff
      return [AgentLine(level: .error, message: "\(name) failed (\(why)): \(error); retrying in \(backoff)s")]
    }
  }

  /// Why a due action must wait: its min_interval, or the hold-off after a futile run (unless
  /// memory has changed since), with the text to log. Nil when it may run.
  private func waitReason(_ action: Action, _ s: ActionState, snapshot: HostSnapshot, now: Int64) -> (Wait, String)? {
    if let min = action.minIntervalSeconds, let last = s.record.lastRun, now - last < min {
      let ago = Interval(seconds: max(now - last, 0))
      return (.rateLimited, "rate-limited (last run \(ago) ago, min_interval \(Interval(seconds: min)))")
    }
    if let until = s.record.heldOffUntil, now < until {
      let (free, blocks) = Self.measure(snapshot, order: action.condition?.order ?? 4)
      if !s.record.memoryChanged(freePages: free, blocks: blocks) {
        return (
          .heldOff,
          "held off until \(UTC.text(until)) UTC: the last \(s.record.futileRuns) run(s) changed nothing "
            + "and free memory has not changed since"
        )
      }
    }
    return nil
  }

  /// Records a run; a futile one (no new block of the order for compact, no page freed for
  /// drop_caches) holds the action off, doubling each time.
  private func recordRun(
    _ action: Action, _ effect: ActionEffect, _ s: inout ActionState, now: Int64,
    memory: (freePages: UInt64, blocks: UInt64)
  ) -> [AgentLine] {
    s.record.lastRun = now
    s.record.lastEffect = effect.description
    var lines: [AgentLine] = []
    if effect.isFutile(for: action.kind) {
      s.record.futileRuns += 1
      let base = max(action.minIntervalSeconds.map { $0 * 2 } ?? 60, 60)
      let hold = min(base << Int64(min(s.record.futileRuns - 1, 12)), 3600)
      s.record.heldOffUntil = now + hold
      s.record.futileFreePages = memory.freePages
      s.record.futileBlocks = memory.blocks
      lines.append(
        AgentLine(
          level: .warning,
          message: "\(action.kind.rawValue) changed nothing (\(effect.summary)); holding it off for "
            + "\(Interval(seconds: hold)) or until free memory changes"))
    } else {
      s.record.futileRuns = 0
      s.record.heldOffUntil = nil
      s.record.futileFreePages = nil
      s.record.futileBlocks = nil
    }
    var records = states.mapValues(\.record)
    records[action.kind] = s.record
    if let problem = AgentState.save(records, files, cycle: lastCycle) {
      lines.append(AgentLine(level: .warning, message: problem))
    }
    return lines
  }

  /// Free pages and free blocks of at least `order`, summed over the host: what a futile run is
  /// compared with later (a futile run leaves memory as it found it).
  static func measure(_ snapshot: HostSnapshot, order: Int) -> (freePages: UInt64, blocks: UInt64) {
    let buddy = snapshot.buddyInfo ?? []
    return (buddy.freePages, buddy.suitableBlocks(order: order))
  }
}

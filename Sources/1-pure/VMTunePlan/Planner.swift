import VMTuneHost
import VMTuneModel
import VMTuneProfile

/// Pure: compares a loaded profile with a host snapshot and says what apply would do.
public enum Planner {
  /// The sysctls a plan of `profile` reads: its keys, their exclusive partners, and the two
  /// knobs the watermark forecast starts from; with `managed`, also the keys an earlier apply
  /// manages that the plan would release (and their partners).
  public static func keysRead(by profile: Profile, releasing managed: ManagedKeys = ManagedKeys()) -> Set<String> {
    keysRead(profile.settings.map(\.knob) + managed.managed)
  }

  /// The sysctls judging a saved plan reads, as for its profile.
  public static func keysRead(by plan: Plan) -> Set<String> { keysRead(plan.entries.map(\.knob)) }

  static func keysRead(_ knobs: [Knob]) -> Set<String> {
    var keys = WatermarkForecast.knobs
    for knob in knobs {
      keys.insert(knob.name)
      if let partner = knob.exclusiveWith { keys.insert(partner) }
    }
    return keys
  }

  /// The /proc tables a plan reads: zone watermarks for the forecast and guards, THP for the
  /// min_free_kbytes recommendation.
  public static let tablesRead: HostSnapshot.Tables = [.zoneinfo, .thp]

  /// The tables a plan of `profile` reads: ``tablesRead``, and buddyinfo when its actions have
  /// conditions (the plan says whether they hold now).
  public static func tablesRead(by profile: Profile) -> HostSnapshot.Tables {
    profile.actions.contains { !$0.conditions.isEmpty } ? tablesRead.union(.buddyinfo) : tablesRead
  }

  /// The plan of `profile` on `snapshot`. Keys vmtune manages here (`managed`, from the
  /// journals) that the profile does not set are released to their baseline.
  public static func plan(_ profile: Profile, on snapshot: HostSnapshot, managed: ManagedKeys = ManagedKeys())
    -> Plan
  {
    let host = snapshot.facts
    let failing = profile.conditions.filter { !$0.holds(on: host) }
    var entries = profile.settings.map {
      entry(
        for: $0, knob: $0.knob, snapshot: snapshot, host: host, profileFailing: failing,
        baseline: managed.managed.contains($0.knob) ? managed.baseline[$0.knob] : nil)
    }
    entries += releases(profile, managed: managed, snapshot: snapshot, kernel: host.kernel)
    entries.sort { ($0.knob.writeRank, $0.key) < ($1.knob.writeRank, $1.key) }
    var observed = Observed()
    for e in entries where e.action == .change {
      observed[e.knob] = e.current
      if let partner = e.knob.partner, let v = snapshot.values[partner.name].flatMap(partner.parse) {
        observed[partner] = v
      }
    }
    let (warnings, forecast) = assess(entries, guards: profile.guards, on: snapshot)
    return Plan(
      profile: profile.name, files: profile.files,
      host: host, identity: HostIdentity(snapshot), guards: profile.guards,
      entries: entries, warnings: warnings,
      actions: profile.actions.map { ActionForecast.forecast($0, on: snapshot) },
      observed: observed,
      watermarks: forecast, persistFile: profile.persistFile)
  }

  /// A saved plan's entries judged against the live host: its warnings, guards and watermark
  /// forecast are made again from `live`, never taken from the file (memory moves between plan
  /// and apply, and a file can be edited).
  public static func reassess(_ saved: Plan, on live: HostSnapshot) -> Plan {
    var plan = saved
    plan.host = live.facts
    (plan.warnings, plan.watermarks) = assess(saved.entries, guards: saved.guards ?? Guards(), on: live)
    return plan
  }

  /// The policy checks and the watermark forecast with its guards, for `entries` on `snapshot`.
  static func assess(_ entries: [PlanEntry], guards: Guards, on snapshot: HostSnapshot) -> (
    warnings: [PlanWarning], forecast: [ZoneForecast]?
  ) {
    let host = snapshot.facts
    let forecast = WatermarkForecast.forecast(snapshot, entries: entries, kernel: host.kernel)
    var warnings = PolicyChecks.warnings(guards, entries, host, snapshot: snapshot, forecast: forecast)
    warnings += entries.filter(\.knob.isUnchecked).map {
      PlanWarning(severity: .warning, key: $0.key, message: KnobCatalog.uncheckedWarning($0.key))
    }
    warnings += forecast.map { WatermarkForecast.warnings($0, kernel: host.kernel) } ?? []
    if host.kernel == nil { warnings.append(unknownKernel(forecast: forecast != nil)) }
    return (warnings, forecast)
  }

  /// What a plan assumes when the kernel release is unknown (a snapshot or tree without osrelease).
  static func unknownKernel(forecast: Bool) -> PlanWarning {
    var message =
      "the kernel release is unknown (no proc/sys/kernel/osrelease); knobs and ranges are checked against the newest "
      + "kernel vmtune knows"
    if forecast {
      message +=
        ", and watermarks assume the 6.5+ rule (\(WatermarkRule.movableCapped.rawValue)); older kernels compute "
        + "them differently (docs/KERNEL.md, Watermarks)"
    }
    return PlanWarning(severity: .warning, key: nil, message: message)
  }

  /// The entry for one setting. A key vmtune manages here is judged from its `baseline` (its
  /// value before vmtune), not from what an earlier profile left: `at_least: 16384` after a
  /// profile that raised min_free_kbytes to 131072 gives the baseline back when the baseline
  /// satisfies it (a release), as if this profile had been applied to the host before vmtune.
  static func entry(
    for setting: Setting, knob: Knob, snapshot: HostSnapshot, host: HostFacts,
    profileFailing: [Condition], baseline: SysctlValue? = nil
  ) -> PlanEntry {
    var e = PlanEntry(
      knob: knob, action: .skipped, current: nil, desired: nil,
      target: setting.target.description, location: setting.location, profile: setting.profile)
    let failing = profileFailing + setting.conditions.filter { !$0.holds(on: host) }
    if let c = failing.first {
      e.reason = "when: \(c) is false here"
      return e
    }
    guard snapshot.has(setting.key) else {
      e.reason = absenceReason(knob, host.kernel)
      return e
    }
    guard let text = snapshot.values[setting.key], let current = knob.parse(text) else {
      let why = snapshot.unreadable[setting.key] ?? "unparseable: '\(snapshot.values[setting.key] ?? "")'"
      e.reason = "cannot read the live value (\(why))"
      return e
    }
    e.current = current
    if case .percentOfRAM = setting.target { e.ramRelative = true }
    let ramRelative = resolvedPercent(setting.target, knob: knob, host: host)
    if let r = ramRelative { e.target = "\(r.target) = \(r.value)" }
    var desired: SysctlValue?
    let from = baseline ?? current
    switch resolve(setting.target, knob: knob, current: from, host: host) {
    case .failure(let why):
      e.action = .blocked
      e.reason = why.why
      return e
    case .success(let d): desired = d
    }
    if let baseline {
      // The baseline satisfies the profile: it is the value to have in force, whatever an earlier
      // profile left (for an exact target it is the target itself, not a release).
      if desired == nil, baseline != current {
        desired = baseline
        e.released = !setting.target.isExact
      }
      if desired == current { desired = nil }
    }
    guard let desired else {
      e.action = .unchanged
      if let r = ramRelative, let now = current.intValue, now != r.value {
        e.note = "\(now) is within \(PercentOfRAM.percentText(r.target.toleranceMilliPercent))% of \(r.value)"
      }
      return e
    }
    if let why = rejection(of: desired, knob: knob, kernel: host.kernel) {
      e.action = .blocked
      e.reason = "this kernel would refuse it: \(why)"
      return e
    }
    e.action = .change
    e.desired = desired
    e.note = note(knob, snapshot: snapshot)
    return e
  }

  /// Why the kernel would refuse writing `value` to `knob` (range, forbidden values, removed or
  /// write-only knobs, a value of the wrong shape), or nil when it would accept it.
  public static func rejection(of value: SysctlValue, knob: Knob, kernel: KernelVersion?) -> String? {
    if knob.isTrigger || knob.removedIn != nil { return "\(knob.name) is not a settable vm sysctl" }
    switch (knob.type, value) {
    case (.int, .int(let n)), (.ulong, .int(let n)): return knob.rejection(of: n, on: kernel)
    case (.intList, .list), (.string, .text): return nil
    default: return "'\(value)' is not a \(knob.type.rawValue) value"
    }
  }

  struct Refusal: Error { var why: String }

  /// The value to write, nil when the live value already satisfies the target.
  static func resolve(_ target: Target, knob: Knob, current: SysctlValue, host: HostFacts) -> Result<
    SysctlValue?, Refusal
  > {
    let now = current.intValue
    switch target {
    case .exact(.list(let wanted)):
      guard case .list(let live) = current else { return .failure(Refusal(why: "the live value is not a list")) }
      guard wanted.count <= live.count else {
        return .failure(Refusal(why: "this kernel has \(live.count) zones, the profile gives \(wanted.count) values"))
      }
      let merged = wanted + live.dropFirst(wanted.count)
      return .success(merged == live ? nil : .list(merged))
    case .exact(let v):
      return .success(v == current ? nil : v)
    case .atLeast(let lo):
      guard let now else { return .failure(Refusal(why: "the live value is not a number")) }
      return .success(now >= lo ? nil : .int(lo))
    case .atMost(let hi):
      guard let now else { return .failure(Refusal(why: "the live value is not a number")) }
      return .success(now <= hi ? nil : .int(hi))
    case .between(let lo, let hi):
      guard let now else { return .failure(Refusal(why: "the live value is not a number")) }
      if now < lo { return .success(.int(lo)) }
      if now > hi { return .success(.int(hi)) }
      return .success(nil)
    case .percentOfRAM(let p):
      guard host.memTotalKB > 0, let unit = knob.unit.bytesPerUnit else {
        return .failure(Refusal(why: "MemTotal is unknown, so percent_of_ram cannot be resolved"))
      }
      let r = p.resolution(memTotalKB: host.memTotalKB, bytesPerUnit: unit)
      if .int(r.value) == current { return .success(nil) }
      // A RAM-relative value follows MemTotal; a min or max that decided it is an exact number.
      if !r.clamped, let now, p.tolerates(now, around: r.value) { return .success(nil) }
      return .success(.int(r.value))
    }
  }

  /// A `percent_of_ram` target and the value it resolves to on this host.
  static func resolvedPercent(_ target: Target, knob: Knob, host: HostFacts) -> (target: PercentOfRAM, value: Int64)? {
    guard case .percentOfRAM(let p) = target, host.memTotalKB > 0, let unit = knob.unit.bytesPerUnit else {
      return nil
    }
    return (p, p.resolve(memTotalKB: host.memTotalKB, bytesPerUnit: unit))
  }

  static func absenceReason(_ knob: Knob, _ kernel: KernelVersion?) -> String {
    if let since = knob.since, let kernel, kernel < since {
      return "not on this kernel (added in \(since), host runs \(kernel))"
    }
    if knob.numaOnly { return "not on this kernel (needs CONFIG_NUMA)" }
    if let since = knob.since { return "not on this kernel (added in \(since))" }
    return "not on this kernel"
  }

  static func note(_ knob: Knob, snapshot: HostSnapshot) -> String? {
    if let partner = knob.partner, let v = snapshot.values[partner.name].flatMap(partner.parse), v != .int(0) {
      return "the kernel zeroes \(partner.name) (now \(v))"
    }
    return knob.sideEffect
  }
}

extension HostSnapshot {
  /// The facts `when:` conditions test and plans print.
  public var facts: HostFacts {
    HostFacts(
      hostname: hostname, kernelRelease: kernelRelease, memTotalKB: memInfo.memTotalKB ?? 0,
      numaNodes: numaNodes, cpus: cpus)
  }
}

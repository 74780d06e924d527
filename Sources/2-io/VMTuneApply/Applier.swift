import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// The result of a successful apply.
public struct ApplyReport: Sendable, Hashable, Codable {
  public struct Write: Sendable, Hashable, Codable {
    public var key: String
    public var from: SysctlValue
    public var to: SysctlValue
    /// Written back to the key's baseline (released).
    public var released = false
  }

  /// The journal generation written (nil when nothing differed).
  public var generation: Int?
  public var writes: [Write] = []
  /// A crashed apply found and undone before this one.
  public var recovered: Recovery?
  /// Journals that could not be used and were skipped (listed by `vmtune rollback --list`).
  public var skipped: [CorruptJournal] = []
  /// The plan that was applied.
  public var plan: Plan?
  public var persisted: PersistResult?
}

/// What crash recovery did with an in-progress journal.
public struct Recovery: Sendable, Hashable, Codable {
  public var generation: Int
  public var report: RestoreReport
}

/// Options for ``Applier/apply(_:options:)``.
public struct ApplyOptions: Sendable {
  /// Apply despite guard violations.
  public var force = false
  /// Also write the sysctl.d file (`<root>/etc/sysctl.d/90-vmtune.conf`, or ``persistFile``).
  public var persist = false
  /// The sysctl.d file name for ``persist`` (`--persist-file`); nil: the profile's
  /// `persist.file`, else `90-vmtune.conf`.
  public var persistFile: String?
  /// `vmtune off`: remove the sysctl.d file vmtune wrote (journaled) and leave a ``StandDown``
  /// marker so that a running agent stops enforcing.
  public var unpersist = false
  public var lockTimeoutSeconds = 10
  /// Tests only: send values to the kernel without checking them against the catalog, to prove
  /// that a kernel rejection is rolled back.
  public var skipValidation = false
  /// The agent's drift enforcement: refused while a rollback's ``StandDown`` marker exists, which
  /// only an operator's apply (false) removes.
  public var enforcement = false
  /// Recorded in the journal: `apply`, `agent`, `off`.
  public var command: String
  /// The profiles as given, in merge order, recorded in the journal for `vmtune status`.
  public var sources: [String]?

  public init(
    force: Bool = false, persist: Bool = false, lockTimeoutSeconds: Int = 10, skipValidation: Bool = false,
    enforcement: Bool = false, persistFile: String? = nil, unpersist: Bool = false, command: String? = nil,
    sources: [String]? = nil
  ) {
    self.force = force
    self.persist = persist
    self.lockTimeoutSeconds = lockTimeoutSeconds
    self.skipValidation = skipValidation
    self.enforcement = enforcement
    self.persistFile = persistFile
    self.unpersist = unpersist
    self.command = command ?? (unpersist ? "off" : enforcement ? "agent" : "apply")
    self.sources = sources
  }
}

/// Applies plans to a host: lock, recover, check, journal, write in order, read back, and on any
/// failure restore every original in reverse.
public struct Applier: Sendable {
  public let files: HostFiles
  public let store: any SysctlAccess
  public let journals: JournalStore
  /// Journal timestamps.
  public let clock: any WallClock

  public init(files: HostFiles, store: (any SysctlAccess)? = nil, clock: any WallClock = SystemWallClock()) {
    self.files = files
    self.store = store ?? SysctlStore(files: files)
    self.journals = JournalStore(files: files)
    self.clock = clock
  }

  /// Takes the host lock for the duration of `body`.
  public func locked<T>(timeout: Int = 10, _ body: () throws(ApplyError) -> T) throws(ApplyError) -> T {
    let lock: HostLock
    do { lock = try HostLock.acquire(files, timeoutSeconds: timeout) } catch { throw .lock(error) }
    defer { withExtendedLifetime(lock) {} }
    return try body()
  }

  /// Restores the originals of a journal left in progress by a crash, if there is one.
  /// Call with the lock held. Journals that cannot be read are skipped (see ``JournalStore/scan()``).
  public func recoverIfNeeded() throws(ApplyError) -> Recovery? {
    try recover(journals.scan().journals)
  }

  /// Recovers the newest in-progress journal of `all`, after checking what it would write.
  func recover(_ all: [Journal]) throws(ApplyError) -> Recovery? {
    for var journal in all.reversed() where journal.state == .inProgress {
      try checkReplayable(journal)
      let report = Restorer.restore(journal.entries, store: store)
      // The final record the apply staged is not true: give its room to this one.
      journals.unstage(journal.generation)
      journal.state = report.failures.isEmpty ? .rolledBack : .failed
      journal.note =
        "recovered after an interrupted apply: \(report.restored.count) restored, \(report.untouched.count) already "
        + "original"
      do { try journals.save(journal) } catch {
        throw .unrecorded(
          done: "recovered the interrupted apply of journal generation \(journal.generation) "
            + "(\(report.restored.count) value(s) restored, \(report.untouched.count) already original, "
            + "\(report.failures.count) failed)",
          cause: "\(error)", next: "the next run finds it again, with nothing left to restore")
      }
      if let p = journal.persisted { try restorePersisted(p) }
      if !report.failures.isEmpty { throw .restoreIncomplete(report) }
      return Recovery(generation: journal.generation, report: report)
    }
    return nil
  }

  /// Applies `plan`. Takes the lock, recovers a crashed apply, refuses stale, blocked or
  /// guard-violating plans, and writes nothing when nothing differs.
  public func apply(_ plan: Plan, options: ApplyOptions = ApplyOptions()) throws(ApplyError) -> ApplyReport {
    try apply(options: options) { plan }
  }

  /// Applies the plan `planning` makes once the lock is held and any crashed apply is recovered,
  /// so two concurrent applies of profiles serialize instead of racing (the second plans against
  /// what the first wrote).
  public func apply(options: ApplyOptions = ApplyOptions(), planning: () throws(ApplyError) -> Plan) throws(ApplyError)
    -> ApplyReport
  {
    try locked(timeout: options.lockTimeoutSeconds) { () throws(ApplyError) -> ApplyReport in
      if options.enforcement, let marker = StandDown.read(files) { throw .standingDown(marker) }
      var report = ApplyReport()
      var scan = journals.scan()
      report.skipped = scan.corrupt
      report.recovered = try recover(scan.journals)
      if report.recovered != nil { scan = journals.scan() }
      journals.removeStalePending()
      let plan = try planning()
      try check(plan, options: options)
      let changes = plan.changes
      report.plan = plan
      let persist = persistChange(plan, options: options, journals: scan.journals)
      report.persisted = persist?.result
      guard !changes.isEmpty || persist?.record != nil else {
        try finish(options)
        return report
      }
      let problems = changes.compactMap { store.writeProblem($0.key) }
      if !problems.isEmpty { throw .preflight(problems) }

      let generation = (journals.generations().last ?? 0) + 1
      var journal = Journal(
        generation: generation, createdAt: clock.now(), profile: plan.profile, files: plan.files,
        command: options.command, sources: options.sources, kernelRelease: plan.host.kernelRelease,
        state: .inProgress, entries: Self.journalEntries(plan))
      journal.persisted = persist?.record
      try journals.save(journal)
      // The final record and the new sysctl.d file take their room now: on a full disk or a
      // read-only /etc/sysctl.d the apply stops here, before any write.
      var applied = journal
      applied.state = .applied
      do throws(ApplyError) {
        try journals.stage(applied)
        if let record = persist?.record { try stagePersist(record) }
      } catch {
        journals.discard(generation)
        if let record = persist?.record { try? files.remove(Persistence.pendingPath(record.path)) }
        throw error
      }

      for change in changes {
        guard let desired = change.desired, let from = change.current else { continue }
        if let cause = Restorer.writeAndVerify(change.knob, desired, store: store) {
          try fail(&journal, key: change.key, cause: cause)
        }
        report.writes.append(.init(key: change.key, from: from, to: desired, released: change.released))
      }
      if let record = persist?.record {
        do { try commitPersist(record) } catch { try fail(&journal, key: files.path(record.path), cause: "\(error)") }
      }
      do { try journals.commit(generation) } catch {
        try fail(&journal, key: "journal \(files.path(JournalStore.relativePath(generation)))", cause: "\(error)")
      }
      journals.compact()
      try finish(options)
      report.generation = generation
      report.plan = plan
      return report
    }
  }

  /// The stand-down marker after an apply: an operator's apply removes it, `vmtune off` leaves one.
  private func finish(_ options: ApplyOptions) throws(ApplyError) {
    if options.unpersist {
      try StandDown(generations: [], at: clock.now(), command: "off").write(files)
    } else if !options.enforcement {
      StandDown.clear(files)
    }
  }

  /// What the journal records before the first write: each change's original (as observed when
  /// planning) and, for exclusive pairs, the partner's original, which the kernel may zero.
  static func journalEntries(_ plan: Plan) -> [Journal.Entry] {
    var entries: [Journal.Entry] = []
    for change in plan.changes {
      guard let original = plan.observed[change.knob] ?? change.current else { continue }
      entries.append(
        Journal.Entry(knob: change.knob, original: original, desired: change.desired, released: change.released))
      if let partner = change.knob.partner, let v = plan.observed[partner],
        !entries.contains(where: { $0.knob == partner })
      {
        entries.append(Journal.Entry(knob: partner, original: v, desired: nil))
      }
    }
    return entries
  }

  /// Restores every original of `journal`, marks it failed and throws.
  private func fail(_ journal: inout Journal, key: String, cause: String) throws(ApplyError) -> Never {
    let restore = Restorer.restore(journal.entries, store: store)
    journals.unstage(journal.generation)
    if let record = journal.persisted { try? restorePersisted(record) }
    journal.state = .failed
    journal.note = "write of \(key) failed: \(cause)"
    try? journals.save(journal)
    throw .writeFailed(key: key, cause: cause, restore: restore)
  }

  /// Refuses plans that must not run: blocked entries, values the catalog says this kernel
  /// refuses (a saved plan may have been edited), guard violations, stale observations.
  func check(_ plan: Plan, options: ApplyOptions) throws(ApplyError) {
    if !plan.blocked.isEmpty { throw .blocked(plan.blocked) }
    if !options.skipValidation {
      let kernel = plan.host.kernel
      let invalid = plan.changes.compactMap { change -> PlanEntry? in
        guard let desired = change.desired else { return nil }
        guard let why = Planner.rejection(of: desired, knob: change.knob, kernel: kernel) else { return nil }
        var e = change
        e.reason = why
        return e
      }
      if !invalid.isEmpty { throw .blocked(invalid) }
    }
    if !options.force, !plan.guardViolations.isEmpty { throw .guardViolation(plan.guardViolations) }
    var stale: [(key: String, planned: String, live: String)] = []
    for (knob, planned) in plan.observed {
      let live = (try? store.read(knob.name)) ?? "<unreadable>"
      if !knob.same(live, planned) { stale.append((knob.name, planned.description, live)) }
    }
    if !stale.isEmpty { throw .stalePlan(stale) }
  }
}

import VMTuneKernel
import VMTunePlan
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

/// The result of a successful apply.
public struct ApplyReport: Sendable, Hashable, Codable {
  public struct Write: Sendable, Hashable, Codable {
    public var key: String
    public var from: String
    public var to: String
  }

  /// The journal generation written (nil when nothing differed).
  public var generation: Int?
  public var writes: [Write] = []
  /// A crashed apply found and undone before this one.
  public var recovered: Recovery?
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
  /// Also write `<root>/etc/sysctl.d/90-vmtune.conf`.
  public var persist = false
  public var lockTimeoutSeconds = 10
  /// Tests only: send values to the kernel without checking them against the catalog, to prove
  /// that a kernel rejection is rolled back.
  public var skipValidation = false

  public init(force: Bool = false, persist: Bool = false, lockTimeoutSeconds: Int = 10, skipValidation: Bool = false) {
    self.force = force
    self.persist = persist
    self.lockTimeoutSeconds = lockTimeoutSeconds
    self.skipValidation = skipValidation
  }
}

/// Applies plans to a host: lock, recover, check, journal, write in order, read back, and on any
/// failure restore every original in reverse.
public struct Applier: Sendable {
  public let files: HostFiles
  public let store: any SysctlAccess
  public let journals: JournalStore
  /// Seconds since the epoch; injectable for tests.
  public var now: @Sendable () -> Int64 = { Int64(time(nil)) }

  public init(files: HostFiles, store: (any SysctlAccess)? = nil) {
    self.files = files
    self.store = store ?? SysctlStore(files: files)
    self.journals = JournalStore(files: files)
  }

  /// Takes the host lock for the duration of `body`.
  public func locked<T>(timeout: Int = 10, _ body: () throws(ApplyError) -> T) throws(ApplyError) -> T {
    let lock: HostLock
    do { lock = try HostLock.acquire(files, timeoutSeconds: timeout) } catch { throw .lock(error) }
    defer { withExtendedLifetime(lock) {} }
    return try body()
  }

  /// Restores the originals of a journal left in progress by a crash, if there is one.
  /// Call with the lock held.
  public func recoverIfNeeded() throws(ApplyError) -> Recovery? {
    for var journal in try journals.all().reversed() where journal.state == .inProgress {
      let report = Restorer.restore(journal.entries, store: store)
      journal.state = report.failures.isEmpty ? .rolledBack : .failed
      journal.note = "recovered after an interrupted apply: \(report.restored.count) restored, \(report.untouched.count) already original"
      try journals.save(journal)
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
  public func apply(options: ApplyOptions = ApplyOptions(), planning: () throws(ApplyError) -> Plan) throws(ApplyError) -> ApplyReport {
    try locked(timeout: options.lockTimeoutSeconds) { () throws(ApplyError) -> ApplyReport in
      var report = ApplyReport()
      report.recovered = try recoverIfNeeded()
      let plan = try planning()
      try check(plan, options: options)
      let changes = plan.changes
      report.plan = plan
      if changes.isEmpty {
        if options.persist { report.persisted = try persist(plan, generation: nil) }
        return report
      }
      let problems = changes.compactMap { store.writeProblem($0.key) }
      if !problems.isEmpty { throw .preflight(problems) }

      var entries: [Journal.Entry] = []
      for change in changes {
        entries.append(Journal.Entry(key: change.key, original: plan.observed[change.key] ?? change.current ?? "", desired: change.desired))
        if let partner = KnobCatalog.knob(change.key)?.exclusiveWith, let v = plan.observed[partner],
          !entries.contains(where: { $0.key == partner })
        {
          entries.append(Journal.Entry(key: partner, original: v, desired: nil))
        }
      }
      let generation = (journals.generations().last ?? 0) + 1
      var journal = Journal(
        generation: generation, createdAt: now(), profile: plan.profile, files: plan.files,
        kernelRelease: plan.host.kernelRelease, state: .inProgress, entries: entries)
      if options.persist {
        let rel = Persistence.relativePath
        journal.persisted = Journal.PersistRecord(
          path: rel, previous: files.kind(rel) == .file ? try? files.readText(rel) : nil)
      }
      try journals.save(journal)

      for change in changes {
        let type = KnobCatalog.knob(change.key)?.type ?? .int
        let text = SysctlValue.parseKernelText(change.desired ?? "", type: type)?.kernelText ?? change.desired ?? ""
        if let cause = writeAndVerify(change.key, text, type) {
          try fail(&journal, key: change.key, cause: cause)
        }
        report.writes.append(.init(key: change.key, from: change.current ?? "", to: change.desired ?? text))
      }
      journal.state = .applied
      try journals.save(journal)
      journals.prune()
      report.generation = generation
      report.plan = plan
      if options.persist { report.persisted = try persist(plan, generation: generation) }
      return report
    }
  }

  /// Writes `text` and reads it back; the failure cause, or nil when the kernel holds the value.
  private func writeAndVerify(_ key: String, _ text: String, _ type: KnobType) -> String? {
    do throws(KernelError) {
      try store.write(key, text)
      let back = try store.read(key)
      return Restorer.same(back, text, type) ? nil : "wrote \(text), the kernel reads back \(back)"
    } catch {
      return error.description
    }
  }

  /// Restores every original of `journal`, marks it failed and throws.
  private func fail(_ journal: inout Journal, key: String, cause: String) throws(ApplyError) -> Never {
    let restore = Restorer.restore(journal.entries, store: store)
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
      let kernel = plan.host.kernelRelease.flatMap { KernelVersion(parsing: $0) }
      let invalid = plan.changes.compactMap { change -> PlanEntry? in
        guard let knob = KnobCatalog.knob(change.key), !knob.isTrigger, knob.removedIn == nil else {
          var e = change
          e.reason = "not a settable vm sysctl"
          return e
        }
        guard let value = SysctlValue.parseKernelText(change.desired ?? "", type: knob.type) else {
          var e = change
          e.reason = "'\(change.desired ?? "")' is not a valid \(knob.type.rawValue) value"
          return e
        }
        guard let n = value.intValue, let why = knob.rejection(of: n, on: kernel) else { return nil }
        var e = change
        e.reason = why
        return e
      }
      if !invalid.isEmpty { throw .blocked(invalid) }
    }
    if !options.force, !plan.guardViolations.isEmpty { throw .guardViolation(plan.guardViolations) }
    var stale: [(key: String, planned: String, live: String)] = []
    for (key, planned) in plan.observed.sorted(by: { $0.key < $1.key }) {
      let live = (try? store.read(key)) ?? "<unreadable>"
      let type = KnobCatalog.knob(key)?.type ?? .int
      if !Restorer.same(live, planned, type) { stale.append((key, planned, live)) }
    }
    if !stale.isEmpty { throw .stalePlan(stale) }
  }
}

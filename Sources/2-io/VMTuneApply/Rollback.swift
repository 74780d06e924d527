import VMTuneKernel

/// What `vmtune rollback` did.
public struct RollbackReport: Sendable, Hashable, Codable {
  public var generations: [Int]
  public var restore: RestoreReport
  public var recovered: Recovery?
  /// Things the operator should know (a journal written on another kernel release).
  public var warnings: [String] = []
}

extension Applier {
  /// Restores the values replaced by applied generations, newest first, back to and including
  /// `generation` (default: only the newest applied one).
  ///
  /// Before any write: every journal to undo is verified (digest) and checked by meaning
  /// (``Journal/problems(on:)``); a corrupt journal at or after the oldest one to undo refuses the
  /// rollback, since what it recorded cannot be undone. Older corrupt journals do not matter.
  /// Each key's live value is compared with the newest value vmtune wrote to it: one changed
  /// since (by someone else) refuses the rollback unless `force`. A journal applied on another
  /// kernel release is rolled back with a warning. Rollback leaves a ``StandDown`` marker so that
  /// a running agent does not put the profile back.
  public func rollback(to generation: Int? = nil, force: Bool = false, lockTimeout: Int = 10) throws(ApplyError)
    -> RollbackReport
  {
    try locked(timeout: lockTimeout) { () throws(ApplyError) -> RollbackReport in
      var scan = journals.scan()
      let recovered = try recover(scan.journals)
      if recovered != nil { scan = journals.scan() }
      journals.removeStalePending()
      let applied = scan.journals.filter { $0.state == .applied }
      let targets: [Journal]
      if let generation {
        if let bad = scan.corrupt.first(where: { $0.generation == generation }) {
          throw .corruptJournal(path: bad.path, reason: bad.reason)
        }
        if let fold = applied.first(where: { $0.generation < generation && generation <= ($0.through ?? 0) }) {
          throw .nothingToRollBack(
            "generation \(generation) was folded into generation \(fold.generation) (\(fold.generation)…"
              + "\(fold.through ?? fold.generation)) by history compaction; roll back --to \(fold.generation) "
              + "or a later generation")
        }
        guard applied.contains(where: { $0.generation == generation }) else {
          throw .nothingToRollBack("generation \(generation) is not an applied journal; see 'vmtune rollback --list'")
        }
        targets = applied.filter { $0.generation >= generation }.reversed()
      } else {
        guard let last = applied.last else {
          if let recovered {
            return RollbackReport(generations: [recovered.generation], restore: recovered.report, recovered: recovered)
          }
          if let bad = scan.corrupt.last { throw .corruptJournal(path: bad.path, reason: bad.reason) }
          throw .nothingToRollBack("no applied journal under \(files.path(JournalStore.directory))")
        }
        targets = [last]
      }
      let entries = try replayable(targets, scan: scan, force: force)
      var report = try restore(entries, of: targets, recovered: recovered)
      if let running = runningKernelRelease() {
        for j in targets.reversed() {
          guard let release = j.kernelRelease, release != running else { continue }
          report.warnings.append(
            "generation \(j.generation) was applied on kernel \(release), this is \(running): its originals were "
              + "checked against this kernel's ranges")
        }
      }
      return report
    }
  }

  /// The folded entries of `targets` (newest first) once they may be replayed: no corrupt
  /// generation among or after them, each journal replayable, no value changed since (unless
  /// `force`).
  func replayable(
    _ targets: [Journal], scan: (journals: [Journal], corrupt: [CorruptJournal]), force: Bool
  ) throws(ApplyError) -> [Journal.Entry] {
    let oldest = targets.last?.generation ?? 0
    if let bad = scan.corrupt.first(where: { $0.generation >= oldest }) {
      throw .corruptJournal(path: bad.path, reason: bad.reason)
    }
    for journal in targets { try checkReplayable(journal) }
    let entries = Journal.fold(targets.reversed())
    if !force {
      let conflicts = changedSince(entries)
      if !conflicts.isEmpty { throw .changedSince(conflicts) }
    }
    return entries
  }

  /// Keys whose live value is neither what vmtune last wrote to them nor their original:
  /// changed since, by someone else. Keys recorded only as an exclusive partner are not
  /// compared (the kernel zeroes them itself).
  func changedSince(_ entries: [Journal.Entry]) -> [(key: String, wrote: String, live: String, original: String)] {
    entries.compactMap { entry in
      guard let wrote = entry.desired, let live = try? store.read(entry.key) else { return nil }
      if entry.knob.same(live, wrote) || entry.knob.same(live, entry.original) { return nil }
      let shown = entry.knob.parse(live)?.description ?? live
      return (entry.key, wrote.description, shown, entry.original.description)
    }
  }

  /// Undoes `targets` (newest first) by restoring `entries`, their fold: records take their room
  /// and the stand-down marker is written first, then values are restored and each record is put
  /// in place.
  private func restore(_ entries: [Journal.Entry], of targets: [Journal], recovered: Recovery?) throws(ApplyError)
    -> RollbackReport
  {
    // A sysctl.d file to put back needs a writable /etc/sysctl.d: known before the first write.
    if let problem = persistRestoreProblem(targets.compactMap(\.persisted)) { throw .preflight([problem]) }
    // Each record takes its room before the first write: on a full disk rollback stops here.
    for (i, journal) in targets.enumerated() {
      var record = journal
      record.state = .rolledBack
      record.note = "rolled back by vmtune rollback"
      do throws(ApplyError) { try journals.stage(record) } catch {
        for t in targets.prefix(i) { journals.unstage(t.generation) }
        throw error
      }
    }
    do throws(ApplyError) {
      try StandDown(generations: targets.map(\.generation), at: clock.now()).write(files)
    } catch {
      for t in targets { journals.unstage(t.generation) }
      throw error
    }
    let report = Restorer.restore(entries, store: store)
    if !report.failures.isEmpty {
      for t in targets { journals.unstage(t.generation) }
      throw .restoreIncomplete(report)
    }
    for (i, journal) in targets.enumerated() {
      if let p = journal.persisted { try restorePersisted(p) }
      do { try journals.commit(journal.generation) } catch {
        for t in targets[i...] { journals.unstage(t.generation) }
        throw .unrecorded(
          done: "restored \(report.restored.count) value(s); the host is as before generation "
            + "\(targets.last?.generation ?? journal.generation)",
          cause: "\(error)",
          next: "'vmtune rollback' finds generation \(journal.generation) still applied, its values already original")
      }
    }
    return RollbackReport(generations: targets.map(\.generation), restore: report, recovered: recovered)
  }
}

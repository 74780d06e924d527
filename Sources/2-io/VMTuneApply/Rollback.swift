import VMTuneKernel

/// What `vmtune rollback` did.
public struct RollbackReport: Sendable, Hashable, Codable {
  public var generations: [Int]
  public var restore: RestoreReport
  public var recovered: Recovery?
}

extension Applier {
  /// Restores the values replaced by applied generations, newest first, back to and including
  /// `generation` (default: only the newest applied one).
  ///
  /// Before any write: every journal to undo is verified (digest) and checked by meaning
  /// (``Journal/problems(on:)``); a corrupt journal at or after the oldest one to undo refuses the
  /// rollback, since what it recorded cannot be undone. Older corrupt journals do not matter.
  public func rollback(to generation: Int? = nil, lockTimeout: Int = 10) throws(ApplyError) -> RollbackReport {
    try locked(timeout: lockTimeout) { () throws(ApplyError) -> RollbackReport in
      var scan = journals.scan()
      let recovered = try recover(scan.journals)
      if recovered != nil { scan = journals.scan() }
      let applied = scan.journals.filter { $0.state == .applied }
      let targets: [Journal]
      if let generation {
        if let bad = scan.corrupt.first(where: { $0.generation == generation }) {
          throw .corruptJournal(path: bad.path, reason: bad.reason)
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
      let oldest = targets.last?.generation ?? 0
      if let bad = scan.corrupt.first(where: { $0.generation >= oldest }) {
        throw .corruptJournal(path: bad.path, reason: bad.reason)
      }
      for journal in targets { try checkReplayable(journal) }
      return try restore(targets, recovered: recovered)
    }
  }

  /// Undoes `targets` (newest first): records take their room first, then values are restored
  /// and each record is put in place.
  private func restore(_ targets: [Journal], recovered: Recovery?) throws(ApplyError) -> RollbackReport {
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
    var total = RestoreReport()
    for (i, journal) in targets.enumerated() {
      let report = Restorer.restore(journal.entries, store: store)
      total.restored += report.restored
      total.untouched += report.untouched
      total.failures += report.failures
      if !report.failures.isEmpty {
        for t in targets[i...] { journals.unstage(t.generation) }
        throw .restoreIncomplete(total)
      }
      if let p = journal.persisted { try restorePersisted(p) }
      do { try journals.commit(journal.generation) } catch {
        for t in targets[i...] { journals.unstage(t.generation) }
        throw .unrecorded(
          done: "rolled back generation \(journal.generation) (\(total.restored.count) value(s) restored so far)",
          cause: "\(error)", next: "'vmtune rollback' again finds it applied, with those values already original")
      }
    }
    return RollbackReport(generations: targets.map(\.generation), restore: total, recovered: recovered)
  }

  /// Puts back the sysctl.d file as it was before the apply that persisted.
  func restorePersisted(_ record: Journal.PersistRecord) throws(ApplyError) {
    do {
      if let previous = record.previous {
        try files.writeAtomically(record.path, Array(previous.utf8), mode: 0o644)
      } else {
        try files.remove(record.path)
      }
    } catch {
      throw .persist(error)
    }
  }
}

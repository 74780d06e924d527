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
  public func rollback(to generation: Int? = nil, lockTimeout: Int = 10) throws(ApplyError) -> RollbackReport {
    try locked(timeout: lockTimeout) { () throws(ApplyError) -> RollbackReport in
      let recovered = try recoverIfNeeded()
      let applied = try journals.all().filter { $0.state == .applied }
      let targets: [Journal]
      if let generation {
        guard applied.contains(where: { $0.generation == generation }) else {
          throw .nothingToRollBack("generation \(generation) is not an applied journal; see 'vmtune rollback --list'")
        }
        targets = applied.filter { $0.generation >= generation }.reversed()
      } else {
        guard let last = applied.last else {
          if let recovered {
            return RollbackReport(generations: [recovered.generation], restore: recovered.report, recovered: recovered)
          }
          throw .nothingToRollBack("no applied journal under \(files.path(JournalStore.directory))")
        }
        targets = [last]
      }
      var total = RestoreReport()
      for var journal in targets {
        let report = Restorer.restore(journal.entries, store: store)
        total.restored += report.restored
        total.untouched += report.untouched
        total.failures += report.failures
        if !report.failures.isEmpty { throw .restoreIncomplete(total) }
        if let p = journal.persisted { try restorePersisted(p) }
        journal.state = .rolledBack
        journal.note = "rolled back by vmtune rollback"
        try journals.save(journal)
      }
      return RollbackReport(generations: targets.map(\.generation), restore: total, recovered: recovered)
    }
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

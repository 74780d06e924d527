import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// What an apply does to its sysctl.d file, decided under the lock before the first write.
struct PersistChange {
  /// The journal's record (what was there before, what is written); nil when nothing changes.
  var record: Journal.PersistRecord?
  var result: PersistResult
}

extension Applier {
  /// The persist file an apply with `options` changes, if any: for `--persist`, the rendered plan
  /// unless the file already holds it; for `vmtune off`, the removal of the file vmtune wrote.
  func persistChange(_ plan: Plan, options: ApplyOptions, journals all: [Journal]) -> PersistChange? {
    if options.unpersist {
      guard let owned = Self.persistedFile(all), files.kind(owned) != .missing else { return nil }
      let previous = try? files.readText(owned)
      return PersistChange(
        record: Journal.PersistRecord(path: owned, previous: previous, written: nil, removed: true),
        result: PersistResult(
          path: files.path(owned), keys: [], overrides: [], removed: true, before: previous, after: nil))
    }
    guard options.persist else { return nil }
    let name = options.persistFile ?? plan.persistFile ?? PersistFileName.defaultName
    let rel = Persistence.relativePath(name)
    let (text, keys, recomputed) = Persistence.render(plan)
    var result = PersistResult(
      path: files.path(rel), keys: keys, overrides: Persistence.overrides(of: keys, files: files, name: name),
      recomputedAtBoot: recomputed)
    let current = files.kind(rel) == .file ? try? files.readText(rel) : nil
    result.before = current
    result.after = text
    if current == text {
      result.unchanged = true
      return PersistChange(record: nil, result: result)
    }
    return PersistChange(
      record: Journal.PersistRecord(path: rel, previous: current, written: text, removed: nil), result: result)
  }

  /// The sysctl.d file the newest applied journal that touched one left in place (nil: none,
  /// or `vmtune off` removed it).
  public static func persistedFile(_ journals: [Journal]) -> String? {
    guard let record = journals.last(where: { $0.state == .applied && $0.persisted != nil })?.persisted,
      record.removed != true
    else { return nil }
    return record.path
  }

  /// Before the first sysctl write: stages the new file beside its target (taking its room and
  /// proving the directory writable), or checks that the file can be removed.
  func stagePersist(_ record: Journal.PersistRecord) throws(ApplyError) {
    do throws(KernelError) {
      if let text = record.written {
        try files.makeDirectories(Persistence.directory)
        try files.writeAtomically(Persistence.pendingPath(record.path), Array(text.utf8), mode: 0o644)
      } else if let errno = files.writeAccessProblem(Persistence.directory) {
        throw .io(operation: "remove", path: files.path(record.path), errno: errno)
      }
    } catch {
      throw .preflight([error])
    }
  }

  /// After the sysctl writes: puts the staged file in place (a rename), or removes the file.
  func commitPersist(_ record: Journal.PersistRecord) throws(KernelError) {
    if record.written != nil {
      try files.move(Persistence.pendingPath(record.path), to: record.path)
    } else {
      try files.remove(record.path)
    }
  }

  /// Puts back the sysctl.d file as it was before the apply that changed it, and drops a file
  /// staged by an apply that did not finish.
  func restorePersisted(_ record: Journal.PersistRecord) throws(ApplyError) {
    try? files.remove(Persistence.pendingPath(record.path))
    do {
      if let previous = record.previous {
        try files.makeDirectories(Persistence.directory)
        try files.writeAtomically(record.path, Array(previous.utf8), mode: 0o644)
      } else if files.kind(record.path) != .missing {
        try files.remove(record.path)
      }
    } catch {
      throw .persist(error)
    }
  }

  /// Whether the sysctl.d directory can take the files `records` put back (rollback's preflight).
  func persistRestoreProblem(_ records: [Journal.PersistRecord]) -> KernelError? {
    guard !records.isEmpty, files.kind(Persistence.directory) != .missing else { return nil }
    if files.kind(Persistence.directory) != .directory {
      return .io(operation: "open", path: files.path(Persistence.directory), errno: .notDirectory)
    }
    return files.writeAccessProblem(Persistence.directory).map {
      .io(operation: "write", path: files.path(Persistence.directory), errno: $0)
    }
  }
}

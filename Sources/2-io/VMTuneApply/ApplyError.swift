import VMTuneKernel
import VMTunePlan

/// Why apply or rollback stopped. Every case says what was left on the host.
public enum ApplyError: Error, Sendable, CustomStringConvertible {
  /// The plan asks for values this kernel refuses; nothing was written.
  case blocked([PlanEntry])
  /// A guard refused the plan; nothing was written.
  case guardViolation([PlanWarning])
  /// Live values changed since the plan was made; nothing was written.
  case stalePlan([(key: String, planned: String, live: String)])
  /// Writes would fail (not root, read-only /proc); nothing was written.
  case preflight([KernelError])
  /// The host lock could not be taken (another vmtune, or no permission); nothing was written.
  case lock(KernelError)
  /// The journal could not be written or read; nothing was written.
  case journal(KernelError)
  /// A journal cannot be used (unreadable, not a journal, or changed since vmtune wrote it);
  /// nothing was written.
  case corruptJournal(path: String, reason: String)
  /// A journal whose originals must not be written (edited or damaged); nothing was written.
  case invalidJournal(path: String, problems: [String])
  /// A write or read-back failed; everything written was restored (or the failures are listed).
  case writeFailed(key: String, cause: String, restore: RestoreReport)
  /// Values were written (`done` says which, and where the host stands) but the journal could
  /// not record it; `next` says what the next run will do.
  case unrecorded(done: String, cause: String, next: String)
  /// Values vmtune wrote were changed since by someone else; rollback wrote nothing.
  case changedSince([(key: String, wrote: String, live: String, original: String)])
  /// A rollback asked the agent to stand down; its enforcement wrote nothing.
  case standingDown(StandDown)
  /// Rollback had nothing to restore.
  case nothingToRollBack(String)
  /// Rollback could not restore every value.
  case restoreIncomplete(RestoreReport)
  case persist(KernelError)
  /// Planning under the lock failed (the host could not be read).
  case planning(String)

  public var description: String {
    switch self {
    case .blocked(let entries):
      return "the plan cannot be applied on this kernel; nothing was written:\n"
        + entries.map { "  \($0.key): \($0.reason ?? "refused") (\($0.location))" }.joined(separator: "\n")
    case .guardViolation(let warnings):
      return "refused by a guard; nothing was written (use --force to override):\n"
        + warnings.map { "  \($0.message)" }.joined(separator: "\n")
    case .stalePlan(let diffs):
      return "saved plan is stale: live values changed since it was made; nothing was written. Run plan again.\n"
        + diffs.map { "  \($0.key): planned from \($0.planned), live now \($0.live)" }.joined(separator: "\n")
    case .preflight(let errors):
      return "cannot write; nothing was changed:\n" + errors.map { "  \($0)" }.joined(separator: "\n")
    case .lock(let e):
      return "cannot take the vmtune lock, so nothing was changed: \(e)"
    case .journal(let e):
      return "cannot write the rollback journal, so nothing was changed: \(e)"
    case .corruptJournal(let path, let reason):
      return "cannot use journal \(path): \(reason); nothing was written. Move it aside to continue "
        + "(vmtune then goes on without it; what it recorded can no longer be undone)"
    case .invalidJournal(let path, let problems):
      return "refusing journal \(path): it would write what no apply recorded; nothing was written:\n"
        + problems.map { "  \($0)" }.joined(separator: "\n")
    case .writeFailed(let key, let cause, let restore):
      var s = "writing \(key) failed: \(cause)\n"
      if restore.failures.isEmpty {
        s += "every value written was restored (\(restore.restored.count) restored); the host is as before"
      } else {
        s += "RESTORE INCOMPLETE; these keys still differ from their originals:\n"
        s += restore.failures.map { "  \($0.key): \($0.error)" }.joined(separator: "\n")
      }
      return s
    case .unrecorded(let done, let cause, let next):
      return "\(done), but the journal could not record it: \(cause); \(next)"
    case .changedSince(let conflicts):
      return "refusing to roll back: these values changed since vmtune wrote them (by someone else) and rollback "
        + "would overwrite them; nothing was written (--force restores the originals anyway):\n"
        + conflicts.map { "  \($0.key): vmtune wrote \($0.wrote), live \($0.live) (the original was \($0.original))" }
        .joined(separator: "\n")
    case .standingDown(let marker) where marker.command == "off":
      return "standing down: 'vmtune off' released every managed key to its baseline; nothing is enforced until "
        + "the next 'vmtune apply'"
    case .standingDown(let marker):
      let generations = marker.generations.map(String.init).joined(separator: ", ")
      return "standing down: 'vmtune rollback' restored generation \(generations.isEmpty ? "?" : generations); "
        + "nothing is enforced until the next 'vmtune apply'"
    case .nothingToRollBack(let why):
      return "nothing to roll back: \(why)"
    case .restoreIncomplete(let report):
      return "rollback could not restore every value:\n"
        + report.failures.map { "  \($0.key): \($0.error)" }.joined(separator: "\n")
    case .planning(let why):
      return "cannot plan: \(why); nothing was written"
    case .persist(let e):
      return "the live values were applied, but persisting failed: \(e)"
    }
  }
}

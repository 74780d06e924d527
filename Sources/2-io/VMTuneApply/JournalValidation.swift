import VMTuneKernel
import VMTunePlan
import VMTuneProfile

extension Journal {
  /// Why this journal's originals must not be written on a kernel `kernel` (empty when they may
  /// be): a write-only trigger or a removed knob, a key the apply neither changed nor recorded as
  /// the exclusive partner of one it changed, or an original the kernel would refuse. An apply
  /// writes none of these, so any of them means the journal was edited or damaged.
  public func problems(on kernel: KernelVersion?) -> [String] {
    let changed = entries.filter { $0.desired != nil }.map(\.knob)
    var problems: [String] = []
    for entry in entries {
      let key = entry.key
      if entry.knob.isTrigger {
        problems.append("\(key): a write-only trigger, never a setting an apply records")
        continue
      }
      if let removed = entry.knob.removedIn {
        problems.append("\(key): removed from the kernel in \(removed)")
        continue
      }
      if entry.desired == nil, !changed.contains(where: { $0.partner == entry.knob }) {
        problems.append("\(key): the apply did not change it (nor the exclusive partner of a key it changed)")
      }
      // 0 is how the kernel shows the side of an exclusive pair that is off (dirty_bytes under
      // dirty_ratio): never written, the restore writes the partner instead.
      let off = entry.knob.partner != nil && entry.original == .int(0) && !entry.knob.acceptsZero
      if !off, let why = Planner.rejection(of: entry.original, knob: entry.knob, kernel: kernel) {
        problems.append("\(key): original \(why)")
      }
    }
    if let p = persisted {
      let name =
        p.path.hasPrefix(Persistence.directory + "/")
        ? String(p.path.dropFirst(Persistence.directory.count + 1)) : p.path
      if let why = PersistFileName.problem(name) {
        problems.append("persisted.path \(p.path): not a file in \(Persistence.directory) (\(why))")
      }
    }
    return problems
  }
}

extension Applier {
  /// The running kernel's release (`proc/sys/kernel/osrelease` under the root), when readable.
  func runningKernelRelease() -> String? {
    (try? files.readText("proc/sys/kernel/osrelease")).map { String($0.trimmingWhitespace()) }
  }

  /// Refuses `journal` when replaying its originals could write what no apply would have
  /// recorded (``Journal/problems(on:)`` on the running kernel).
  func checkReplayable(_ journal: Journal) throws(ApplyError) {
    let problems = journal.problems(on: runningKernelRelease().flatMap { KernelVersion(parsing: $0) })
    if !problems.isEmpty {
      throw .invalidJournal(path: files.path(JournalStore.relativePath(journal.generation)), problems: problems)
    }
  }
}

import Synchronization
import VMTuneKernel

extension Applier {
  /// What ``rollback(to:lockTimeout:)`` with `generation` would do, without writing a value, a
  /// journal or the sysctl.d file: the same restore, through a store that keeps its writes in
  /// memory (Ansible's check mode).
  public func rollbackPreview(to generation: Int) throws(ApplyError) -> RollbackReport {
    let targets = try journals.all().filter { $0.state == .applied && $0.generation >= generation }.reversed()
    let dry = InMemoryWrites(base: store)
    var total = RestoreReport()
    for journal in targets {
      let report = Restorer.restore(journal.entries, store: dry)
      total.restored += report.restored
      total.untouched += report.untouched
      total.failures += report.failures
    }
    return RollbackReport(generations: targets.map(\.generation), restore: total, recovered: nil)
  }
}

/// Reads from the host, writes to memory: later reads of a written key see the written value.
final class InMemoryWrites: SysctlAccess {
  let base: any SysctlAccess
  private let written = Mutex<[String: String]>([:])

  init(base: any SysctlAccess) { self.base = base }

  func read(_ key: String) throws(KernelError) -> String {
    if let value = written.withLock({ $0[key] }) { return value }
    return try base.read(key)
  }

  func write(_ key: String, _ value: String) throws(KernelError) {
    written.withLock { $0[key] = value.trimmingBlanks() }
  }

  func writeProblem(_ key: String) -> KernelError? { base.writeProblem(key) }
}

extension String {
  /// Without leading and trailing spaces and line feeds (what a read of the file returns).
  fileprivate func trimmingBlanks() -> String {
    let blank: (Character) -> Bool = { $0 == " " || $0 == "\n" }
    return String(drop(while: blank).reversed().drop(while: blank).reversed())
  }
}

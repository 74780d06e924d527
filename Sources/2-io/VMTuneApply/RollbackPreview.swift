import Synchronization
import VMTuneKernel

extension Applier {
  /// What ``rollback(to:force:lockTimeout:)`` with `generation` would do, without writing a value,
  /// a journal, the stand-down marker or the sysctl.d file: the same checks (corrupt or
  /// unreplayable journals, values changed since unless `force`) and the same restore of the
  /// folded entries, through a store that keeps its writes in memory (Ansible's check mode).
  public func rollbackPreview(to generation: Int, force: Bool = false) throws(ApplyError) -> RollbackReport {
    let scan = journals.scan()
    let targets = Array(scan.journals.filter { $0.state == .applied && $0.generation >= generation }.reversed())
    if let bad = scan.corrupt.first(where: { $0.generation >= generation }) {
      throw .corruptJournal(path: bad.path, reason: bad.reason)
    }
    let entries = try replayable(targets, scan: scan, force: force)
    let report = Restorer.restore(entries, store: InMemoryWrites(base: store))
    return RollbackReport(generations: targets.map(\.generation), restore: report, recovered: nil)
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

import VMTuneKernel
import VMTuneProfile

/// What restoring originals did.
public struct RestoreReport: Sendable, Hashable, Codable {
  public struct Restored: Sendable, Hashable, Codable {
    public var key: String
    public var from: SysctlValue
    public var to: SysctlValue
  }

  public struct Failure: Sendable, Hashable, Codable {
    public var key: String
    public var error: String
  }

  public var restored: [Restored] = []
  /// Keys already at their original value.
  public var untouched: [String] = []
  public var failures: [Failure] = []
}

/// Writes journal originals back in reverse order, comparing first so that only keys that
/// differ are written, and handling the kernel's mutually exclusive pairs.
enum Restorer {
  static func restore(_ entries: [Journal.Entry], store: any SysctlAccess) -> RestoreReport {
    var report = RestoreReport()
    let originals = Dictionary(entries.map { ($0.knob, $0.original) }, uniquingKeysWith: { a, _ in a })
    var done: Set<Knob> = []
    for entry in entries.reversed() where !done.contains(entry.knob) {
      done.insert(entry.knob)
      var (knob, original) = (entry.knob, entry.original)
      if let partner = knob.partner, let other = originals[partner] {
        done.insert(partner)
        if Knob.partnerWasInForce(knob, original, partner, other) { (knob, original) = (partner, other) }
      }
      restore(knob, original, store: store, into: &report)
    }
    return report
  }

  private static func restore(
    _ knob: Knob, _ original: SysctlValue, store: any SysctlAccess, into report: inout RestoreReport
  ) {
    do throws(KernelError) {
      let live = try store.read(knob.name)
      if knob.same(live, original) {
        report.untouched.append(knob.name)
        return
      }
      if let cause = writeAndVerify(knob, original, store: store) {
        report.failures.append(.init(key: knob.name, error: cause))
        return
      }
      report.restored.append(.init(key: knob.name, from: knob.parse(live) ?? .text(live), to: original))
    } catch {
      report.failures.append(.init(key: knob.name, error: error.description))
    }
  }

  /// Writes `value` in the kernel's text form and reads it back; the failure cause, or nil when
  /// the kernel holds the value.
  static func writeAndVerify(_ knob: Knob, _ value: SysctlValue, store: any SysctlAccess) -> String? {
    do throws(KernelError) {
      try store.write(knob.name, value.kernelText)
      let back = try store.read(knob.name)
      return knob.same(back, value) ? nil : "wrote \(value), the kernel reads back \(back)"
    } catch {
      return error.description
    }
  }
}

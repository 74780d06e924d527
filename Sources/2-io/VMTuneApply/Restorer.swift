import VMTuneKernel
import VMTuneProfile

/// What restoring originals did.
public struct RestoreReport: Sendable, Hashable, Codable {
  public struct Restored: Sendable, Hashable, Codable {
    public var key: String
    public var from: String
    public var to: String
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
    let originals = Dictionary(entries.map { ($0.key, $0.original) }, uniquingKeysWith: { a, _ in a })
    var done: Set<String> = []
    for entry in entries.reversed() where !done.contains(entry.key) {
      done.insert(entry.key)
      var key = entry.key
      var original = entry.original
      // Of a pair like dirty_ratio/dirty_bytes only the non-zero original was in force; writing
      // it makes the kernel zero the other, and writing 0 to a *_bytes knob is EINVAL.
      if let partner = KnobCatalog.knob(key)?.exclusiveWith, let other = originals[partner] {
        done.insert(partner)
        let keyIsRatio = key.hasSuffix("ratio")
        if original == "0" && other != "0" || (original == "0" && other == "0" && !keyIsRatio) {
          key = partner
          original = other
        }
      }
      let type = KnobCatalog.knob(key)?.type ?? .int
      do throws(KernelError) {
        let live = try store.read(key)
        if same(live, original, type) {
          report.untouched.append(key)
          continue
        }
        try store.write(key, SysctlValue.parseKernelText(original, type: type)?.kernelText ?? original)
        let back = try store.read(key)
        guard same(back, original, type) else {
          report.failures.append(.init(key: key, error: "wrote \(original), read back \(back)"))
          continue
        }
        report.restored.append(.init(key: key, from: live, to: original))
      } catch {
        report.failures.append(.init(key: key, error: error.description))
      }
    }
    return report
  }

  /// Equal as the kernel means it: same numbers, whitespace-insensitive.
  static func same(_ a: String, _ b: String, _ type: KnobType) -> Bool {
    if let x = SysctlValue.parseKernelText(a, type: type), let y = SysctlValue.parseKernelText(b, type: type) {
      return x == y
    }
    return a.split(whereSeparator: \.isWhitespace) == b.split(whereSeparator: \.isWhitespace)
  }
}

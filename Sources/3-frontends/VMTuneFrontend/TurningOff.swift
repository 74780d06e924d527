import VMTuneApply
import VMTunePlan
import VMTuneProfile

extension Frontend {
  /// `vmtune off` (and Ansible's `state: off`): one journaled apply of the empty profile, planned
  /// under the lock, so every managed key goes back to its baseline, the persist file vmtune wrote
  /// is removed and a running agent stands down.
  public func turnOff(lockTimeoutSeconds: Int = 10) throws(VMTuneError) -> ApplyReport {
    do {
      return try Applier(files: files).apply(
        options: ApplyOptions(lockTimeoutSeconds: lockTimeoutSeconds, unpersist: true)
      ) { () throws(ApplyError) -> Plan in
        do throws(VMTuneError) { return try plan(Profile(name: "off")) } catch { throw .planning(error.message) }
      }
    } catch {
      throw .apply(error)
    }
  }
}

import VMTuneHost
import VMTuneKernel

/// A fixture store that does what the kernel's handlers do beyond storing the value
/// (`dirty_ratio_handler()`, `dirty_bytes_handler()`; docs/KERNEL.md, Write order and exclusive pairs):
/// the dirty and overcommit pairs zero their partner on write.
public struct KernelEmulatingStore: SysctlAccess {
  public let base: SysctlStore

  public init(_ files: HostFiles) { base = SysctlStore(files: files) }

  public func read(_ key: String) throws(KernelError) -> String { try base.read(key) }

  public func write(_ key: String, _ value: String) throws(KernelError) {
    let old = try? base.read(key)
    try base.write(key, value)
    let changed = old != value
    switch key {
    case "dirty_ratio" where changed: try base.write("dirty_bytes", "0")
    case "dirty_bytes" where changed: try base.write("dirty_ratio", "0")
    case "dirty_background_ratio": try base.write("dirty_background_bytes", "0")
    case "dirty_background_bytes": try base.write("dirty_background_ratio", "0")
    case "overcommit_ratio": try base.write("overcommit_kbytes", "0")
    case "overcommit_kbytes": try base.write("overcommit_ratio", "0")
    default: break
    }
  }

  public func writeProblem(_ key: String) -> KernelError? { base.writeProblem(key) }
}

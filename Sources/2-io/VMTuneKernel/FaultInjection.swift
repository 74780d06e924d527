import Synchronization
import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// A fault to inject into sysctl writes, for tests of rollback (`--inject-fault`).
public struct Fault: Sendable, Equatable, CustomStringConvertible {
  public enum Point: Sendable, Equatable {
    /// Fail the Nth write of the run (1-based), whatever the key.
    case writeNumber(Int)
    /// Fail every write to this key.
    case key(String)
    /// Die by SIGKILL just before the Nth write (a crash mid-apply, for recovery tests).
    case crashBeforeWrite(Int)
    /// The state directory is a file system of this many bytes (see ``SpaceLimit``).
    case stateSpace(Int64)
  }

  public var point: Point
  public var errno: Errno

  public init(_ point: Point, errno: Errno = .invalidArgument) {
    self.point = point
    self.errno = errno
  }

  /// Parses `write:3`, `key:swappiness`, `crash:2` or `space:4096`.
  public init?(parsing text: String) {
    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { return nil }
    switch parts[0] {
    case "write":
      guard let n = Int(parts[1]), n >= 1 else { return nil }
      self.init(.writeNumber(n))
    case "key":
      self.init(.key(parts[1]))
    case "crash":
      guard let n = Int(parts[1]), n >= 1 else { return nil }
      self.init(.crashBeforeWrite(n))
    case "space":
      guard let n = Int64(parts[1]), n >= 0 else { return nil }
      self.init(.stateSpace(n), errno: .noSpace)
    default:
      return nil
    }
  }

  public var description: String {
    switch point {
    case .writeNumber(let n): return "write:\(n)"
    case .key(let k): return "key:\(k)"
    case .crashBeforeWrite(let n): return "crash:\(n)"
    case .stateSpace(let n): return "space:\(n)"
    }
  }
}

extension Fault {
  /// The limit a `space:N` fault puts on the state directory; nil for faults of sysctl writes.
  public var spaceLimit: SpaceLimit? {
    guard case .stateSpace(let bytes) = point else { return nil }
    return SpaceLimit(directory: SpaceLimit.stateDirectory, capacity: bytes)
  }
}

/// A file system of `capacity` bytes under `directory`, for tests of a full disk without mounting
/// one: a ``HostFiles/writeAtomically(_:_:mode:)`` below it that would take the files there past
/// the capacity fails with ENOSPC, as a full tmpfs does (`shmem_get_folio_gfp()` returns -ENOSPC).
/// Space is counted as a tmpfs counts it: whole 4 KiB pages per file, the temporary file and the
/// file it replaces both held until the rename.
public struct SpaceLimit: Sendable, Equatable {
  /// Where vmtune keeps journals and agent state.
  public static let stateDirectory = "var/lib/vmtune"
  public static let blockSize: Int64 = 4096

  public var directory: String
  public var capacity: Int64

  public init(directory: String, capacity: Int64) {
    self.directory = directory
    self.capacity = capacity
  }

  /// Pages a file of `size` bytes takes.
  static func blocks(_ size: Int64) -> Int64 { (size + blockSize - 1) / blockSize * blockSize }
}

extension HostFiles {
  /// Refuses a write of `count` bytes at `relative` that would not fit under ``spaceLimit``.
  func checkSpace(_ relative: String, adding count: Int, temporary: String) throws(KernelError) {
    guard let limit = spaceLimit, relative.hasPrefix(limit.directory + "/") else { return }
    if used(limit.directory) + SpaceLimit.blocks(Int64(count)) > limit.capacity {
      throw .io(operation: "write", path: temporary, errno: .noSpace)
    }
  }

  /// Bytes the regular files under `relative` take, in whole blocks.
  private func used(_ relative: String) -> Int64 {
    var total: Int64 = 0
    for name in list(relative) {
      let child = "\(relative)/\(name)"
      switch kind(child) {
      case .directory: total += used(child)
      case .file: total += SpaceLimit.blocks((try? status(child)).map { Int64($0.size) } ?? 0)
      default: break
      }
    }
    return total
  }
}

/// Wraps a store and fails the writes a ``Fault`` names, counting writes as it goes.
public final class FaultInjectingSysctl: SysctlAccess {
  public let base: any SysctlAccess
  public let fault: Fault
  private let count = Mutex(0)

  public init(base: any SysctlAccess, fault: Fault) {
    self.base = base
    self.fault = fault
  }

  /// Writes attempted so far.
  public var writes: Int { count.withLock { $0 } }

  public func read(_ key: String) throws(KernelError) -> String { try base.read(key) }

  public func write(_ key: String, _ value: String) throws(KernelError) {
    let n = count.withLock { c -> Int in
      c += 1
      return c
    }
    switch fault.point {
    case .writeNumber(let target) where target == n:
      throw .injected(key: key, errno: fault.errno)
    case .key(let k) where k == key:
      throw .injected(key: key, errno: fault.errno)
    case .crashBeforeWrite(let target) where target == n:
      kill(getpid(), SIGKILL)
      throw .injected(key: key, errno: fault.errno)
    default:
      try base.write(key, value)
    }
  }

  public func writeProblem(_ key: String) -> KernelError? { base.writeProblem(key) }
}

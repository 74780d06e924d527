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
  }

  public var point: Point
  public var errno: Errno

  public init(_ point: Point, errno: Errno = .invalidArgument) {
    self.point = point
    self.errno = errno
  }

  /// Parses `write:3` or `key:swappiness`.
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
    default:
      return nil
    }
  }

  public var description: String {
    switch point {
    case .writeNumber(let n): return "write:\(n)"
    case .key(let k): return "key:\(k)"
    case .crashBeforeWrite(let n): return "crash:\(n)"
    }
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

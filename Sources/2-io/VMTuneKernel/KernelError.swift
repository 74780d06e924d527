import SystemPackage
import VMTuneHost

/// A failure touching the host's files, with the path and the errno the kernel returned.
public enum KernelError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A system call failed on `path`.
  case io(operation: String, path: String, errno: Errno)
  /// A file's content is not in the expected form.
  case malformed(ParseError)
  /// A sysctl name that could escape /proc/sys/vm.
  case unsafeName(String)
  /// Another vmtune holds the lock.
  case locked(path: String, waitedSeconds: Int)
  /// A state directory another user could tamper with.
  case insecureState(path: String, reason: String)
  /// A fault injected by a test (`--inject-fault`).
  case injected(key: String, errno: Errno)
  /// A file the user named does not exist (not a knob this kernel lacks).
  case noSuchFile(path: String)
  /// A file's encoding is broken (a cut or garbled gzip stream).
  case corrupt(path: String, reason: String)

  /// The errno, when the failure came from a system call.
  public var errno: Errno? {
    switch self {
    case .io(_, _, let e), .injected(_, let e): return e
    case .noSuchFile: return .noSuchFileOrDirectory
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .io(let op, let path, let e):
      return "cannot \(op) \(path): \(e.vmtuneText)\(e.advice.map { "; \($0)" } ?? "")"
    case .malformed(let e):
      return e.description
    case .unsafeName(let name):
      return "refusing sysctl name '\(name)': names are plain file names under /proc/sys/vm"
    case .locked(let path, let waited):
      return "another vmtune is running (lock \(path) held for \(waited)s); wait for it or check for a stuck process"
    case .insecureState(let path, let reason):
      return "refusing state directory \(path): it \(reason); fix it (chown root, chmod 0700) or remove it"
    case .injected(let key, let e):
      return "injected fault writing \(key): \(e.vmtuneText)"
    case .noSuchFile(let path):
      return "no such file \(path)"
    case .corrupt(let path, let reason):
      return "\(path): \(reason)"
    }
  }
}

extension Errno {
  /// `EACCES (Permission denied)`.
  var vmtuneText: String {
    let names: [Errno: String] = [
      .permissionDenied: "EACCES", .noSuchFileOrDirectory: "ENOENT", .invalidArgument: "EINVAL",
      .readOnlyFileSystem: "EROFS", .notPermitted: "EPERM", Errno(rawValue: 34): "ERANGE",
      .noSpace: "ENOSPC", .tooManySymbolicLinkLevels: "ELOOP", .isDirectory: "EISDIR",
      .resourceBusy: "EBUSY", .notSupported: "EOPNOTSUPP", .ioError: "EIO", .wouldBlock: "EAGAIN",
    ]
    let name = names[self].map { "\($0): " } ?? ""
    return "\(name)\(description)"
  }

  /// What an operator should do about it.
  var advice: String? {
    switch self {
    case .permissionDenied, .notPermitted: return "run as root (sudo vmtune …)"
    case .readOnlyFileSystem: return "/proc/sys is mounted read-only here (a container?); run on the host"
    case .noSuchFileOrDirectory: return "this kernel does not have it"
    case .invalidArgument: return "the kernel rejected the value"
    case .tooManySymbolicLinkLevels: return "refusing to follow a symbolic link"
    case .noSpace: return "the file system is full"
    default: return nil
    }
  }
}

import SystemPackage

// flock(2) and usleep: swift-system has no advisory locks on Linux.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// An exclusive advisory lock (`flock`) on `<root>/run/vmtune.lock`, held until released.
public final class HostLock: Sendable {
  public static let relativePath = "run/vmtune.lock"
  private let fd: FileDescriptor
  public let path: String

  private init(fd: FileDescriptor, path: String) {
    self.fd = fd
    self.path = path
  }

  deinit { try? fd.close() }

  /// Takes the lock, retrying every 100 ms for up to `timeoutSeconds`.
  public static func acquire(_ files: HostFiles, timeoutSeconds: Int = 10) throws(KernelError) -> HostLock {
    try files.makeDirectories("run")
    if files.kind("run") == .symlink {
      throw .insecureState(path: files.path("run"), reason: "is a symbolic link")
    }
    let p = files.path(relativePath)
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(
        FilePath(p), .readWrite, options: [.create, .noFollow, .closeOnExec], permissions: .ownerReadWrite)
    } catch {
      throw .io(operation: "open lock", path: p, errno: HostFiles.code(error))
    }
    var waited = 0
    while flock(fd.rawValue, LOCK_EX | LOCK_NB) != 0 {
      let e = errno
      guard e == EWOULDBLOCK || e == EINTR else {
        try? fd.close()
        throw .io(operation: "lock", path: p, errno: Errno(rawValue: e))
      }
      if waited >= timeoutSeconds * 10 {
        try? fd.close()
        throw .locked(path: p, waitedSeconds: timeoutSeconds)
      }
      usleep(100_000)
      waited += 1
    }
    return HostLock(fd: fd, path: p)
  }
}

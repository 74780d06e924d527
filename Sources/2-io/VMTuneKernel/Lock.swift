import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// An exclusive advisory lock (`flock`) on `<root>/run/vmtune.lock`, held until released.
public final class HostLock: Sendable {
  public static let relativePath = "run/vmtune.lock"
  private let fd: Int32
  public let path: String

  private init(fd: Int32, path: String) {
    self.fd = fd
    self.path = path
  }

  deinit { close(fd) }

  /// Takes the lock, retrying every 100 ms for up to `timeoutSeconds`.
  public static func acquire(_ files: HostFiles, timeoutSeconds: Int = 10) throws(KernelError) -> HostLock {
    try files.makeDirectories("run")
    if files.kind("run") == .symlink {
      throw .insecureState(path: files.path("run"), reason: "is a symbolic link")
    }
    let p = files.path(relativePath)
    let fd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .io(operation: "open lock", path: p, errno: Errno(rawValue: errno)) }
    var waited = 0
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let e = errno
      guard e == EWOULDBLOCK || e == EINTR else {
        close(fd)
        throw .io(operation: "lock", path: p, errno: Errno(rawValue: e))
      }
      if waited >= timeoutSeconds * 10 {
        close(fd)
        throw .locked(path: p, waitedSeconds: timeoutSeconds)
      }
      usleep(100_000)
      waited += 1
    }
    return HostLock(fd: fd, path: p)
  }
}

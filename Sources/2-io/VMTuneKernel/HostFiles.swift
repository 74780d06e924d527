import SystemPackage

// swift-system has no unlink, rename, fsync, fchmod, mkdir, readlink or directory listing.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Every file vmtune touches, resolved under one root directory (`--root`, default `/`).
///
/// Nothing outside the root is opened, and the last path component is never followed if it
/// is a symbolic link (O_NOFOLLOW), so a fixture tree is a complete, safe stand-in for a host.
public struct HostFiles: Sendable {
  /// The root directory, without a trailing slash ("" for `/`); nil for plain paths.
  public let root: String?
  /// Tests only: a full file system emulated under one directory (`--inject-fault space:N`).
  public var spaceLimit: SpaceLimit?

  public init(root: String = "/") {
    var r = root
    while r.count > 1, r.hasSuffix("/") { r.removeLast() }
    self.root = r == "/" ? "" : r
  }

  private init(plain: Void) { self.root = nil }

  /// Files named by the user (profiles, saved plans): paths are used as given, relative to the
  /// working directory.
  public static let plain = HostFiles(plain: ())

  /// The root as the user gave it (`/` for the real host).
  public var rootDescription: String { root.map { $0.isEmpty ? "/" : $0 } ?? "." }

  /// The path of `relative` under the root (or `relative` itself for ``plain``).
  public func path(_ relative: String) -> String {
    guard let root else { return relative }
    return FilePath(root.isEmpty ? "/" : root).appending(relative).string
  }

  /// Reads a whole file (up to `limit` bytes).
  public func read(_ relative: String, limit: Int = 16 << 20) throws(KernelError) -> [UInt8] {
    let p = path(relative)
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(FilePath(p), .readOnly, options: [.noFollow, .closeOnExec])
    } catch {
      throw .io(operation: "open", path: p, errno: Self.code(error))
    }
    defer { try? fd.close() }
    // Read straight into the result's spare capacity: sysctl files are a few bytes, /proc
    // tables tens of kB; no zero-filled scratch buffer per call (the agent reads ~60 files a cycle).
    var result: [UInt8] = []
    var capacity = Swift.min(limit, 4096)
    while result.count < limit {
      if result.count == capacity { capacity = Swift.min(limit, capacity * 4) }
      let start = result.count
      let want = capacity - start
      var failure: Errno?
      result.append(contentsOf: repeatElement(0, count: want))
      let n: Int = result.withUnsafeMutableBytes { buffer in
        do {
          return try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + want)]))
        } catch {
          failure = error as? Errno ?? .ioError
          return 0
        }
      }
      result.removeLast(want - n)
      if let failure { throw .io(operation: "read", path: p, errno: failure) }
      if n == 0 { break }
    }
    return result
  }

  /// Reads a whole file as UTF-8 text.
  public func readText(_ relative: String, limit: Int = 16 << 20) throws(KernelError) -> String {
    String(decoding: try read(relative, limit: limit), as: UTF8.self)
  }

  /// One `write(2)` of the whole buffer at offset 0 to an existing file, as sysctl writes need
  /// (`kernel.sysctl_writes_strict=1`). Never creates the file: ENOENT means "not on this kernel".
  /// Deliberately not `writeAll`: a short write is an error, never continued at another offset.
  public func overwrite(_ relative: String, _ bytes: [UInt8]) throws(KernelError) {
    let p = path(relative)
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(
        FilePath(p), .writeOnly, options: [.truncate, .noFollow, .closeOnExec])
    } catch {
      throw .io(operation: "open for writing", path: p, errno: Self.code(error))
    }
    // closeAfter closes on both paths; a failed close after a good write is reported as such.
    var written = false
    do {
      try fd.closeAfter {
        let n = try bytes.withUnsafeBytes { try fd.write($0) }
        if n != bytes.count { throw Errno.ioError }
        written = true
      }
    } catch {
      throw .io(operation: written ? "close" : "write", path: p, errno: Self.code(error))
    }
  }

  /// Writes a file atomically: a temporary beside it (mode `mode`, O_EXCL|O_NOFOLLOW), fsync,
  /// rename over the target, fsync of the directory. Readers see the old or the new file whole.
  /// On any failure the temporary is removed and the target is left as it was.
  public func writeAtomically(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws(KernelError) {
    let target = FilePath(path(relative))
    let parent = target.removingLastComponent()
    let dir = parent.isEmpty ? FilePath(".") : parent
    let name = target.lastComponent?.string ?? ""
    let tmp = dir.appending(".\(name).tmp\(getpid())")
    let p = target.string
    _ = tmp.withPlatformString { unlink($0) }  // a leftover of a crashed run with a recycled pid
    try checkSpace(relative, adding: bytes.count, temporary: tmp.string)
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(
        tmp, .writeOnly, options: [.create, .exclusiveCreate, .noFollow, .closeOnExec],
        permissions: FilePermissions(rawValue: mode))
    } catch {
      throw .io(operation: "create", path: tmp.string, errno: Self.code(error))
    }
    var renamed = false
    defer { if !renamed { _ = tmp.withPlatformString { unlink($0) } } }
    var operation = "write"
    do {
      try fd.closeAfter {
        _ = try fd.writeAll(bytes)
        operation = "fsync"
        try Self.system { fsync(fd.rawValue) }
        operation = "chmod"  // the creation mode was filtered by the umask
        try Self.system { fchmod(fd.rawValue, mode) }
        operation = "close"
      }
    } catch {
      throw .io(operation: operation, path: tmp.string, errno: Self.code(error))
    }
    do {
      try Self.system { tmp.withPlatformString { from in target.withPlatformString { to in rename(from, to) } } }
    } catch {
      throw .io(operation: "rename to", path: p, errno: error)
    }
    renamed = true
    // The rename is durable once the directory is; a failure here leaves the new file in place.
    if let dfd = try? FileDescriptor.open(dir, .readOnly, options: [.directory, .closeOnExec]) {
      _ = try? dfd.closeAfter { try Self.system { fsync(dfd.rawValue) } }
    }
  }

  /// Renames `from` over `to` (both under the root, in one directory) and makes the rename
  /// durable (fsync of the directory). Needs no new data blocks, so it works on a full disk.
  public func move(_ from: String, to: String) throws(KernelError) {
    let source = FilePath(path(from))
    let target = FilePath(path(to))
    do {
      try Self.system { source.withPlatformString { a in target.withPlatformString { b in rename(a, b) } } }
    } catch {
      throw .io(operation: "rename to", path: target.string, errno: error)
    }
    let parent = target.removingLastComponent()
    if let dfd = try? FileDescriptor.open(
      parent.isEmpty ? FilePath(".") : parent, .readOnly, options: [.directory, .closeOnExec])
    {
      _ = try? dfd.closeAfter { try Self.system { fsync(dfd.rawValue) } }
    }
  }

  /// The errno of a swift-system error (EIO for anything else).
  static func code(_ error: any Error) -> Errno { error as? Errno ?? .ioError }

  /// A C call swift-system does not wrap, retried on EINTR as swift-system's own calls are;
  /// throws the errno when it returns -1.
  static func system(_ call: () -> Int32) throws(Errno) {
    while call() != 0 {
      guard errno == EINTR else { throw Errno(rawValue: errno) }
    }
  }

  /// Removes a file; a missing file is not an error.
  public func remove(_ relative: String) throws(KernelError) {
    let p = path(relative)
    if unlink(p) != 0, errno != ENOENT {
      throw .io(operation: "remove", path: p, errno: Errno(rawValue: errno))
    }
  }

  /// Creates a directory and its parents (like `mkdir -p`) with `mode` for the ones it creates.
  public func makeDirectories(_ relative: String, mode: mode_t = 0o755) throws(KernelError) {
    var current = root ?? (relative.hasPrefix("/") ? "" : ".")
    for part in relative.split(separator: "/") {
      current += "/" + part
      if mkdir(current, mode) != 0, errno != EEXIST {
        throw .io(operation: "create directory", path: current, errno: Errno(rawValue: errno))
      }
    }
  }

  /// Names in a directory (no `.`/`..`), sorted; empty when it does not exist.
  public func list(_ relative: String) -> [String] {
    guard let d = opendir(path(relative)) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let entry = readdir(d) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// Kinds of directory entries, without following symbolic links.
  public enum Kind: Sendable, Equatable { case missing, file, directory, symlink, other }

  /// What is at `relative` (lstat).
  public func kind(_ relative: String) -> Kind {
    guard let st = try? status(relative) else { return .missing }
    switch st.type {
    case .regular: return .file
    case .directory: return .directory
    case .symbolicLink: return .symlink
    default: return .other
    }
  }

  /// lstat(2) of `relative`: the one place modes and owners are read, never following a link.
  func status(_ relative: String) throws(Errno) -> Stat {
    try FilePath(path(relative)).stat(followTargetSymlink: false)
  }

  /// Whether `relative` is a directory, following symbolic links (for `--root`).
  public func isDirectory(following relative: String) -> Bool {
    guard let d = opendir(path(relative)) else { return false }
    closedir(d)
    return true
  }

  /// Permission bits of `relative` (lstat), or nil when missing.
  public func mode(_ relative: String) -> mode_t? {
    (try? status(relative))?.permissions.rawValue
  }

  /// The errno `access(2)` gives for writing `relative`, or nil when writable.
  public func writeAccessProblem(_ relative: String) -> Errno? {
    access(path(relative), W_OK) == 0 ? nil : Errno(rawValue: errno)
  }
}

extension HostFiles {
  /// Reads a file, following symbolic links only while they stay inside the root (relative
  /// targets resolve beside the link, absolute ones under the root); a link whose `..` climbs
  /// above the root is refused (ELOOP, "follow symbolic link"). For sysctl.d scans.
  public func readTextWithinRoot(_ relative: String, hops: Int = 8) throws(KernelError) -> String {
    var rel = relative
    for _ in 0..<hops {
      guard kind(rel) == .symlink else { return try readText(rel) }
      var buffer = [CChar](repeating: 0, count: 4096)
      let n = readlink(path(rel), &buffer, buffer.count - 1)
      guard n > 0 else { throw .io(operation: "readlink", path: path(rel), errno: Errno(rawValue: errno)) }
      let target = FilePath(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
      // Resolved against "/" standing for the root: an absolute target (pushing replaces the
      // link's directory) stays under it, and one whose `..` climbs above it is refused.
      let beside = FilePath(rel).removingLastComponent().pushing(target)
      guard let resolved = FilePath("/").lexicallyResolving(beside) else {
        throw .io(operation: "follow symbolic link", path: path(rel), errno: .tooManySymbolicLinkLevels)
      }
      rel = resolved.removingRoot().string
    }
    throw .io(operation: "open", path: path(relative), errno: .tooManySymbolicLinkLevels)
  }
}

extension HostFiles {
  /// The running binary's path (from /proc/self/exe), to find files shipped beside it.
  public static func executablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

extension HostFiles {
  /// Creates (0700) or checks a directory vmtune keeps state in: it must be a real directory, not
  /// a symbolic link, owned by the user running vmtune, and writable by nobody else — otherwise
  /// another user could plant or swap journals that root later replays.
  public func secureStateDirectory(_ relative: String) throws(KernelError) {
    try makeDirectories(relative, mode: 0o700)
    let st: Stat
    do { st = try status(relative) } catch {
      throw .io(operation: "stat", path: path(relative), errno: error)
    }
    if st.type == .symbolicLink {
      throw .insecureState(path: path(relative), reason: "is a symbolic link")
    }
    guard st.type == .directory else {
      throw .insecureState(path: path(relative), reason: "is not a directory")
    }
    let owner = st.userID.rawValue
    if owner != geteuid() {
      throw .insecureState(path: path(relative), reason: "is owned by uid \(owner), not \(geteuid())")
    }
    let permissions = st.permissions.rawValue
    if permissions & 0o022 != 0 {
      throw .insecureState(
        path: path(relative),
        reason: "is writable by group or others (mode \(String(permissions & 0o777, radix: 8)))")
    }
  }
}

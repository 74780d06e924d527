import SystemPackage

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
    return root + "/" + relative
  }

  /// Reads a whole file (up to `limit` bytes).
  public func read(_ relative: String, limit: Int = 16 << 20) throws(KernelError) -> [UInt8] {
    let p = path(relative)
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(FilePath(p), .readOnly, options: [.noFollow, .closeOnExec])
    } catch {
      throw .io(operation: "open", path: p, errno: error as? Errno ?? .ioError)
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
  public func overwrite(_ relative: String, _ bytes: [UInt8]) throws(KernelError) {
    let p = path(relative)
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(
        FilePath(p), .writeOnly, options: [.truncate, .noFollow, .closeOnExec])
    } catch {
      throw .io(operation: "open for writing", path: p, errno: error as? Errno ?? .ioError)
    }
    do {
      let n = try bytes.withUnsafeBytes { try fd.write($0) }
      if n != bytes.count { throw Errno.ioError }
    } catch {
      try? fd.close()
      throw .io(operation: "write", path: p, errno: error as? Errno ?? .ioError)
    }
    do { try fd.close() } catch {
      throw .io(operation: "close", path: p, errno: error as? Errno ?? .ioError)
    }
  }

  /// Writes a file atomically: a temporary beside it (mode `mode`, O_EXCL|O_NOFOLLOW), fsync,
  /// rename over the target, fsync of the directory. Readers see the old or the new file whole.
  public func writeAtomically(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws(KernelError) {
    let p = path(relative)
    let dir = Self.directory(of: p)
    let tmp = "\(dir)/.\(Self.baseName(p)).tmp\(getpid())"
    unlink(tmp)
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    guard fd >= 0 else { throw .io(operation: "create", path: tmp, errno: Errno(rawValue: Glibc.errno)) }
    var ok = false
    defer {
      if !ok { unlink(tmp) }
    }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buf in
        Glibc.write(fd, buf.baseAddress! + offset, bytes.count - offset)
      }
      if n < 0 {
        let e = Errno(rawValue: Glibc.errno)
        close(fd)
        throw .io(operation: "write", path: tmp, errno: e)
      }
      offset += n
    }
    if fsync(fd) != 0 {
      let e = Errno(rawValue: Glibc.errno)
      close(fd)
      throw .io(operation: "fsync", path: tmp, errno: e)
    }
    fchmod(fd, mode)
    close(fd)
    guard rename(tmp, p) == 0 else {
      throw .io(operation: "rename to", path: p, errno: Errno(rawValue: Glibc.errno))
    }
    ok = true
    let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dfd >= 0 {
      fsync(dfd)
      close(dfd)
    }
  }

  /// Removes a file; a missing file is not an error.
  public func remove(_ relative: String) throws(KernelError) {
    let p = path(relative)
    if unlink(p) != 0, Glibc.errno != ENOENT {
      throw .io(operation: "remove", path: p, errno: Errno(rawValue: Glibc.errno))
    }
  }

  /// Creates a directory and its parents (like `mkdir -p`) with `mode` for the ones it creates.
  public func makeDirectories(_ relative: String, mode: mode_t = 0o755) throws(KernelError) {
    var current = root ?? (relative.hasPrefix("/") ? "" : ".")
    for part in relative.split(separator: "/") {
      current += "/" + part
      if mkdir(current, mode) != 0, Glibc.errno != EEXIST {
        throw .io(operation: "create directory", path: current, errno: Errno(rawValue: Glibc.errno))
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
    var st = stat()
    guard lstat(path(relative), &st) == 0 else { return .missing }
    switch st.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    case S_IFLNK: return .symlink
    default: return .other
    }
  }

  /// Whether `relative` is a directory, following symbolic links (for `--root`).
  public func isDirectory(following relative: String) -> Bool {
    guard let d = opendir(path(relative)) else { return false }
    closedir(d)
    return true
  }

  /// Permission bits of `relative` (lstat), or nil when missing.
  public func mode(_ relative: String) -> mode_t? {
    var st = stat()
    guard lstat(path(relative), &st) == 0 else { return nil }
    return st.st_mode & 0o7777
  }

  /// The errno `access(2)` gives for writing `relative`, or nil when writable.
  public func writeAccessProblem(_ relative: String) -> Errno? {
    access(path(relative), W_OK) == 0 ? nil : Errno(rawValue: Glibc.errno)
  }

  static func directory(of path: String) -> String {
    guard let i = path.lastIndex(of: "/") else { return "." }
    return i == path.startIndex ? "/" : String(path[..<i])
  }

  static func baseName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
  }
}

extension HostFiles {
  /// Reads a file, following symbolic links only while they stay inside the root (relative
  /// targets resolve beside the link, absolute ones under the root). For sysctl.d scans.
  public func readTextWithinRoot(_ relative: String, hops: Int = 8) throws(KernelError) -> String {
    var rel = relative
    for _ in 0..<hops {
      guard kind(rel) == .symlink else { return try readText(rel) }
      var buffer = [CChar](repeating: 0, count: 4096)
      let n = readlink(path(rel), &buffer, buffer.count - 1)
      guard n > 0 else { throw .io(operation: "readlink", path: path(rel), errno: Errno(rawValue: errno)) }
      let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let base = target.hasPrefix("/") ? "" : (rel.split(separator: "/").dropLast().joined(separator: "/"))
      var parts: [Substring] = []
      for part in (base + "/" + target).split(separator: "/") {
        if part == "." { continue }
        if part == ".." { _ = parts.popLast() } else { parts.append(part) }
      }
      rel = parts.joined(separator: "/")
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
    if kind(relative) == .symlink {
      throw .insecureState(path: path(relative), reason: "is a symbolic link")
    }
    var st = stat()
    guard lstat(path(relative), &st) == 0 else {
      throw .io(operation: "stat", path: path(relative), errno: Errno(rawValue: errno))
    }
    guard st.st_mode & S_IFMT == S_IFDIR else {
      throw .insecureState(path: path(relative), reason: "is not a directory")
    }
    if st.st_uid != geteuid() {
      throw .insecureState(path: path(relative), reason: "is owned by uid \(st.st_uid), not \(geteuid())")
    }
    if st.st_mode & 0o022 != 0 {
      throw .insecureState(path: path(relative), reason: "is writable by group or others (mode \(String(st.st_mode & 0o777, radix: 8)))")
    }
  }
}

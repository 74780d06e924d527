import SystemPackage
import VMTuneHost

/// Reads and writes of `/proc/sys/vm/<key>`; the seam where tests inject faults.
public protocol SysctlAccess: Sendable {
  /// The file's content with surrounding whitespace trimmed.
  func read(_ key: String) throws(KernelError) -> String
  /// One write of `value + "\n"` at offset 0.
  func write(_ key: String, _ value: String) throws(KernelError)
  /// Why a write to `key` would fail before trying it (permissions, read-only /proc), or nil.
  func writeProblem(_ key: String) -> KernelError?
}

/// The real store: `<root>/proc/sys/vm/<key>`, opened with O_NOFOLLOW.
public struct SysctlStore: SysctlAccess {
  public static let directory = "proc/sys/vm"
  /// Files under /proc/sys/vm that are actions, not settings: writing them does something once
  /// (`drop_caches`, `compact_memory`), and reading `stat_refresh` folds per-CPU counters. They
  /// are never read; the knob catalog marks the same names as triggers (a test keeps them equal).
  public static let writeOnly: Set<String> = ["compact_memory", "drop_caches", "stat_refresh"]
  public let files: HostFiles

  public init(files: HostFiles) { self.files = files }

  /// Refuses names that could leave /proc/sys/vm.
  public static func checkName(_ key: String) throws(KernelError) {
    if key.isEmpty || key.contains("/") || key == "." || key == ".." || key.utf8.contains(0) {
      throw .unsafeName(key)
    }
  }

  func relative(_ key: String) -> String { "\(Self.directory)/\(key)" }

  public func read(_ key: String) throws(KernelError) -> String {
    try Self.checkName(key)
    return String(try files.readText(relative(key), limit: 1 << 16).trimmingWhitespace())
  }

  public func write(_ key: String, _ value: String) throws(KernelError) {
    try Self.checkName(key)
    try files.overwrite(relative(key), Array((value + "\n").utf8))
  }

  public func writeProblem(_ key: String) -> KernelError? {
    do throws(KernelError) { try Self.checkName(key) } catch { return error }
    switch files.kind(relative(key)) {
    case .missing: return .io(operation: "open", path: files.path(relative(key)), errno: .noSuchFileOrDirectory)
    case .symlink: return .io(operation: "open", path: files.path(relative(key)), errno: .tooManySymbolicLinkLevels)
    case .directory: return .io(operation: "open", path: files.path(relative(key)), errno: .isDirectory)
    default: break
    }
    return files.writeAccessProblem(relative(key)).map {
      .io(operation: "open for writing", path: files.path(relative(key)), errno: $0)
    }
  }

  /// Every entry of /proc/sys/vm on this host.
  public func keys() -> [String] { files.list(Self.directory) }
}

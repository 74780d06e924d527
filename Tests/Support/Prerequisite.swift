import Foundation
import Testing

/// Something a test needs from the machine (a tool, a permission). Where it is missing the test
/// is reported skipped with the reason; in CI (`CI=true`) it runs anyway and fails, so a build
/// image that lost the tool cannot turn the test into a silent pass.
public struct Prerequisite: Sendable {
  public let name: String
  /// Why the test cannot run here; nil when it can.
  public let problem: String?

  public init(_ name: String, problem: String?) {
    self.name = name
    self.problem = problem
  }

  /// Whether this is a CI run (`CI=true`, as GitHub Actions, GitLab and most others set it).
  public static var inCI: Bool {
    ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")
  }

  /// Skips the test visibly, with the reason, when the prerequisite is missing outside CI.
  public var trait: ConditionTrait {
    .disabled(
      if: problem != nil && !Self.inCI,
      Comment(rawValue: "cannot run: \(name): \(problem ?? "")"))
  }

  /// Call first in the test: records a failure and returns false when the prerequisite is
  /// missing (reached only in CI, where the trait does not skip).
  public func check(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard let problem else { return true }
    Issue.record(Comment(rawValue: "cannot run: \(name): \(problem)"), sourceLocation: sourceLocation)
    return false
  }
}

extension Prerequisite {
  /// An executable file at `path` (from the Debian package `package`).
  public static func executable(_ path: String, package: String) -> Prerequisite {
    Prerequisite(
      path,
      problem: FileManager.default.isExecutableFile(atPath: path)
        ? nil : "\(path) is missing (install: apt-get install \(package))")
  }

  /// A regular file at `path` (from the Debian package `package`), such as a profile a package ships.
  public static func file(_ path: String, package: String) -> Prerequisite {
    var isDirectory: ObjCBool = false
    let present = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    return Prerequisite(path, problem: present ? nil : "\(path) is missing (install: apt-get install \(package))")
  }

  /// `python3` on PATH with every module in `modules` importable.
  public static func python3(modules: [String], install: String) -> Prerequisite {
    let name = "python3 with " + modules.joined(separator: ", ")
    do {
      let r = try runProgram("/usr/bin/env", ["python3", "-c", "import " + modules.joined(separator: ", ")])
      if r.status == 0 && !r.signalled { return Prerequisite(name, problem: nil) }
      let why =
        r.status == 127
        ? "python3 is not on PATH" : r.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(r.status)"
      return Prerequisite(name, problem: "\(why) (install: \(install))")
    } catch {
      return Prerequisite(name, problem: "cannot run /usr/bin/env: \(error)")
    }
  }

  /// Root, mount(8) and umount(8), and permission to mount a tmpfs (no container without
  /// CAP_SYS_ADMIN): tried once on a scratch directory.
  public static let tmpfsMount: Prerequisite = {
    let name = "mounting a tmpfs"
    guard getuid() == 0 else { return Prerequisite(name, problem: "not running as root") }
    for tool in ["/bin/mount", "/bin/umount"] where !FileManager.default.isExecutableFile(atPath: tool) {
      return Prerequisite(name, problem: "\(tool) is missing")
    }
    let dir = FileManager.default.temporaryDirectory.path + "/vmtune-mount-probe-" + UUID().uuidString
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let mount = try runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", dir])
      guard mount.status == 0 else {
        return Prerequisite(
          name, problem: "mount -t tmpfs failed: \(mount.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
      }
      let umount = try runProgram("/bin/umount", [dir])
      guard umount.status == 0 else { return Prerequisite(name, problem: "umount failed: \(umount.stderr)") }
      return Prerequisite(name, problem: nil)
    } catch {
      return Prerequisite(name, problem: "\(error)")
    }
  }()
}

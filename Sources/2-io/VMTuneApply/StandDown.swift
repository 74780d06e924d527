import FoundationEssentials
import VMTuneKernel

/// `<root>/var/lib/vmtune/stand-down.json`: left by `vmtune rollback` and `vmtune off` so that a running agent
/// stops putting the profile back; the agent's enforcement is refused while it exists (checked
/// under the lock), and the next apply by an operator removes it. A marker that cannot be read
/// still counts: the agent stands down rather than guess.
public struct StandDown: Sendable, Hashable, Codable {
  public static let path = "var/lib/vmtune/stand-down.json"

  /// The generations the rollback undid.
  public var generations: [Int]
  /// When (seconds since the epoch).
  public var at: Int64
  /// Who asked: `rollback` (nil in older markers) or `off`.
  public var command: String?

  public init(generations: [Int], at: Int64, command: String? = nil) {
    self.generations = generations
    self.at = at
    self.command = command
  }

  /// The marker under `files`' root, nil when there is none.
  public static func read(_ files: HostFiles) -> StandDown? {
    guard files.kind(path) != .missing else { return nil }
    guard let bytes = try? files.read(path, limit: 1 << 16),
      let marker = try? JSONDecoder().decode(StandDown.self, from: Data(bytes))
    else { return StandDown(generations: [], at: 0) }
    return marker
  }

  func write(_ files: HostFiles) throws(ApplyError) {
    do {
      try files.secureStateDirectory("var/lib/vmtune")
      try files.writeAtomically(Self.path, Array(try JSONEncoder().encode(self)), mode: 0o600)
    } catch let e as KernelError {
      throw .journal(e)
    } catch {
      throw .journal(.io(operation: "encode", path: files.path(Self.path), errno: .invalidArgument))
    }
  }

  static func clear(_ files: HostFiles) { try? files.remove(path) }
}

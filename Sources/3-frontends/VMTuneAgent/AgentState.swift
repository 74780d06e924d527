import FoundationEssentials
import VMTuneKernel
import VMTuneProfile

/// What the agent remembers about one action across cycles, restarts and `--once` runs.
public struct ActionRecord: Sendable, Hashable, Codable {
  /// When it last ran (epoch seconds).
  public var lastRun: Int64?
  /// Consecutive runs that changed nothing they were meant to change.
  public var futileRuns = 0
  /// After a futile run: not again before this (epoch seconds) unless memory changed.
  public var heldOffUntil: Int64?
  /// Free pages and suitable free blocks right after the last futile run; a change of more
  /// than a tenth in either ends the hold-off early.
  public var futileFreePages: UInt64?
  public var futileBlocks: UInt64?
  /// The last run's measured effect, for `vmtune status` and the log.
  public var lastEffect: String?

  public init() {}

  /// Whether memory moved enough since the futile run that trying again makes sense.
  public func memoryChanged(freePages: UInt64, blocks: UInt64) -> Bool {
    func moved(_ then: UInt64?, _ now: UInt64) -> Bool {
      guard let then else { return true }
      let delta = then > now ? then - now : now - then
      return delta * 10 > Swift.max(then, 1)
    }
    return moved(futileFreePages, freePages) || moved(futileBlocks, blocks)
  }
}

/// `<root>/var/lib/vmtune/agent-state.json`: each action's ``ActionRecord`` and the last cycle
/// (format 2), or the first format's `{action: lastRun}`, which is still read.
public enum AgentState {
  static let path = "var/lib/vmtune/agent-state.json"

  /// The agent's last cycle, for `vmtune status`.
  public struct Cycle: Sendable, Hashable, Codable {
    /// Epoch seconds.
    public var at: Int64
    /// Something in it failed (host unreadable, enforcement, an action).
    public var failed: Bool
    /// It enforced the profile (false: `--no-enforce`, or standing down).
    public var enforcing: Bool
  }

  struct File: Codable {
    var formatVersion = 2
    var actions: [String: ActionRecord]
    var lastCycle: Cycle?
  }

  /// What the state file says, for `vmtune status`: each action's record by name and the last
  /// cycle; nil when there is no readable state file.
  public static func summary(_ files: HostFiles) -> (actions: [String: ActionRecord], lastCycle: Cycle?)? {
    guard let bytes = try? files.read(path), let file = try? JSONDecoder().decode(File.self, from: Data(bytes))
    else { return nil }
    return (file.actions, file.lastCycle)
  }

  static func load(_ files: HostFiles) -> [Action.Kind: ActionRecord] {
    guard let bytes = try? files.read(path) else { return [:] }
    var out: [Action.Kind: ActionRecord] = [:]
    if let file = try? JSONDecoder().decode(File.self, from: Data(bytes)) {
      for (k, v) in file.actions { if let kind = Action.Kind(rawValue: k) { out[kind] = v } }
    } else if let legacy = try? JSONDecoder().decode([String: Int64].self, from: Data(bytes)) {
      for (k, v) in legacy {
        guard let kind = Action.Kind(rawValue: k) else { continue }
        var r = ActionRecord()
        r.lastRun = v
        out[kind] = r
      }
    }
    return out
  }

  /// Nil on success, else a message for the log.
  static func save(_ records: [Action.Kind: ActionRecord], _ files: HostFiles, cycle: Cycle? = nil) -> String? {
    let file = File(
      actions: Dictionary(uniqueKeysWithValues: records.map { ($0.key.rawValue, $0.value) }), lastCycle: cycle)
    do {
      try files.secureStateDirectory("var/lib/vmtune")
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
      try files.writeAtomically(path, Array(try encoder.encode(file)), mode: 0o600)
      return nil
    } catch {
      return "cannot save \(files.path(path)): \(error); schedules restart from now after a restart"
    }
  }
}

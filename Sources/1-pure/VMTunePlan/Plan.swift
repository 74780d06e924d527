import VMTuneProfile

/// What applying a profile would do to one sysctl.
public struct PlanEntry: Sendable, Hashable, Codable {
  public enum Action: String, Sendable, Hashable, Codable {
    /// The live value differs; apply writes `desired`.
    case change
    /// The live value already satisfies the profile.
    case unchanged
    /// Not applicable here (condition false, knob absent on this kernel, unreadable).
    case skipped
    /// The profile asks for something this kernel would refuse; apply will not run.
    case blocked
  }

  public var key: String
  public var action: Action
  /// The live value (canonical text), when readable.
  public var current: String?
  /// What apply writes (canonical kernel text), for changes.
  public var desired: String?
  /// What the profile asks, as written (`<= 10`, `1% of RAM, min 131072`).
  public var target: String
  /// Why an entry is skipped or blocked.
  public var reason: String?
  /// Side effects worth knowing (`clears dirty_bytes`).
  public var note: String?
  public var location: SourceLocation
  public var profile: String

  public init(
    key: String, action: Action, current: String?, desired: String?, target: String,
    reason: String? = nil, note: String? = nil, location: SourceLocation, profile: String
  ) {
    self.key = key
    self.action = action
    self.current = current
    self.desired = desired
    self.target = target
    self.reason = reason
    self.note = note
    self.location = location
    self.profile = profile
  }
}

/// A finding about the plan as a whole.
public struct PlanWarning: Sendable, Hashable, Codable {
  public enum Severity: String, Sendable, Hashable, Codable {
    /// Worth reading; apply proceeds.
    case warning
    /// A guard: apply refuses unless `--force`.
    case guardViolation = "guard"
  }

  public var severity: Severity
  public var key: String?
  public var message: String

  public init(severity: Severity, key: String?, message: String) {
    self.severity = severity
    self.key = key
    self.message = message
  }
}

/// The diff between a profile and a host, in write order.
public struct Plan: Sendable, Hashable, Codable {
  public static let formatVersion = 1

  public var formatVersion: Int = Plan.formatVersion
  public var profile: String
  public var files: [String]
  public var host: HostFacts
  public var entries: [PlanEntry]
  public var warnings: [PlanWarning]
  /// One line per scheduled/conditional action the profile declares (run by the agent).
  public var actions: [String]
  /// Live values of every key apply would write (and their exclusive partners), for stale checks.
  public var observed: [String: String]
  /// Per-zone watermarks now and after apply, when the plan changes min_free_kbytes or
  /// watermark_scale_factor and /proc/zoneinfo is readable.
  public var watermarks: [ZoneForecast]?

  public var changes: [PlanEntry] { entries.filter { $0.action == .change } }
  public var blocked: [PlanEntry] { entries.filter { $0.action == .blocked } }
  public var guardViolations: [PlanWarning] { warnings.filter { $0.severity == .guardViolation } }

  /// Counts for the summary line.
  public var summary: (change: Int, unchanged: Int, skipped: Int, blocked: Int) {
    var c = (change: 0, unchanged: 0, skipped: 0, blocked: 0)
    for e in entries {
      switch e.action {
      case .change: c.change += 1
      case .unchanged: c.unchanged += 1
      case .skipped: c.skipped += 1
      case .blocked: c.blocked += 1
      }
    }
    return c
  }
}

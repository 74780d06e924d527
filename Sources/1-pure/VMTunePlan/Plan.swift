import VMTuneProfile

/// What applying a profile would do to one sysctl, decided once by the planner: the knob it
/// concerns (type, range, exclusive partner) and the typed values. Apply, restore, the journal
/// and persistence consume these values; nobody re-parses text.
public struct PlanEntry: Sendable, Hashable {
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

  /// The catalog knob; never a write-only trigger (the loader refuses those as settings).
  public var knob: Knob
  public var action: Action
  /// The live value, when readable.
  public var current: SysctlValue?
  /// What apply writes, for changes.
  public var desired: SysctlValue?
  /// What the profile asks, as written (`<= 10`, `1% of RAM, min 131072`).
  public var target: String
  /// Why an entry is skipped or blocked.
  public var reason: String?
  /// Side effects worth knowing (`clears dirty_bytes`).
  public var note: String?
  public var location: ProfileLocation
  public var profile: String
  /// A key the profile does not manage that vmtune changed before: apply writes back the host's
  /// baseline (its value before vmtune), `- key  131072 → 67584 (released)`.
  public var released = false
  /// The target is `percent_of_ram`: persisted files leave it to the boot-time apply, which
  /// recomputes it from the RAM the host boots with.
  public var ramRelative = false

  /// The file name under /proc/sys/vm.
  public var key: String { knob.name }

  public init(
    knob: Knob, action: Action, current: SysctlValue?, desired: SysctlValue?, target: String,
    reason: String? = nil, note: String? = nil, location: ProfileLocation, profile: String
  ) {
    self.knob = knob
    self.action = action
    self.current = current
    self.desired = desired
    self.target = target
    self.reason = reason
    self.note = note
    self.location = location
    self.profile = profile
  }

  /// The value the host has once the plan is applied (desired for changes, else current).
  public var after: SysctlValue? { action == .change ? desired : current }
}

extension PlanEntry: Codable {
  enum CodingKeys: String, CodingKey {
    case key, action, current, desired, target, reason, note, location, profile, released, ramRelative
  }

  /// Saved plans name the knob; decoding looks it up and parses the values with its type, so an
  /// edited plan with an unknown key or a malformed value is refused before anything runs.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    knob = try KnobCatalog.decoding(try c.decode(String.self, forKey: .key), at: c.codingPath)
    action = try c.decode(Action.self, forKey: .action)
    let knob = self.knob
    func value(_ key: CodingKeys) throws -> SysctlValue? {
      try c.decodeIfPresent(String.self, forKey: key).map {
        try KnobCatalog.value($0, of: knob, at: c.codingPath + [key])
      }
    }
    current = try value(.current)
    desired = try value(.desired)
    target = try c.decode(String.self, forKey: .target)
    reason = try c.decodeIfPresent(String.self, forKey: .reason)
    note = try c.decodeIfPresent(String.self, forKey: .note)
    location = try c.decode(ProfileLocation.self, forKey: .location)
    profile = try c.decode(String.self, forKey: .profile)
    released = try c.decodeIfPresent(Bool.self, forKey: .released) ?? false
    ramRelative = try c.decodeIfPresent(Bool.self, forKey: .ramRelative) ?? false
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(knob.codingName, forKey: .key)
    try c.encode(action, forKey: .action)
    try c.encodeIfPresent(current, forKey: .current)
    try c.encodeIfPresent(desired, forKey: .desired)
    try c.encode(target, forKey: .target)
    try c.encodeIfPresent(reason, forKey: .reason)
    try c.encodeIfPresent(note, forKey: .note)
    try c.encode(location, forKey: .location)
    try c.encode(profile, forKey: .profile)
    if released { try c.encode(released, forKey: .released) }
    if ramRelative { try c.encode(ramRelative, forKey: .ramRelative) }
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
  /// 2: typed entries decoded through the knob catalog, actions with their forecast.
  public static let formatVersion = 2

  public var formatVersion: Int = Plan.formatVersion
  public var profile: String
  public var files: [String]
  public var host: HostFacts
  /// The host and boot the plan was made on; `apply --plan` refuses it anywhere else.
  public var identity: HostIdentity?
  /// The profile's guards; apply evaluates them against the live host.
  public var guards: Guards?
  public var entries: [PlanEntry]
  public var warnings: [PlanWarning]
  /// The profile's actions (run by the agent), each with whether its conditions hold now.
  public var actions: [ActionForecast]
  /// Live values of every key apply would write (and their exclusive partners), for stale checks
  /// and as the originals the journal records.
  public var observed: Observed
  /// Per-zone watermarks now and after apply, when the plan changes min_free_kbytes or
  /// watermark_scale_factor and /proc/zoneinfo is readable.
  public var watermarks: [ZoneForecast]?
  /// The profile's `persist.file` (the sysctl.d file name `apply --persist` writes), if it sets one.
  public var persistFile: String?

  public var changes: [PlanEntry] { entries.filter { $0.action == .change } }
  public var blocked: [PlanEntry] { entries.filter { $0.action == .blocked } }
  public var guardViolations: [PlanWarning] { warnings.filter { $0.severity == .guardViolation } }
  /// Whether `apply` (without `--force` for guards) would refuse this plan.
  public var wouldBeRefused: Bool { !blocked.isEmpty || !guardViolations.isEmpty }

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

/// Live values a plan was made against, by knob. Encoded as `{key: text}`; decoding parses each
/// text with its knob's type.
public struct Observed: Sendable, Hashable, Codable, Sequence {
  public private(set) var values: [Knob: SysctlValue] = [:]

  public init() {}

  public subscript(knob: Knob) -> SysctlValue? {
    get { values[knob] }
    set { values[knob] = newValue }
  }

  public subscript(key: String) -> SysctlValue? {
    values.first { $0.key.name == key }?.value
  }

  /// The values by key name.
  public var byKey: [String: SysctlValue] {
    Dictionary(uniqueKeysWithValues: values.map { ($0.key.name, $0.value) })
  }

  /// In key order, for stable output and checks.
  public func makeIterator() -> IndexingIterator<[(knob: Knob, value: SysctlValue)]> {
    values.map { (knob: $0.key, value: $0.value) }.sorted { $0.knob.name < $1.knob.name }.makeIterator()
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    for (key, text) in try c.decode([String: String].self) {
      let knob = try KnobCatalog.decoding(key, at: c.codingPath)
      values[knob] = try KnobCatalog.value(text, of: knob, at: c.codingPath)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(Dictionary(uniqueKeysWithValues: values.map { ($0.key.codingName, $0.value.description) }))
  }
}

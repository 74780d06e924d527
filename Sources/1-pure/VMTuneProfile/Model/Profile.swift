/// One sysctl a profile sets, after `include:` merging. The loader resolves the key to its
/// catalog knob once; everything after it works with the knob.
public struct Setting: Sendable, Hashable {
  public var knob: Knob
  public var target: Target
  /// All must hold on the host (the profile's own `when:` plus the setting's).
  public var conditions: [Condition]
  /// Where the value was written (the child's line when a child overrides a parent).
  public var location: ProfileLocation
  /// Name of the profile that set it.
  public var profile: String

  /// File name under /proc/sys/vm.
  public var key: String { knob.name }

  public init(
    knob: Knob, target: Target, conditions: [Condition] = [], location: ProfileLocation,
    profile: String
  ) {
    self.knob = knob
    self.target = target
    self.conditions = conditions
    self.location = location
    self.profile = profile
  }
}

extension Setting: Codable {
  enum CodingKeys: String, CodingKey { case key, target, conditions, location, profile }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    knob = try KnobCatalog.decoding(try c.decode(String.self, forKey: .key), at: c.codingPath)
    target = try c.decode(Target.self, forKey: .target)
    conditions = try c.decode([Condition].self, forKey: .conditions)
    location = try c.decode(ProfileLocation.self, forKey: .location)
    profile = try c.decode(String.self, forKey: .profile)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(knob.codingName, forKey: .key)
    try c.encode(target, forKey: .target)
    try c.encode(conditions, forKey: .conditions)
    try c.encode(location, forKey: .location)
    try c.encode(profile, forKey: .profile)
  }
}

/// Guards a profile sets on what vmtune will apply.
public struct Guards: Sendable, Hashable, Codable {
  /// Refuse plans whose min_free_kbytes reserves more than this percent of MemTotal.
  public var maxMinFreePercent: Int64?

  public init(maxMinFreePercent: Int64? = nil) {
    self.maxMinFreePercent = maxMinFreePercent
  }

  /// The guard used when a profile sets none.
  public static let defaultMaxMinFreePercent: Int64 = 5
}

/// A fully loaded profile: includes merged (parents first, child wins), validated against the
/// knob catalog.
public struct Profile: Sendable, Hashable, Codable {
  public var apiVersion: String
  public var name: String
  public var description: String
  /// Settings in first-seen order.
  public var settings: [Setting]
  public var actions: [Action]
  public var guards: Guards
  /// The profile's own `when:` (a profile whose conditions fail applies nothing).
  public var conditions: [Condition]
  /// Every file read, the root profile first.
  public var files: [String]
  /// Keys released to the host's baseline (`unmanage:`): vmtune stops managing them, and an
  /// apply writes back the value each had before vmtune first changed it. Catalog names, or
  /// `unchecked:NAME`.
  public var unmanaged: [String] = []
  /// The sysctl.d file name `apply --persist` writes (`persist: { file: … }`); nil: the default,
  /// `90-vmtune.conf`.
  public var persistFile: String?

  public init(
    apiVersion: String = "vmtune/v1", name: String, description: String = "",
    settings: [Setting] = [], actions: [Action] = [], guards: Guards = Guards(),
    conditions: [Condition] = [], files: [String] = []
  ) {
    self.apiVersion = apiVersion
    self.name = name
    self.description = description
    self.settings = settings
    self.actions = actions
    self.guards = guards
    self.conditions = conditions
    self.files = files
  }

  /// The setting for `key`, if the profile has one.
  public func setting(_ key: String) -> Setting? {
    settings.first { $0.key == key }
  }
}

/// One sysctl a profile sets, after `include:` merging.
public struct Setting: Sendable, Hashable, Codable {
  /// File name under /proc/sys/vm.
  public var key: String
  public var target: Target
  /// All must hold on the host (the profile's own `when:` plus the setting's).
  public var conditions: [Condition]
  /// Where the value was written (the child's line when a child overrides a parent).
  public var location: ProfileLocation
  /// Name of the profile that set it.
  public var profile: String

  public init(
    key: String, target: Target, conditions: [Condition] = [], location: ProfileLocation,
    profile: String
  ) {
    self.key = key
    self.target = target
    self.conditions = conditions
    self.location = location
    self.profile = profile
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

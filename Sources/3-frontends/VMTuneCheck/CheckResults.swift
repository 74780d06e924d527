import VMTuneFrontend

/// Output formats of `vmtune check`.
public enum CheckFormat: String, CaseIterable, Sendable {
  case text, json, junit, prometheus
}

/// Everything one `vmtune check` found: a report per host (the live host, or each snapshot of a
/// directory), each snapshot that could not be read, or why the check could not run at all.
/// Every format renders all three, so a host never vanishes from a report.
public struct CheckResults: Sendable {
  /// A snapshot file that could not be read or decoded.
  public struct Unreadable: Encodable, Sendable {
    /// The file's name in the checked directory.
    public var snapshot: String
    /// The file's path as given.
    public var path: String
    public var error: String
  }

  /// One snapshot (or the live host) and what came of it.
  public enum Entry: Sendable {
    case checked(CheckReport)
    case unreadable(Unreadable)
  }

  /// The profile's name (when it could not be loaded: the name or file stem given).
  public var profile: String
  public var timestamp: Int64
  /// Whether this checked a directory of snapshots (reports then carry host and snapshot labels).
  public var fleet: Bool
  /// In snapshot file order.
  public var entries: [Entry]
  /// Why the check as a whole could not run (profile, host, no snapshots); nil when it ran.
  public var failure: String?

  public init(profile: String, timestamp: Int64, fleet: Bool, entries: [Entry], failure: String? = nil) {
    self.profile = profile
    self.timestamp = timestamp
    self.fleet = fleet
    self.entries = entries
    self.failure = failure
  }

  /// The check of one host.
  public init(_ report: CheckReport) {
    self.init(profile: report.profile, timestamp: report.timestamp, fleet: false, entries: [.checked(report)])
  }

  /// A check that could not run: `message` is the error (printed once by the caller).
  public static func failed(profile: String, message: String, timestamp: Int64) -> CheckResults {
    CheckResults(profile: profile, timestamp: timestamp, fleet: false, entries: [], failure: message)
  }

  public var reports: [CheckReport] {
    entries.compactMap { if case .checked(let r) = $0 { r } else { nil } }
  }

  public var unreadable: [Unreadable] {
    entries.compactMap { if case .unreadable(let u) = $0 { u } else { nil } }
  }

  public var drifted: [CheckReport] { reports.filter { $0.drifted > 0 } }

  /// The check ran and read every host.
  public var succeeded: Bool { failure == nil && unreadable.isEmpty }

  /// 0 in sync, 2 drift (any host), 1 the check failed or a snapshot was unreadable.
  public var exitStatus: Int32 { !succeeded ? 1 : drifted.isEmpty ? 0 : 2 }

  /// The report in `format`. A failed check has no text or JSON form (its error is the output);
  /// JUnit and Prometheus say it, so a CI job or a scrape sees the failure.
  public func render(_ format: CheckFormat, terminal: Terminal) throws(VMTuneError) -> String {
    switch format {
    case .text:
      if !fleet, let report = reports.first { return report.text(terminal) }
      return FleetText.render(self, terminal: terminal) + "\n"
    case .json:
      if !fleet, let report = reports.first { return try JSONFile.string(report) + "\n" }
      return try JSONFile.string(FleetJSON(self)) + "\n"
    case .junit: return JUnitReport.render(self)
    case .prometheus: return PrometheusReport.render(self)
    }
  }
}

/// `check --snapshot DIR --format json`.
struct FleetJSON: Encodable {
  var formatVersion = 1
  var profile: String
  /// Snapshot files found.
  var snapshots: Int
  /// Snapshots read and checked.
  var checked: Int
  var drifted: Int
  /// `path: error` of each unreadable snapshot (as in format 1).
  var errors: [String]
  var unreadable: [CheckResults.Unreadable]
  var hosts: [CheckReport]

  init(_ results: CheckResults) {
    profile = results.profile
    snapshots = results.entries.count
    checked = results.reports.count
    drifted = results.drifted.count
    errors = results.unreadable.map { "\($0.path): \($0.error)" }
    unreadable = results.unreadable
    hosts = results.reports
  }
}

import FoundationEssentials

/// Timestamps as people and CI read them, from seconds since the epoch.
public enum UTC {
  /// `2026-11-24T14:23:06` (ISO 8601, UTC, no zone suffix: the form JUnit's `timestamp` takes).
  public static func iso8601(_ seconds: Int64) -> String {
    String(Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601).dropLast())
  }

  /// `2026-11-24 14:23:06` for tables.
  public static func text(_ seconds: Int64) -> String {
    String(iso8601(seconds).map { $0 == "T" ? " " : $0 })
  }
}

import VMTuneFrontend
import VMTunePlan

/// Drift of one host against one profile, in the formats CI systems read.
public struct CheckReport: Encodable, Sendable {
  public struct Key: Encodable, Sendable {
    public var key: String
    public var status: String
    public var live: String?
    public var want: String
    public var message: String?
  }

  public var formatVersion = 1
  public var profile: String
  public var host: String
  public var kernel: String?
  public var timestamp: Int64
  public var drifted: Int
  public var inSync: Int
  public var skipped: Int
  public var keys: [Key]

  public init(plan: Plan, timestamp: Int64) {
    profile = plan.profile
    host = plan.host.hostname ?? "localhost"
    kernel = plan.host.kernelRelease
    self.timestamp = timestamp
    keys = plan.entries.map { e in
      switch e.action {
      case .change where e.released:
        return Key(
          key: e.key, status: "drift", live: e.current?.description, want: e.target,
          message: "live \(e.current?.description ?? "?"), not in this profile: apply releases it to the \(e.target)")
      case .change:
        return Key(
          key: e.key, status: "drift", live: e.current?.description, want: e.target,
          message: "live \(e.current?.description ?? "?"), profile wants \(e.target) (\(e.location))")
      case .blocked:
        return Key(
          key: e.key, status: "drift", live: e.current?.description, want: e.target,
          message: "cannot be satisfied: \(e.reason ?? "") (\(e.location))")
      case .unchanged:
        return Key(key: e.key, status: "ok", live: e.current?.description, want: e.target, message: nil)
      case .skipped:
        return Key(key: e.key, status: "skipped", live: e.current?.description, want: e.target, message: e.reason)
      }
    }
    drifted = keys.filter { $0.status == "drift" }.count
    inSync = keys.filter { $0.status == "ok" }.count
    skipped = keys.filter { $0.status == "skipped" }.count
  }

  public func text(_ t: Terminal) -> String {
    var out = ""
    let width = max(24, keys.map(\.key.count).max() ?? 0)
    for k in keys {
      switch k.status {
      case "drift": out += "  \(t.paint("✗", .red)) \(pad(k.key, width))  \(t.paint(k.message ?? "", .red))\n"
      case "ok": out += "  \(t.paint("✓", .green)) \(pad(k.key, width))  \(k.live ?? "")\n"
      default: out += "  \(t.paint("-", .dim)) \(pad(k.key, width))  \(t.paint("skipped: \(k.message ?? "")", .dim))\n"
      }
    }
    let verdict = drifted == 0 ? t.paint("in sync", .green) : t.paint("\(drifted) drifted", .red)
    out += "\(host): \(profile) \(verdict) (\(inSync) ok, \(skipped) skipped)\n"
    return out
  }

  /// The `<testsuite>` of this host: one testcase per key.
  func junitSuite() -> String {
    var out =
      "  <testsuite name=\"\(xml(host)).\(xml(profile))\" tests=\"\(keys.count)\" failures=\"\(drifted)\" "
      + "skipped=\"\(skipped)\" timestamp=\"\(UTC.iso8601(timestamp))\">\n"
    for k in keys {
      out += "    <testcase classname=\"\(xml(host))\" name=\"vm.\(xml(k.key))\">"
      switch k.status {
      case "drift":
        out +=
          "<failure message=\"\(xml(k.message ?? ""))\" type=\"drift\">live=\(xml(k.live ?? "")) "
          + "want=\(xml(k.want))</failure>"
      case "skipped": out += "<skipped message=\"\(xml(k.message ?? ""))\"/>"
      default: break
      }
      out += "</testcase>\n"
    }
    return out + "  </testsuite>\n"
  }

  /// JUnit XML for one host or a fleet: a testsuite per host, a testcase per key.
  public static func junit(_ reports: [CheckReport]) -> String {
    let tests = reports.reduce(0) { $0 + $1.keys.count }
    let failures = reports.reduce(0) { $0 + $1.drifted }
    let skipped = reports.reduce(0) { $0 + $1.skipped }
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<testsuites name=\"vmtune check\" tests=\"\(tests)\" failures=\"\(failures)\" skipped=\"\(skipped)\">\n"
    for r in reports { out += r.junitSuite() }
    return out + "</testsuites>\n"
  }

  /// Prometheus textfile-collector format; `host` labels appear when checking a fleet.
  public static func prometheus(_ reports: [CheckReport], fleet: Bool) -> String {
    guard let first = reports.first else { return "" }
    let p = first.label(first.profile)
    func hostLabel(_ r: CheckReport) -> String { fleet ? "host=\"\(r.label(r.host))\"," : "" }
    var out = "# HELP vmtune_drift 1 when the live vm sysctl does not satisfy the profile, else 0.\n"
    out += "# TYPE vmtune_drift gauge\n"
    for r in reports {
      for k in r.keys where k.status != "skipped" {
        out +=
          "vmtune_drift{\(hostLabel(r))profile=\"\(p)\",key=\"\(r.label(k.key))\"} \(k.status == "drift" ? 1 : 0)\n"
      }
    }
    out += "# HELP vmtune_drifted_keys Number of drifted keys.\n# TYPE vmtune_drifted_keys gauge\n"
    for r in reports { out += "vmtune_drifted_keys{\(hostLabel(r))profile=\"\(p)\"} \(r.drifted)\n" }
    if fleet {
      out += "# HELP vmtune_hosts_drifted Hosts with at least one drifted key.\n# TYPE vmtune_hosts_drifted gauge\n"
      out += "vmtune_hosts_drifted{profile=\"\(p)\"} \(reports.filter { $0.drifted > 0 }.count)\n"
      out += "# HELP vmtune_hosts_checked Hosts checked.\n# TYPE vmtune_hosts_checked gauge\n"
      out += "vmtune_hosts_checked{profile=\"\(p)\"} \(reports.count)\n"
    }
    out += "# HELP vmtune_last_check_timestamp_seconds When vmtune last checked.\n"
    out += "# TYPE vmtune_last_check_timestamp_seconds gauge\n"
    out += "vmtune_last_check_timestamp_seconds{profile=\"\(p)\"} \(first.timestamp)\n"
    return out
  }

  func xml(_ s: String) -> String {
    escape(s, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;"])
  }

  func label(_ s: String) -> String {
    escape(s, ["\\": "\\\\", "\"": "\\\"", "\n": "\\n"])
  }

  private func escape(_ s: String, _ table: [Character: String]) -> String {
    var out = ""
    for c in s {
      if let r = table[c] { out += r } else { out.append(c) }
    }
    return out
  }
}

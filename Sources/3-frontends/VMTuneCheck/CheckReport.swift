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
  /// The snapshot file (its name in the checked directory) a fleet check read; nil for a live host.
  public var snapshot: String?
  public var kernel: String?
  public var timestamp: Int64
  public var drifted: Int
  public var inSync: Int
  public var skipped: Int
  public var keys: [Key]

  public init(plan: Plan, timestamp: Int64, snapshot: String? = nil) {
    profile = plan.profile
    self.snapshot = snapshot
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

  /// One line per key (✗ drift, ✓ in sync, - skipped) and the host's verdict.
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
}

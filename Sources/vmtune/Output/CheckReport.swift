import VMTunePlan

/// Drift of one host against one profile, in the formats CI systems read.
struct CheckReport: Encodable {
  struct Key: Encodable {
    var key: String
    var status: String
    var live: String?
    var want: String
    var message: String?
  }

  var formatVersion = 1
  var profile: String
  var host: String
  var kernel: String?
  var timestamp: Int64
  var drifted: Int
  var inSync: Int
  var skipped: Int
  var keys: [Key]

  init(plan: Plan, timestamp: Int64) {
    profile = plan.profile
    host = plan.host.hostname ?? "localhost"
    kernel = plan.host.kernelRelease
    self.timestamp = timestamp
    keys = plan.entries.map { e in
      switch e.action {
      case .change:
        return Key(key: e.key, status: "drift", live: e.current, want: e.target, message: "live \(e.current ?? "?"), profile wants \(e.target) (\(e.location))")
      case .blocked:
        return Key(key: e.key, status: "drift", live: e.current, want: e.target, message: "cannot be satisfied: \(e.reason ?? "") (\(e.location))")
      case .unchanged:
        return Key(key: e.key, status: "ok", live: e.current, want: e.target, message: nil)
      case .skipped:
        return Key(key: e.key, status: "skipped", live: e.current, want: e.target, message: e.reason)
      }
    }
    drifted = keys.filter { $0.status == "drift" }.count
    inSync = keys.filter { $0.status == "ok" }.count
    skipped = keys.filter { $0.status == "skipped" }.count
  }

  func text(_ t: Terminal) -> String {
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

  func junit() -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<testsuites name=\"vmtune check\" tests=\"\(keys.count)\" failures=\"\(drifted)\" skipped=\"\(skipped)\">\n"
    out += "  <testsuite name=\"\(xml(host)).\(xml(profile))\" tests=\"\(keys.count)\" failures=\"\(drifted)\" skipped=\"\(skipped)\" timestamp=\"\(utc(timestamp, separator: "T"))\">\n"
    for k in keys {
      out += "    <testcase classname=\"\(xml(host))\" name=\"vm.\(xml(k.key))\">"
      switch k.status {
      case "drift": out += "<failure message=\"\(xml(k.message ?? ""))\" type=\"drift\">live=\(xml(k.live ?? "")) want=\(xml(k.want))</failure>"
      case "skipped": out += "<skipped message=\"\(xml(k.message ?? ""))\"/>"
      default: break
      }
      out += "</testcase>\n"
    }
    out += "  </testsuite>\n</testsuites>\n"
    return out
  }

  func prometheus() -> String {
    var out = "# HELP vmtune_drift 1 when the live vm sysctl does not satisfy the profile, else 0.\n"
    out += "# TYPE vmtune_drift gauge\n"
    for k in keys where k.status != "skipped" {
      out += "vmtune_drift{profile=\"\(label(profile))\",key=\"\(label(k.key))\"} \(k.status == "drift" ? 1 : 0)\n"
    }
    out += "# HELP vmtune_drifted_keys Number of drifted keys.\n# TYPE vmtune_drifted_keys gauge\n"
    out += "vmtune_drifted_keys{profile=\"\(label(profile))\"} \(drifted)\n"
    out += "# HELP vmtune_last_check_timestamp_seconds When vmtune last checked this host.\n"
    out += "# TYPE vmtune_last_check_timestamp_seconds gauge\n"
    out += "vmtune_last_check_timestamp_seconds{profile=\"\(label(profile))\"} \(timestamp)\n"
    return out
  }

  private func xml(_ s: String) -> String {
    escape(s, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;"])
  }

  private func label(_ s: String) -> String {
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

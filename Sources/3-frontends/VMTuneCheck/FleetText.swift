import VMTuneFrontend

/// The fleet check's text: a row per drifted host and per unreadable snapshot, then the rollup
/// (`3/120 hosts drifted from kvm-host`, `, 2 unreadable` when some snapshots could not be read).
enum FleetText {
  static func render(_ results: CheckResults, terminal: Terminal) -> String {
    let drifted = results.drifted
    let unreadable = results.unreadable
    let names = displayNames(results.reports)
    var rows: [(name: String, drifted: String, ok: String, detail: String)] = []
    for r in drifted {
      let keys = r.keys.filter { $0.status == "drift" }.map { "\($0.key) (\($0.live ?? "?"))" }
      rows.append(
        (names[r.snapshot ?? r.host] ?? r.host, String(r.drifted), String(r.inSync), keys.joined(separator: ", ")))
    }
    for u in unreadable { rows.append((u.snapshot, "-", "-", terminal.paint("unreadable: \(u.error)", .red))) }
    var out = ""
    if !rows.isEmpty {
      let width = max(4, rows.map(\.name.count).max() ?? 4)
      out += "\(pad("HOST", width))  DRIFTED  OK   KEYS\n"
      for row in rows {
        out += "\(pad(row.name, width))  \(pad(row.drifted, 7))  \(pad(row.ok, 3))  \(row.detail)\n"
      }
      out += "\n"
    }
    var verdict = "\(drifted.count)/\(results.entries.count) hosts drifted from \(results.profile)"
    if !unreadable.isEmpty { verdict += ", \(unreadable.count) unreadable" }
    return out + terminal.paint(verdict, drifted.isEmpty && unreadable.isEmpty ? .green : .red)
  }

  /// The name each report is shown by, keyed by snapshot: its hostname, or `host (file)` when
  /// more than one snapshot carries that hostname.
  static func displayNames(_ reports: [CheckReport]) -> [String: String] {
    var count: [String: Int] = [:]
    for r in reports { count[r.host, default: 0] += 1 }
    var names: [String: String] = [:]
    for r in reports {
      let key = r.snapshot ?? r.host
      names[key] = (count[r.host] ?? 0) > 1 ? "\(r.host) (\(r.snapshot ?? "?"))" : r.host
    }
    return names
  }
}

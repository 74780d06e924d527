/// The Prometheus text format for node_exporter's textfile collector.
///
/// `vmtune_check_success` is 1 when the check ran and read every snapshot, 0 when it failed (the
/// reason is on stderr), so a failed check is a series and not a missing file. In a fleet every
/// per-host series carries `host` and `snapshot` (the file name in the directory): two snapshots
/// that report one hostname stay two series, where a `host` label alone would repeat a series and
/// node_exporter would drop it. An unreadable snapshot is `vmtune_snapshot_checked{host="",snapshot} 0`.
enum PrometheusReport {
  static func render(_ results: CheckResults) -> String {
    let profile = "profile=\"\(label(results.profile))\""
    var out = ""
    func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
      guard !samples.isEmpty else { return }
      out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
      for s in samples { out += "\(name){\(s.labels)} \(s.value)\n" }
    }
    func host(_ r: CheckReport) -> String {
      results.fleet ? "host=\"\(label(r.host))\",snapshot=\"\(label(r.snapshot ?? ""))\"," : ""
    }
    metric(
      "vmtune_check_success", "1 when the check ran and read every host, 0 when it failed (the error is on stderr).",
      [(profile, results.succeeded ? "1" : "0")])
    if results.fleet {
      metric(
        "vmtune_snapshot_checked", "1 when the snapshot file was read and checked, 0 when it could not be read.",
        results.entries.map { entry in
          switch entry {
          case .checked(let r): return (host(r) + profile, "1")
          case .unreadable(let u): return ("host=\"\",snapshot=\"\(label(u.snapshot))\"," + profile, "0")
          }
        })
    }
    let reports = results.reports
    metric(
      "vmtune_drift", "1 when the live vm sysctl does not satisfy the profile, else 0.",
      reports.flatMap { r in
        r.keys.filter { $0.status != "skipped" }.map {
          (host(r) + profile + ",key=\"\(label($0.key))\"", $0.status == "drift" ? "1" : "0")
        }
      })
    metric("vmtune_drifted_keys", "Number of drifted keys.", reports.map { (host($0) + profile, String($0.drifted)) })
    if results.fleet {
      metric("vmtune_hosts_drifted", "Hosts with at least one drifted key.", [(profile, String(results.drifted.count))])
      metric("vmtune_hosts_checked", "Snapshots read and checked.", [(profile, String(reports.count))])
      metric(
        "vmtune_snapshots_unreadable", "Snapshot files that could not be read.",
        [(profile, String(results.unreadable.count))])
    }
    metric(
      "vmtune_last_check_timestamp_seconds", "When vmtune last checked.", [(profile, String(results.timestamp))])
    return out
  }

  /// A label value with backslash, double quote and line feed escaped.
  static func label(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n", "\r\n": out += "\\n"
      default: out.append(c)
      }
    }
    return out
  }
}

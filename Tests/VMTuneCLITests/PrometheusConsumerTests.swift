import Foundation
import Testing
import VMTuneTestSupport

/// `check --format prometheus` as its consumers take it: the real `promtool check metrics`
/// (parser and linter), series that stay unique when hostnames repeat, a success metric that
/// says when the check failed, and `--output FILE` replaced atomically for node_exporter's
/// textfile collector.
@Suite struct PrometheusConsumerTests {
  static let promtool = Prerequisite.executable("/usr/bin/promtool", package: "prometheus")

  /// promtool's verdict: nil when the text parses and lints clean, else what it said.
  static func promtoolProblems(_ text: String) throws -> String? {
    let host = try FixtureHost()
    let file = try scratchFile(host, "metrics.prom", text)
    let r = try runProgram("/bin/sh", ["-c", "/usr/bin/promtool check metrics < \"$1\"", "sh", file])
    return r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty ? nil : "exit \(r.status): \(r.stdout)\(r.stderr)"
  }

  /// Sample lines (`name{labels} value`) that occur more than once without their value.
  static func duplicateSeries(_ text: String) -> [String] {
    var seen: [String: Int] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let space = line.lastIndex(of: " ") else { continue }
      seen[String(line[..<space]), default: 0] += 1
    }
    return seen.filter { $0.value > 1 }.map(\.key).sorted()
  }

  /// Sample lines with their labels in name order and values as numbers (node_exporter sorts
  /// labels and prints large values with an exponent when it serves them).
  static func samples(_ text: String) -> Set<String> {
    var out: Set<String> = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let space = line.lastIndex(of: " ") else { continue }
      var series = String(line[..<space])
      if let open = series.firstIndex(of: "{"), let close = series.lastIndex(of: "}") {
        let labels = series[series.index(after: open)..<close].split(separator: ",").sorted()
        series = "\(series[..<open]){\(labels.joined(separator: ","))}"
      }
      out.insert("\(series) \(Double(line[line.index(after: space)...]).map { "\($0)" } ?? "?")")
    }
    return out
  }

  /// A fleet with a drifted host, two snapshots of one hostname and two unreadable files.
  static func awkwardFleet() throws -> FleetFixture {
    let fleet = try FleetFixture()
    try fleet.snapshot("db-1.json", hostname: "db-1", drifted: true)
    try fleet.snapshot("web-1.json", hostname: "web", drifted: false)
    try fleet.snapshot("web-1-old.json", hostname: "web", drifted: true)
    try fleet.garbage("broken.json")
    try fleet.garbage("empty.json", "")
    return fleet
  }

  @Test(promtool.trait) func promtoolAcceptsEveryShapeOfReport() throws {
    guard Self.promtool.check() else { return }
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: { at_most: 10 }\n  max_map_count: 65530\n")
    let one = try runVMTune(["check", p, "--root", host.root, "--format", "prometheus"])
    #expect(one.status == 2)
    #expect(try Self.promtoolProblems(one.stdout) == nil)
    let failed = try runVMTune(["check", "no-such-profile", "--root", host.root, "--format", "prometheus"])
    #expect(failed.status == 1)
    #expect(try Self.promtoolProblems(failed.stdout) == nil)
    let fleet = try Self.awkwardFleet().check(["--format", "prometheus"])
    #expect(fleet.status == 1)
    #expect(try Self.promtoolProblems(fleet.stdout) == nil)
  }

  @Test func successIsOneWhenTheCheckRanAndZeroWhenItFailed() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: { at_most: 10 }\n")
    let ok = try runVMTune(["check", p, "--root", host.root, "--format", "prometheus"])
    #expect(ok.status == 2, "drift is a successful check")
    #expect(ok.stdout.contains("vmtune_check_success{profile=\"t\"} 1\n"), "\(ok.stdout)")
    #expect(ok.stdout.contains("vmtune_drift{profile=\"t\",key=\"swappiness\"} 1\n"))
    try FileManager.default.removeItem(atPath: host.root + "/proc/meminfo")
    let failed = try runVMTune(["check", p, "--root", host.root, "--format", "prometheus"])
    #expect(failed.status == 1, "\(failed.stderr)")
    #expect(failed.stdout.contains("vmtune_check_success{profile=\"t\"} 0\n"), "\(failed.stdout)")
    #expect(failed.stdout.contains("vmtune_last_check_timestamp_seconds{profile=\"t\"} "))
    #expect(!failed.stdout.contains("vmtune_drift"))
    #expect(failed.stderr.contains("cannot read the host"), "the error is still said once: \(failed.stderr)")
  }

  /// `--output FILE`: the file is replaced by a rename (a new inode, never a half-written or
  /// truncated file for node_exporter to read), readable by others, with no temporary left
  /// behind; a failed check replaces it with `vmtune_check_success 0` instead of leaving it empty.
  @Test func outputReplacesTheFileAtomically() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: { at_most: 10 }\n")
    let dir = host.root + "/textfile"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let file = dir + "/vmtune.prom"
    try "old\n".write(toFile: file, atomically: false, encoding: .utf8)
    let before = try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? UInt64
    let r = try runVMTune(["check", p, "--root", host.root, "--format", "prometheus", "--output", file])
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty, "the report goes to the file only: \(r.stdout)")
    let written = try String(contentsOfFile: file, encoding: .utf8)
    #expect(written.contains("vmtune_check_success{profile=\"t\"} 1\n"))
    let attributes = try FileManager.default.attributesOfItem(atPath: file)
    #expect(attributes[.systemFileNumber] as? UInt64 != before, "replaced by rename, not rewritten in place")
    #expect((attributes[.posixPermissions] as? Int) == 0o644)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["vmtune.prom"], "no temporary left")
    let failed = try runVMTune(["check", "gone", "--root", host.root, "--format", "prometheus", "--output", file])
    #expect(failed.status == 1)
    #expect(try String(contentsOfFile: file, encoding: .utf8).contains("vmtune_check_success{profile=\"gone\"} 0\n"))
    let missingDir = try runVMTune(["check", p, "--root", host.root, "--output", host.root + "/nope/x.prom"])
    #expect(missingDir.status == 1)
    #expect(missingDir.stderr.contains("nope/x.prom"), "\(missingDir.stderr)")
  }

  /// Two snapshots of one hostname are two series (labelled by snapshot file), and unreadable
  /// snapshots are series too: node_exporter refuses a file with a duplicate series.
  @Test func fleetSeriesAreUniqueAndUnreadableSnapshotsAreSeries() throws {
    let r = try Self.awkwardFleet().check(["--format", "prometheus"])
    #expect(r.status == 1)
    #expect(Self.duplicateSeries(r.stdout) == [], "\(r.stdout)")
    #expect(
      r.stdout.contains("vmtune_drift{host=\"web\",snapshot=\"web-1-old.json\",profile=\"t\",key=\"swappiness\"} 1\n"))
    #expect(
      r.stdout.contains("vmtune_drift{host=\"web\",snapshot=\"web-1.json\",profile=\"t\",key=\"swappiness\"} 0\n"))
    #expect(r.stdout.contains("vmtune_snapshot_checked{host=\"\",snapshot=\"broken.json\",profile=\"t\"} 0\n"))
    #expect(r.stdout.contains("vmtune_snapshot_checked{host=\"\",snapshot=\"empty.json\",profile=\"t\"} 0\n"))
    #expect(r.stdout.contains("vmtune_snapshot_checked{host=\"db-1\",snapshot=\"db-1.json\",profile=\"t\"} 1\n"))
    #expect(r.stdout.contains("vmtune_hosts_checked{profile=\"t\"} 3\n"))
    #expect(r.stdout.contains("vmtune_hosts_drifted{profile=\"t\"} 2\n"))
    #expect(r.stdout.contains("vmtune_snapshots_unreadable{profile=\"t\"} 2\n"))
    #expect(r.stdout.contains("vmtune_check_success{profile=\"t\"} 0\n"))
  }

  /// The real consumer: node_exporter's textfile collector serves every series of a fleet
  /// report with repeated hostnames and unreadable snapshots, and logs no collection error.
  @Test(nodeExporter.trait) func nodeExporterServesEveryFleetSeries() throws {
    guard Self.nodeExporter.check() else { return }
    let fleet = try Self.awkwardFleet()
    let dir = fleet.host.root + "/textfile"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let r = try fleet.check(["--format", "prometheus", "--output", dir + "/vmtune.prom"])
    #expect(r.status == 1)
    let written = try String(contentsOfFile: dir + "/vmtune.prom", encoding: .utf8)
    let scraped = try NodeExporter.scrape(textfileDirectory: dir)
    #expect(!scraped.log.contains("collected before"), "\(scraped.log)")
    #expect(scraped.metrics.contains("node_textfile_scrape_error 0\n"), "\(scraped.metrics)")
    let ours = Self.samples(written)
    #expect(ours.count > 10)
    let served = Self.samples(scraped.metrics)
    for sample in ours.sorted() { #expect(served.contains(sample), "node_exporter dropped \(sample)") }
  }

  static let nodeExporter = Prerequisite.executable(
    "/usr/bin/prometheus-node-exporter", package: "prometheus-node-exporter")
}

/// node_exporter with only the textfile collector, on a loopback port it picks itself.
enum NodeExporter {
  struct Scrape {
    var metrics: String
    var log: String
  }

  static func scrape(textfileDirectory: String) throws -> Scrape {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus-node-exporter")
    process.arguments = [
      "--collector.disable-defaults", "--collector.textfile",
      "--collector.textfile.directory=\(textfileDirectory)", "--web.listen-address=127.0.0.1:0",
    ]
    let logFile = textfileDirectory + "/../node-exporter.log"
    _ = FileManager.default.createFile(atPath: logFile, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
    process.standardError = log
    process.standardOutput = log
    try process.run()
    defer {
      process.terminate()
      process.waitUntilExit()
    }
    var address: String?
    for _ in 0..<100 where address == nil {
      Thread.sleep(forTimeInterval: 0.05)
      let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
      address = text.split(separator: "\n").first { $0.contains("Listening on") }
        .flatMap { $0.split(separator: " ").last { $0.hasPrefix("address=") } }
        .map { String($0.dropFirst("address=".count)) }
    }
    guard let address else { throw NodeExporterError.noAddress(try String(contentsOfFile: logFile, encoding: .utf8)) }
    // No proxy: an http_proxy in the environment must not take a loopback request elsewhere.
    let get =
      "import sys, urllib.request; opener = urllib.request.build_opener(urllib.request.ProxyHandler({})); "
      + "sys.stdout.write(opener.open(sys.argv[1], timeout=10).read().decode())"
    let fetch = try runProgram("/usr/bin/env", ["python3", "-c", get, "http://\(address)/metrics"])
    Thread.sleep(forTimeInterval: 0.2)  // the gathering error, if any, is logged after the response
    return Scrape(metrics: fetch.stdout, log: try String(contentsOfFile: logFile, encoding: .utf8) + fetch.stderr)
  }

  enum NodeExporterError: Error {
    case noAddress(String)
  }
}

import Foundation
import Testing
import VMTuneTestSupport

/// The fleet check's text and JSON: every snapshot file is accounted for, unreadable ones as
/// error rows, and hosts whose name repeats are told apart by their file.
@Suite struct FleetReportTests {
  static func fleet() throws -> FleetFixture {
    let fleet = try FleetFixture()
    try fleet.snapshot("db-1.json", hostname: "db-1", drifted: true)
    try fleet.snapshot("web-1.json", hostname: "web", drifted: true)
    try fleet.snapshot("web-2.json", hostname: "web", drifted: false)
    try fleet.garbage("broken.json")
    try fleet.garbage("old.json", "{\"formatVersion\": 0}")
    return fleet
  }

  @Test func unreadableSnapshotsAreErrorRowsAndCountInTheRollup() throws {
    let fleet = try Self.fleet()
    let r = try fleet.check()
    #expect(r.status == 1)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("broken.json ") && $0.contains("unreadable: ") }, "\(r.stdout)")
    #expect(lines.contains { $0.hasPrefix("old.json ") && $0.contains("snapshot format 0") }, "\(r.stdout)")
    #expect(r.stdout.hasSuffix("2/5 hosts drifted from t, 2 unreadable\n"), "\(r.stdout)")
    #expect(r.stderr.contains("cannot check \(fleet.directory)/broken.json"))
  }

  @Test func repeatedHostnamesAreToldApartByTheirSnapshot() throws {
    let fleet = try Self.fleet()
    let r = try fleet.check()
    #expect(r.stdout.contains("web (web-1.json)  1 "), "\(r.stdout)")
    #expect(r.stdout.contains("db-1 "), "a unique hostname stays plain: \(r.stdout)")
    #expect(!r.stdout.contains("db-1 (db-1.json)"))
    let json = try fleet.check(["--format", "json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let hosts = try #require(obj["hosts"] as? [[String: Any]])
    #expect(hosts.map { $0["snapshot"] as? String } == ["db-1.json", "web-1.json", "web-2.json"])
    let unreadable = try #require(obj["unreadable"] as? [[String: Any]])
    #expect(unreadable.map { $0["snapshot"] as? String } == ["broken.json", "old.json"])
    #expect(obj["snapshots"] as? Int == 5)
  }
}

import Foundation
import Testing
import VMTuneTestSupport

/// `vmtune agent --once` under a systemd timer: a cycle in which anything failed exits 1, so the
/// unit shows failed; a clean cycle exits 0.
@Suite struct AgentOnceTests {
  func profile(_ host: FixtureHost, _ actions: String = "") throws -> String {
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    try host.write("proc/vmstat", "drop_pagecache 0\n")
    try host.write(
      "profiles/a.yaml", "apiVersion: vmtune/v1\nname: a\ndescription: test\nsysctl:\n  swappiness: 10\n" + actions)
    return host.root + "/profiles/a.yaml"
  }

  @Test func onceExitsZeroWhenTheCycleSucceeds() throws {
    let host = try FixtureHost()
    let r = try runVMTune(["agent", try profile(host), "--root", host.root, "--once"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(host.value("swappiness") == "10")
  }

  @Test func onceExitsOneWhenEnforcementFails() throws {
    let host = try FixtureHost()
    let path = try profile(host)
    try host.write("var/lib/vmtune", "a file where the state directory should be\n")
    let r = try runVMTune(["agent", path, "--root", host.root, "--once"])
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.contains("enforcing a failed"), "\(r.stderr)")
    #expect(host.value("swappiness") == "60")
  }

  @Test func onceExitsOneWhenAnActionFails() throws {
    let host = try FixtureHost()
    let path = try profile(host, "actions:\n  drop_caches: { every: 1h }\n")
    try FileManager.default.removeItem(atPath: host.root + "/proc/sys/vm/drop_caches")
    let r = try runVMTune(["agent", path, "--root", host.root, "--once"])
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.contains("drop_caches failed"), "\(r.stderr)")
    #expect(host.value("swappiness") == "10", "enforcement still ran")
  }
}

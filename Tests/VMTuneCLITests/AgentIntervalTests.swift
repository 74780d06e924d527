import Foundation
import Testing
import VMTuneTestSupport

/// `vmtune agent --interval`: one duration syntax with the profiles, checked, at least 1 s.
@Suite struct AgentIntervalTests {
  func profile(_ host: FixtureHost) throws -> String {
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    try host.write("proc/vmstat", "drop_pagecache 0\n")
    try host.write(
      "profiles/a.yaml",
      "apiVersion: vmtune/v1\nname: a\ndescription: test\nsysctl:\n  swappiness: 10\n"
        + "actions:\n  drop_caches: { every: 1d }\n")
    return host.root + "/profiles/a.yaml"
  }

  @Test func hugeIntervalIsAUsageErrorNotATrap() throws {
    let host = try FixtureHost()
    let r = try runVMTune(["agent", try profile(host), "--root", host.root, "--interval", "99999999999999999h"])
    #expect(r.status == 64, "\(r.stderr)")
    #expect(r.stderr.contains("'99999999999999999h' is too large"), "\(r.stderr)")
    #expect(host.value("swappiness") == "60", "ran a cycle")
  }

  @Test(arguments: ["0", "0s", "1x", "h", "", "-5m", "367d"])
  func badIntervalsAreUsageErrors(_ interval: String) throws {
    let host = try FixtureHost()
    let r = try runVMTune(["agent", try profile(host), "--root", host.root, "--interval", interval])
    #expect(r.status == 64, "\(interval): \(r.stderr)")
    #expect(r.stderr.contains("--interval"), "\(r.stderr)")
    #expect(host.value("swappiness") == "60", "ran a cycle")
  }

  @Test func zeroIntervalSaysWhy() throws {
    let host = try FixtureHost()
    let r = try runVMTune(["agent", try profile(host), "--root", host.root, "--interval", "0"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("--interval 0s is too short: cycles must be at least 1s apart"), "\(r.stderr)")
  }

  @Test(arguments: ["1d", "90", "1h30m", "366d"])
  func daysAndCombinationsAreAccepted(_ interval: String) throws {
    let host = try FixtureHost()
    let r = try runVMTune(["agent", try profile(host), "--root", host.root, "--interval", interval, "--once"])
    #expect(r.status == 0, "\(interval): \(r.stderr)")
    #expect(host.value("swappiness") == "10")
    #expect(host.value("drop_caches") == "1", "\(r.stderr)")
    #expect(r.stderr.contains("drop_caches ran (scheduled every 1d)"), "\(r.stderr)")
  }

  @Test func cyclesAreOneIntervalApart() throws {
    let host = try FixtureHost()
    let start = ContinuousClock.now
    let r = try runVMTune(["agent", try profile(host), "--root", host.root, "--interval", "1s", "--cycles", "2"])
    let elapsed = start.duration(to: .now)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(elapsed >= .seconds(1), "slept \(elapsed)")
    #expect(elapsed < .seconds(20), "slept \(elapsed)")
  }

  /// The benchmark (bench/agent-cycle.py) runs back-to-back cycles: allowed only when bounded.
  @Test func zeroIntervalOnlyWithBoundedCycles() throws {
    let host = try FixtureHost()
    let r = try runVMTune(["agent", try profile(host), "--root", host.root, "--interval", "0", "--cycles", "3"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(host.value("swappiness") == "10")
  }
}

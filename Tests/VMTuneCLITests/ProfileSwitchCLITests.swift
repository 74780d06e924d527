import Foundation
import Testing
import VMTuneTestSupport

/// Switching profiles (issue 15): keys the new profile does not manage go back to the host's
/// baseline, shown as releases; several profiles merge in order.
@Suite struct ProfileSwitchCLITests {
  let profiles = repositoryRoot() + "/profiles"

  func run(_ args: [String], _ host: FixtureHost) throws -> RunResult {
    try runVMTune(args + ["--root", host.root, "--profile-dir", profiles])
  }

  /// apply kvm-host, then latency: kvm-host's min_free_kbytes (latency's base only asks at least
  /// 16384, which the baseline 67584 satisfies) and the dirty byte limits go back; the plan
  /// shows `- min_free_kbytes  131072 → 67584 (released)` and check latency is in sync after.
  @Test func applyingAnotherProfileReleasesWhatItDoesNotManage() throws {
    let host = try FixtureHost()
    #expect(try run(["apply", "kvm-host", "--yes"], host).status == 0)
    #expect(host.value("min_free_kbytes") == "131072")
    #expect(host.value("watermark_scale_factor") == "200")

    let before = try run(["check", "latency"], host)
    #expect(before.status == 2, "kvm-host's min_free_kbytes is drift for latency: \(before.stdout)")
    #expect(before.stdout.contains("releases it"), "\(before.stdout)")
    let plan = try run(["plan", "latency", "--no-color"], host)
    #expect(plan.status == 2)
    #expect(plan.stdout.contains("- min_free_kbytes"), "\(plan.stdout)")
    #expect(plan.stdout.contains("131072 → 67584 (released)"), "\(plan.stdout)")

    let apply = try run(["apply", "latency", "--yes"], host)
    #expect(apply.status == 0, "\(apply.stderr)")
    #expect(apply.stdout.contains("min_free_kbytes: 131072 → 67584 (released)"), "\(apply.stdout)")
    #expect(host.value("min_free_kbytes") == "67584")
    #expect(host.value("watermark_scale_factor") == "100")
    #expect(host.value("dirty_ratio") == "10")
    let after = try run(["check", "latency"], host)
    #expect(after.status == 0, "\(after.stdout)")
    #expect(try run(["plan", "latency"], host).status == 0)
  }

  /// A key only the old profile set (not in the new one at all) goes back to its baseline; a
  /// rollback of the switch brings the old profile's value back.
  @Test func aKeyTheNewProfileLacksGoesBackAndRollbackUndoesTheSwitch() throws {
    let host = try FixtureHost()
    let a = try writeProfile(host, "sysctl:\n  vfs_cache_pressure: 50\n  swappiness: 10\n", name: "a")
    let b = try writeProfile(host, "sysctl:\n  swappiness: 20\n", name: "b")
    #expect(try run(["apply", a, "--yes"], host).status == 0)
    let switched = try run(["apply", b, "--yes"], host)
    #expect(switched.status == 0, "\(switched.stderr)")
    #expect(switched.stdout.contains("vfs_cache_pressure: 50 → 100 (released)"), "\(switched.stdout)")
    #expect(host.value("vfs_cache_pressure") == "100")
    #expect(host.value("swappiness") == "20")
    // Released keys are no longer managed: a second apply of b changes nothing.
    #expect(try run(["apply", b, "--yes", "--detailed-exitcode"], host).status == 0)
    let back = try run(["rollback", "--yes"], host)
    #expect(back.status == 0, "\(back.stderr)")
    #expect(host.value("vfs_cache_pressure") == "50")
    #expect(host.value("swappiness") == "10")
  }

  /// `vmtune apply base latency`: merged in order, the later profile wins key by key.
  @Test func severalProfilesMergeInOrder() throws {
    let host = try FixtureHost()
    let a = try writeProfile(host, "sysctl:\n  swappiness: 30\n  vfs_cache_pressure: 50\n", name: "a")
    let b = try writeProfile(host, "sysctl:\n  swappiness: 20\n", name: "b")
    let plan = try run(["plan", a, b, "--format", "json"], host)
    #expect(plan.status == 2)
    #expect(plan.stdout.contains("\"profile\" : \"a+b\""), "\(plan.stdout)")
    let r = try run(["apply", a, b, "--yes"], host)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(host.value("swappiness") == "20")
    #expect(host.value("vfs_cache_pressure") == "50")
    #expect(try run(["check", a, b], host).status == 0)
    #expect(try run(["apply", "base", "latency", "--yes"], host).status == 0)
    #expect(host.value("swappiness") == "10")
    #expect(host.value("vfs_cache_pressure") == "100", "a's key is released when switching to base + latency")
  }

  /// `unmanage:` removes an included profile's key and releases it to the baseline.
  @Test func unmanageReleasesAnIncludedKey() throws {
    let host = try FixtureHost()
    let a = try writeProfile(host, "sysctl:\n  swappiness: 10\n  vfs_cache_pressure: 50\n", name: "a")
    let c = try writeProfile(host, "include: [a]\nunmanage: [vfs_cache_pressure]\n", name: "c")
    #expect(try run(["apply", a, "--yes"], host).status == 0)
    let r = try run(["apply", c, "--yes"], host)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(host.value("vfs_cache_pressure") == "100")
    #expect(host.value("swappiness") == "10")
    let fresh = try FixtureHost()
    let c2 = try writeProfile(fresh, "include: [a]\nunmanage: [vfs_cache_pressure]\n", name: "c")
    _ = try writeProfile(fresh, "sysctl:\n  swappiness: 10\n  vfs_cache_pressure: 50\n", name: "a")
    let plan = try run(["plan", c2, "--no-color"], fresh)
    #expect(plan.stdout.contains("nothing to release"), "\(plan.stdout)")
    #expect(!plan.stdout.contains("vfs_cache_pressure  100 → 50"), "\(plan.stdout)")
  }
}

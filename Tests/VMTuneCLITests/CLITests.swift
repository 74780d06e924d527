import Foundation
import Synchronization
import Testing
import VMTuneTestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// End to end: the built binary against temporary fixture roots.
@Suite struct CLITests {
  let profiles = repositoryRoot() + "/profiles"

  @Test func planShowsChangesAndExitsTwo() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: { at_most: 10 }\n  max_map_count: 65530\n")
    let r = try runVMTune(["plan", p, "--root", host.root])
    #expect(r.status == 2)
    #expect(r.stdout.contains("~ swappiness"))
    #expect(r.stdout.contains("60 → 10"))
    #expect(r.stdout.contains("= max_map_count"))
    #expect(r.stdout.contains("Plan: 1 to change, 1 unchanged, 0 skipped."))
    #expect(!r.stdout.contains("\u{1B}["), "colour on a pipe")
    #expect(host.value("swappiness") == "60", "plan wrote")
  }

  @Test func planJSONParses() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let r = try runVMTune(["plan", p, "--root", host.root, "--format", "json"])
    #expect(r.status == 2)
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let entries = json?["entries"] as? [[String: Any]]
    #expect(entries?.first?["key"] as? String == "swappiness")
    #expect(entries?.first?["action"] as? String == "change")
    #expect(json?["formatVersion"] as? Int == 2)
  }

  @Test func applyThenCheckIsInSyncAndSecondApplyWritesNothing() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n  watermark_scale_factor: 200\n")
    let a = try runVMTune(["apply", p, "--root", host.root, "--yes"])
    #expect(a.status == 0, "\(a.stderr)")
    #expect(a.stdout.contains("Applied 2 change(s); journal generation 1"))
    #expect(host.value("watermark_scale_factor") == "200")
    let c = try runVMTune(["check", p, "--root", host.root])
    #expect(c.status == 0)
    #expect(c.stdout.contains("in sync"))
    let again = try runVMTune(["apply", p, "--root", host.root, "--yes", "--detailed-exitcode"])
    #expect(again.status == 0)
    #expect(again.stdout.contains("Nothing to do"))
    let list = try runVMTune(["rollback", "--list", "--root", host.root])
    #expect(list.stdout.split(separator: "\n").count == 2, "one journal only: \(list.stdout)")
  }

  @Test func checkFormatsForCI() throws {
    let host = try FixtureHost()
    let p = try writeProfile(
      host,
      "sysctl:\n  swappiness: { at_most: 10 }\n  max_map_count: 65530\n  defrag_mode: { value: 1, when: { kernel: "
        + "\">=7.0\" } }\n"
    )
    let junit = try runVMTune(["check", p, "--root", host.root, "--format", "junit"])
    #expect(junit.status == 2)
    #expect(
      junit.stdout.contains(
        "<testcase classname=\"fixture\" name=\"vm.swappiness\" time=\"0\"><failure message=\"live 60, profile wants &lt;= 10"
      ))
    #expect(
      junit.stdout.contains("<testsuites name=\"vmtune check\" tests=\"3\" failures=\"1\" errors=\"0\" time=\"0\">"))
    #expect(junit.stdout.contains("<skipped message=\"when: kernel &gt;= 7.0 is false here\"/>"))
    let xml = try XMLDocument(data: Data(junit.stdout.utf8))
    #expect(try xml.nodes(forXPath: "//testcase").count == 3)
    let prom = try runVMTune(["check", p, "--root", host.root, "--format", "prometheus"])
    #expect(prom.stdout.contains("vmtune_drift{profile=\"t\",key=\"swappiness\"} 1\n"))
    #expect(prom.stdout.contains("vmtune_drift{profile=\"t\",key=\"max_map_count\"} 0\n"))
    #expect(prom.stdout.contains("vmtune_last_check_timestamp_seconds{profile=\"t\"} "))
    let json = try runVMTune(["check", p, "--root", host.root, "--format", "json"])
    let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(obj?["drifted"] as? Int == 1)
  }

  /// Drift against a RAM-relative target names the number the percentage resolves to.
  @Test func checkShowsTheResolvedNumberOfARAMRelativeTarget() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  min_free_kbytes: { percent_of_ram: 1 }\n")
    let junit = try runVMTune(["check", p, "--root", host.root, "--format", "junit"])
    #expect(junit.status == 2)
    #expect(junit.stdout.contains("failure message=\"live 67584, profile wants 1% of RAM = 246840 "))
    let json = try runVMTune(["check", p, "--root", host.root, "--format", "json"])
    #expect(json.stdout.contains("\"want\" : \"1% of RAM = 246840\""), "\(json.stdout)")
    try host.set("min_free_kbytes", "246000")
    let inSync = try runVMTune(["check", p, "--root", host.root])
    #expect(inSync.status == 0, "840 under is within 0.5 %: \(inSync.stdout)")
  }

  @Test func injectedWriteFailureRestoresEverythingAndExitsOne() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let p = try writeProfile(
      host, "sysctl:\n  min_free_kbytes: 90000\n  watermark_scale_factor: 200\n  swappiness: 10\n")
    let r = try runVMTune(["apply", p, "--root", host.root, "--yes", "--inject-fault", "write:3"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("writing swappiness failed: injected fault writing swappiness"))
    #expect(r.stderr.contains("every value written was restored (2 restored); the host is as before"))
    #expect(host.allValues() == before)
  }

  @Test func rollbackRestoresAndListsGenerations() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n  zone_reclaim_mode: [reclaim]\n")
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 0)
    let r = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("↺ swappiness: 10 → 60"))
    #expect(host.allValues() == before)
    let list = try runVMTune(["rollback", "--list", "--root", host.root])
    #expect(list.stdout.contains("rolled-back"))
    let again = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(again.status == 1)
    #expect(again.stderr.contains("nothing to roll back"))
  }

  @Test func savedPlansApplyExactlyAndGoStale() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let planFile = host.root + "/plan.json"
    #expect(try runVMTune(["plan", p, "--root", host.root, "--out", planFile]).status == 2)
    try host.set("swappiness", "30")
    let stale = try runVMTune(["apply", "--plan", planFile, "--root", host.root, "--yes"])
    #expect(stale.status == 1)
    #expect(stale.stderr.contains("saved plan is stale"))
    #expect(host.value("swappiness") == "30")
    #expect(try runVMTune(["plan", p, "--root", host.root, "--out", planFile]).status == 2)
    #expect(try runVMTune(["apply", "--plan", planFile, "--root", host.root, "--yes"]).status == 0)
    #expect(host.value("swappiness") == "10")
  }

  @Test func profileErrorsNameFileLineAndColumn() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swapiness: 10\n  zone_reclaim_mode: 9\n")
    let r = try runVMTune(["validate", p])
    #expect(r.status == 1)
    // file:line:column, the source line with a caret under the column, then the hint.
    #expect(
      r.stderr.contains(
        "\(p):5:3: error: sysctl.swapiness: is not a vm sysctl vmtune knows\n 5 |   swapiness: 10\n   |   ^\n"
          + "  hint: did you mean 'swappiness'?"))
    #expect(r.stderr.contains("\(p):6:22: error: sysctl.zone_reclaim_mode: 9 sets bits the kernel ignores"))
    #expect(r.stderr.contains(" 6 |   zone_reclaim_mode: 9\n   |                      ^\n"))
    let plan = try runVMTune(["plan", p, "--root", host.root])
    #expect(plan.status == 1)
    #expect(plan.stderr.contains("\(p):5:3: error: sysctl.swapiness"))
  }

  @Test func usageErrorsExit64() throws {
    #expect(try runVMTune(["plan"]).status == 64)
    #expect(try runVMTune(["apply", "--bogus"]).status == 64)
    #expect(try runVMTune(["apply"]).status == 64)
  }

  /// Runs the binary as `nobody` (setpriv), so permission checks apply even when tests run as root.
  func runAsNobody(_ args: [String]) throws -> RunResult {
    try runVMTune(
      ["--reuid=65534", "--regid=65534", "--clear-groups", vmtuneBinary()] + args, executable: "/usr/bin/setpriv")
  }

  @Test(Prerequisite.executable("/usr/bin/setpriv", package: "util-linux").trait)
  func nonRootGetsAClearErrorAndChangesNothing() throws {
    guard Prerequisite.executable("/usr/bin/setpriv", package: "util-linux").check() else { return }
    let host = try FixtureHost()
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: host.root)
    let before = host.allValues()
    let p = try writeProfile(host, "sysctl:\n  watermark_scale_factor: 200\n  swappiness: 10\n")
    let plan = try runAsNobody(["plan", p, "--root", host.root])
    #expect(plan.status == 2, "plan is read-only and works unprivileged: \(plan.stderr)")
    let r = try runAsNobody(["apply", p, "--root", host.root, "--yes"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("EACCES"))
    #expect(r.stderr.contains("run as root"))
    #expect(host.allValues() == before)
  }

  @Test func preflightRefusesUnwritableKnobsBeforeAnyWrite() throws {
    // As root, permission bits do not stop writes; a directory where the file should be does.
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  watermark_scale_factor: 200\n  swappiness: 10\n")
    let planFile = host.root + "/plan.json"
    #expect(try runVMTune(["plan", p, "--root", host.root, "--out", planFile]).status == 2)
    try host.remove("swappiness")
    try host.write("proc/sys/vm/swappiness/x", "")
    let r = try runVMTune(["apply", "--plan", planFile, "--root", host.root, "--yes"])
    #expect(r.status == 1)
    #expect(host.value("watermark_scale_factor") == "10")
    #expect(!FileManager.default.fileExists(atPath: host.root + "/var/lib/vmtune/journal/000001.json"))
  }

  @Test(Prerequisite.executable("/usr/bin/script", package: "bsdutils").trait)
  func colourOnATerminal() throws {
    guard Prerequisite.executable("/usr/bin/script", package: "bsdutils").check() else { return }
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let cmd = "\(vmtuneBinary()) plan \(p) --root \(host.root)"
    let tty = try runVMTune(["-qec", cmd, "/dev/null"], environment: ["TERM": "xterm"], executable: "/usr/bin/script")
    #expect(tty.stdout.contains("\u{1B}[33m~\u{1B}[0m swappiness"))
    let noColor = try runVMTune(
      ["-qec", cmd, "/dev/null"], environment: ["TERM": "xterm", "NO_COLOR": "1"], executable: "/usr/bin/script")
    #expect(noColor.stdout.contains("~ swappiness"))
    #expect(!noColor.stdout.contains("\u{1B}["))
  }

  @Test func colourOnlyWhenAskedAndNeverWithNoColor() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let r = try runVMTune(["plan", p, "--root", host.root], environment: ["NO_COLOR": "1"])
    #expect(!r.stdout.contains("\u{1B}["))
  }

  @Test func shippedProfilesAreFoundByNameAndExplainWorks() throws {
    let host = try FixtureHost()
    let list = try runVMTune(["profiles", "--profile-dir", profiles])
    #expect(list.status == 0)
    #expect(list.stdout.contains("kvm-host"))
    let plan = try runVMTune(["plan", "kvm-host", "--root", host.root, "--profile-dir", profiles])
    #expect(plan.status == 2, "the fixture's defaults differ from kvm-host: \(plan.stderr)")
    #expect(plan.stdout.contains("Profile kvm-host"))
    let explain = try runVMTune(["explain", "vm.swappiness", "--root", host.root])
    #expect(explain.stdout.contains("accepts    0 … 200"))
    #expect(explain.stdout.contains("live       60"))
    let minFree = try runVMTune(["explain", "min_free_kbytes", "--root", host.root])
    #expect(
      minFree.stdout.contains("  guards     apply refuses (unless --force) when, in any zone below Movable/HighMem"))
    #expect(minFree.stdout.contains("more than its free pages plus its page cache"))
    #expect(!explain.stdout.contains("guards "))
    let bad = try runVMTune(["explain", "swapiness"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("did you mean 'swappiness'?"))
  }

  @Test func persistWarnsAboutLaterOverrides() throws {
    let host = try FixtureHost()
    try host.write("etc/sysctl.d/99-local.conf", "vm.swappiness = 60\n")
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let r = try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"])
    #expect(r.status == 0)
    #expect(r.stderr.contains("99-local.conf:1 sets vm.swappiness = 60 and is read after"))
    #expect(
      try String(contentsOfFile: host.root + "/etc/sysctl.d/90-vmtune.conf", encoding: .utf8).contains(
        "vm.swappiness = 10"))
  }

  @Test func snapshotRoundTripsIntoOfflinePlans() throws {
    let host = try FixtureHost()
    let snap = try runVMTune(["snapshot", "--root", host.root])
    #expect(snap.status == 0)
    try snap.stdout.write(toFile: host.root + "/snap.json", atomically: true, encoding: .utf8)
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let plan = try runVMTune(["plan", p, "--snapshot", host.root + "/snap.json"])
    #expect(plan.status == 2)
    #expect(plan.stdout.contains("60 → 10"))
  }

  @Test func diagnoseReadsLogsFromStdinAndPrintsJSON() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 4374385 85408 0 0 0 0 0 0 0 0 0\n")
    let log = host.root + "/kern.log"
    try "Nov 25 09:14:07 h kernel: qemu: page allocation failure. order:4, mode:0x20\n".write(
      toFile: log, atomically: true, encoding: .utf8)
    let text = try runVMTune(["diagnose", "--root", host.root, "--log", log])
    #expect(text.status == 0)
    #expect(text.stdout.contains("order 4: index 0.937, unusable 1.000, 0 block(s), 1 failure(s) in log"))
    #expect(text.stdout.contains("1. Compact memory: free memory is fragmented, not short (node 0 Normal)"))
    let json = try runVMTune(["diagnose", "--root", host.root, "--log", log, "--format", "json"])
    let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let zones = obj?["zones"] as? [[String: Any]]
    let orders = zones?.first?["orders"] as? [[String: Any]]
    #expect(orders?.first?["fragmentationIndex"] as? Int == 937)
    #expect((obj?["advice"] as? [[String: Any]])?.first?["kind"] as? String == "compact")
    #expect(try runVMTune(["diagnose", "--order", "14"]).status == 64)
    // Order 11 exists only with larger pages: this 4 KiB tree has orders 0 … 10.
    let beyond = try runVMTune(["diagnose", "--root", host.root, "--order", "11"])
    #expect(beyond.status == 1)
    #expect(beyond.stderr.contains("--order 11: this host has buddy orders 0 … 10 (4 KiB pages)"), "\(beyond.stderr)")
  }

  @Test func diagnoseReportsUnusableFreeMemoryAndTheProfilesOrders() throws {
    let host = try FixtureHost()
    try host.write(
      "proc/buddyinfo",
      """
      Node 0, zone      DMA      0      0      0      0      0      0      0      1      0      1      3
      Node 0, zone    DMA32 348663      1      2      3      2      3      2      2      2      1     35

      """)
    let text = try runVMTune(["diagnose", "--root", host.root, "--no-color"])
    #expect(text.status == 0)
    #expect(text.stdout.contains("order 9: index -1.000, unusable 0.905, 71 block(s)"))
    #expect(
      text.stdout.contains(
        "1. Compact memory: 90.5% of free memory is unusable for order-9 (2 MiB) allocations in node 0 DMA32 "
          + "(71 free order-9 blocks)"))
    #expect(text.stdout.contains("           - { order: 9, per: node, unusable_above: 0.9 }"))
    #expect(!text.stdout.contains("No action needed"))
    let json = try runVMTune(["diagnose", "--root", host.root, "--format", "json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let top = try #require((obj["unusable"] as? [[String: Any]])?.first)
    #expect(top["order"] as? Int == 9)
    #expect(top["unusable"] as? Int == 905)
    #expect(top["suitableBlocks"] as? Int == 71)
    #expect(top["zone"] as? String == "DMA32")
    #expect((obj["advice"] as? [[String: Any]])?.first?["kind"] as? String == "compact")

    let p = try writeProfile(
      host, "actions:\n  compact:\n    when: { order: 7, per: node, unusable_above: 0.8 }\n    min_interval: 10m\n",
      name: "vmhost")
    let withProfile = try runVMTune(["diagnose", "--root", host.root, "--no-color", "--profile", p])
    #expect(withProfile.status == 0)
    #expect(withProfile.stdout.contains("order 7: index -1.000, unusable 0.903, 290 block(s)"))
    #expect(withProfile.stdout.contains("Profile vmhost, its actions protect order(s) 7:"))
    #expect(withProfile.stdout.contains("the profile's compact action would run now: node 0: 90.3% of free memory"))
    // By name, from a profile directory.
    let byName = try runVMTune(
      [
        "diagnose", "--root", host.root, "--format", "json", "--profile", "vmhost", "--profile-dir",
        host.root + "/profiles",
      ])
    let named = try JSONSerialization.jsonObject(with: Data(byName.stdout.utf8)) as? [String: Any]
    #expect(named?["ordersOfInterest"] as? [Int] == [4, 7, 9])
    #expect(try runVMTune(["diagnose", "--root", host.root, "--profile", "no-such-profile"]).status != 0)

    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    let healthy = try runVMTune(["diagnose", "--root", host.root, "--no-color"])
    #expect(healthy.stdout.contains("1. No action needed"))
    #expect(!healthy.stdout.contains("Unusable free memory"))
  }

  @Test func applyRefusesAWatermarkGuardUnlessForced() throws {
    let host = try FixtureHost(memTotalKB: 4_024_116)
    try host.writeZoneinfo([
      // The model's watermarks for min_free_kbytes 67584 (so no model-mismatch warning).
      FixtureZone("DMA32", free: 757_824, min: 12789, low: 15986, high: 19183, managed: 758_592),
      FixtureZone("Normal", free: 145_221, min: 4106, low: 5132, high: 6158, managed: 243_597),
    ])
    let p = try writeProfile(host, "sysctl:\n  min_free_kbytes: 2500000\nguards: { max_min_free_percent: 80 }\n")
    let plan = try runVMTune(["plan", p, "--root", host.root])
    #expect(plan.stdout.contains("Watermarks, pages (min / low / high; free and page-cache pages now, ~ estimated):"))
    #expect(!plan.stdout.contains("differ from vmtune's model"))
    #expect(
      plan.stdout.contains(
        "guard: Node 0 Normal: the new high watermark 227871 is more than the zone's 145221 free pages"))
    let refused = try runVMTune(["apply", p, "--root", host.root, "--yes"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("refused by a guard; nothing was written (use --force to override)"))
    #expect(host.value("min_free_kbytes") == "67584")
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes", "--force"]).status == 0)
    #expect(host.value("min_free_kbytes") == "2500000")
  }

  /// A host that has run for a day: Normal holds 40000 free pages and 1,000,000 of page cache.
  /// kvm-host's watermarks put free memory under the new low one, and kswapd reclaims some cache:
  /// a warning, not a refusal.
  @Test func applyOnABusyHostProceedsWithTheReclaimWarning() throws {
    let host = try FixtureHost.busy(normalFree: 40000, inactiveFile: 400_000, activeFile: 600_000)
    let profile = repositoryRoot() + "/profiles/kvm-host.yaml"
    let plan = try runVMTune(["plan", profile, "--root", host.root, "--no-color"])
    #expect(plan.status == 2, "changes pending, not refused: \(plan.stdout)\(plan.stderr)")
    #expect(plan.stdout.contains("kswapd will reclaim about 134 MiB of page cache in Node 0 Normal once"))
    #expect(!plan.stdout.contains("guard:"))
    let applied = try runVMTune(["apply", profile, "--root", host.root, "--yes", "--no-color"])
    #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
    #expect(host.value("min_free_kbytes") == "131072")
    #expect(host.value("watermark_scale_factor") == "200")
  }

  @Test func fleetCheckOverASnapshotDirectory() throws {
    let host = try FixtureHost()
    let dir = host.root + "/snapshots"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let p = try writeProfile(host, "sysctl:\n  swappiness: { at_most: 10 }\n  max_map_count: 65530\n")
    // web-1 and web-2 in sync, db-1 drifted.
    try host.set("swappiness", "10")
    let inSync = try runVMTune(["snapshot", "--root", host.root]).stdout
    for name in ["web-1", "web-2"] {
      try inSync.replacingOccurrences(of: "\"hostname\" : \"fixture\"", with: "\"hostname\" : \"\(name)\"").write(
        toFile: "\(dir)/\(name).json", atomically: true, encoding: .utf8)
    }
    try host.set("swappiness", "60")
    try runVMTune(["snapshot", "--root", host.root]).stdout.replacingOccurrences(
      of: "\"hostname\" : \"fixture\"", with: "\"hostname\" : \"db-1\""
    )
    .write(toFile: "\(dir)/db-1.json", atomically: true, encoding: .utf8)
    let text = try runVMTune(["check", p, "--snapshot", dir])
    #expect(text.status == 2)
    #expect(text.stdout.contains("db-1  1        1    swappiness (60)"))
    #expect(text.stdout.hasSuffix("1/3 hosts drifted from t\n"))
    let junit = try runVMTune(["check", p, "--snapshot", dir, "--format", "junit"])
    let xml = try XMLDocument(data: Data(junit.stdout.utf8))
    #expect(try xml.nodes(forXPath: "//testsuite").count == 3)
    #expect(try xml.nodes(forXPath: "//testcase[failure]/@classname").map { $0.stringValue } == ["db-1"])
    let prom = try runVMTune(["check", p, "--snapshot", dir, "--format", "prometheus"])
    #expect(
      prom.stdout.contains("vmtune_drift{host=\"db-1\",snapshot=\"db-1.json\",profile=\"t\",key=\"swappiness\"} 1\n"))
    #expect(prom.stdout.contains("vmtune_hosts_drifted{profile=\"t\"} 1\n"))
    // An unreadable snapshot is an error (exit 1), reported with its path.
    try "{broken".write(toFile: "\(dir)/bad.json", atomically: true, encoding: .utf8)
    let broken = try runVMTune(["check", p, "--snapshot", dir])
    #expect(broken.status == 1)
    #expect(broken.stderr.contains("cannot check \(dir)/bad.json"))
  }

  @Test func ansibleModuleProtocol() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let args = host.root + "/args.json"
    try "{\"profile\": \"\(p)\", \"root\": \"\(host.root)\", \"_ansible_check_mode\": true, \"_ansible_diff\": true}"
      .write(toFile: args, atomically: true, encoding: .utf8)
    let check = try runVMTune([args])
    let obj = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
    #expect(obj?["changed"] as? Bool == true)
    #expect((obj?["diff"] as? [[String: Any]])?.first?["after"] as? String == "vm.swappiness = 10\n")
    #expect(host.value("swappiness") == "60")
    try "{\"profile\": \"\(p)\", \"root\": \"\(host.root)\", \"_ansible_check_mode\": false}".write(
      toFile: args, atomically: true, encoding: .utf8)
    #expect(try runVMTune([args]).stdout.contains("\"changed\":true"))
    #expect(host.value("swappiness") == "10")
    #expect(try runVMTune([args]).stdout.contains("\"changed\":false"))
    try "{\"profile\": \"\(p)\", \"colour\": 1, \"_ansible_check_mode\": false}".write(
      toFile: args, atomically: true, encoding: .utf8)
    let bad = try runVMTune([args])
    #expect(bad.status == 1)
    #expect(bad.stdout.contains("\"failed\":true"))
    #expect(bad.stdout.contains("Unsupported parameters for (vmtune) module: colour."))
  }

  /// SIGKILL before each write of an apply (after the journal, between writes): the next run
  /// finds the journal in progress and restores every original.
  @Test func crashAtEveryPointOfApplyIsRecovered() throws {
    let body = "sysctl:\n  min_free_kbytes: 90000\n  watermark_scale_factor: 200\n  swappiness: 10\n"
    for point in 1...3 {
      let host = try FixtureHost()
      let before = host.allValues()
      let p = try writeProfile(host, body)
      let crashed = try runVMTune(["apply", p, "--root", host.root, "--yes", "--inject-fault", "crash:\(point)"])
      #expect(
        crashed.signalled && crashed.status == SIGKILL,
        "point \(point): \(crashed.signalled ? "signal" : "exit") \(crashed.status): \(crashed.stderr)")
      // Killed before write `point`: writes 1 … point-1 are on the host, so only point 1 leaves it as before.
      #expect((host.allValues() == before) == (point == 1), "point \(point): writes before the crash are on the host")
      let list = try runVMTune(["rollback", "--list", "--root", host.root])
      #expect(list.stdout.contains("in-progress"), "point \(point): \(list.stdout)")
      let recovered = try runVMTune(["rollback", "--root", host.root, "--yes"])
      #expect(recovered.status == 0, "point \(point): \(recovered.stderr)")
      #expect(host.allValues() == before, "point \(point)")
      #expect(try runVMTune(["rollback", "--list", "--root", host.root]).stdout.contains("rolled-back"))
      // And apply after a crash recovers first, then applies cleanly.
      _ = try runVMTune(["apply", p, "--root", host.root, "--yes", "--inject-fault", "crash:\(point)"])
      let again = try runVMTune(["apply", p, "--root", host.root, "--yes"])
      #expect(again.stdout.contains("Recovered an interrupted apply"), "point \(point)")
      #expect(host.value("swappiness") == "10")
    }
  }

  @Test func concurrentAppliesSerialize() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    let q = try writeProfile(host, "sysctl:\n  swappiness: 20\n", name: "u")
    // Two processes race; the lock makes one wait for the other, both succeed, one value wins.
    let group = DispatchGroup()
    let statuses = Mutex<[Int32]>([])
    for profile in [p, q] {
      group.enter()
      DispatchQueue.global().async {
        let r = try? runVMTune(["apply", profile, "--root", host.root, "--yes"])
        statuses.withLock { $0.append(r?.status ?? -1) }
        group.leave()
      }
    }
    group.wait()
    #expect(statuses.withLock { $0 }.sorted() == [0, 0])
    #expect(["10", "20"].contains(host.value("swappiness") ?? ""))
    let list = try runVMTune(["rollback", "--list", "--root", host.root])
    #expect(list.stdout.split(separator: "\n").count == 3, "two journals, no lost update: \(list.stdout)")
  }
}

/// The typed plan: saved plans and journals are read back through the knob catalog, and the
/// frontend checks `--root` once.
@Suite struct TypedPlanCLITests {
  @Test func editedSavedPlanValuesAreRefusedWhenRead() throws {
    let host = try FixtureHost()
    try host.write("profiles/t.yaml", "apiVersion: vmtune/v1\nname: t\nsysctl:\n  swappiness: 10\n")
    let planFile = host.root + "/plan.json"
    #expect(
      try runVMTune(["plan", host.root + "/profiles/t.yaml", "--root", host.root, "--out", planFile]).status == 2)
    let saved = try String(contentsOfFile: planFile, encoding: .utf8)
    #expect(saved.contains("\"desired\" : \"10\""))
    for (edit, message) in [
      (("\"desired\" : \"10\"", "\"desired\" : \"ten\""), "'ten' is not a valid int value for swappiness"),
      (("\"key\" : \"swappiness\"", "\"key\" : \"swapiness\""), "'swapiness' is not a vm sysctl this vmtune knows"),
    ] {
      try saved.replacingOccurrences(of: edit.0, with: edit.1).write(
        toFile: planFile, atomically: true, encoding: .utf8)
      let r = try runVMTune(["apply", "--plan", planFile, "--root", host.root, "--yes"])
      #expect(r.status == 1)
      #expect(r.stderr.contains("vmtune: error: cannot read plan \(planFile): "), "\(r.stderr)")
      #expect(r.stderr.contains(message), "\(r.stderr)")
      #expect(host.value("swappiness") == "60")
    }
  }

  @Test func missingRootIsNoSuchDirectory() throws {
    let r = try runVMTune(["plan", "kvm-host", "--root", "/nonexistent/vmtune-root"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("vmtune: error: --root /nonexistent/vmtune-root: no such directory"), "\(r.stderr)")
    #expect(!r.stderr.contains("this kernel does not have it"))
  }
}

/// `plan` says when each action would run on this host, from the same evaluator the agent uses.
@Suite struct ActionForecastCLITests {
  @Test func planSaysWhetherEachActionWouldRunNow() throws {
    let host = try FixtureHost()
    try host.write(
      "proc/buddyinfo",
      "Node 0, zone      DMA      0      0      0      0      0      0      0      1      0      1      3\n"
        + "Node 0, zone    DMA32 348663      1      2      3      2      3      2      2      2      1     35\n")
    try host.write(
      "profiles/t.yaml",
      "apiVersion: vmtune/v1\nname: t\nactions:\n  compact: { when: { order: 9, per: node, unusable_above: 0.9 } }\n"
        + "  drop_caches: { every: 1h, when: { order: 4, free_blocks_below: 10 } }\n")
    let r = try runVMTune(["plan", host.root + "/profiles/t.yaml", "--root", host.root, "--no-color"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("  • compact all nodes, when order 9 per node: unusable > 90%\n"), "\(r.stdout)")
    #expect(
      r.stdout.contains(
        "      would run now: node 0: 90.5% of free memory unusable at order 9 (2 MiB blocks), 71 free order-9 block(s)"
      ),
      "\(r.stdout)")
    #expect(r.stdout.contains("      would not run now (node 0 DMA32:"), "\(r.stdout)")
    let json = try runVMTune(["plan", host.root + "/profiles/t.yaml", "--root", host.root, "--format", "json"])
    let plan = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let actions = plan?["actions"] as? [[String: Any]]
    #expect(actions?.map { $0["wouldRun"] as? Bool } == [true, false])
  }
}

extension ActionForecastCLITests {
  @Test func explainShowsTheProfilesActionAndWhetherItWouldRun() throws {
    let host = try FixtureHost()
    try host.write(
      "proc/buddyinfo",
      "Node 0, zone    DMA32 348663      1      2      3      2      3      2      2      2      1     35\n")
    try host.write(
      "profiles/t.yaml",
      "apiVersion: vmtune/v1\nname: t\nactions:\n  compact: { when: { order: 9, per: node, unusable_above: 0.9 } }\n")
    let r = try runVMTune(["explain", "compact", "--profile", host.root + "/profiles/t.yaml", "--root", host.root])
    #expect(r.status == 0)
    #expect(r.stdout.contains("vm.compact_memory\n"), "\(r.stdout)")
    #expect(r.stdout.contains("  profile    t ("), "\(r.stdout)")
    #expect(r.stdout.contains(": compact all nodes, when order 9 per node: unusable > 90%\n"), "\(r.stdout)")
    #expect(
      r.stdout.contains("  now        would run now: node 0: 90.5% of free memory unusable at order 9"), "\(r.stdout)")
    let none = try runVMTune([
      "explain", "drop_caches", "--profile", host.root + "/profiles/t.yaml", "--root", host.root,
    ])
    #expect(none.stdout.contains("  profile    t has no drop_caches action"), "\(none.stdout)")
  }
}

/// What `plan` and the Ansible module's check mode say must be what `apply` will do.
@Suite struct HonestExitCodeTests {
  /// A 4 GB host whose Normal zone would sit under a 2.5 GB reserve's low watermark: a guard.
  func guardedHost() throws -> (FixtureHost, String) {
    let host = try FixtureHost(memTotalKB: 4_024_116)
    try host.writeZoneinfo([
      FixtureZone("DMA32", free: 757_824, min: 12789, low: 15986, high: 19183, managed: 758_592),
      FixtureZone("Normal", free: 145_221, min: 4106, low: 5132, high: 6158, managed: 243_597),
    ])
    try host.write(
      "profiles/t.yaml",
      "apiVersion: vmtune/v1\nname: t\nsysctl:\n  min_free_kbytes: 2500000\nguards: { max_min_free_percent: 80 }\n")
    return (host, host.root + "/profiles/t.yaml")
  }

  @Test func planExitsOneWhenApplyWouldRefuse() throws {
    let (host, p) = try guardedHost()
    let plan = try runVMTune(["plan", p, "--root", host.root, "--no-color"])
    #expect(plan.status == 1, "apply refuses this plan, so plan must not say 'changes pending' (2)")
    #expect(plan.stdout.contains("apply would refuse this plan: 1 guard (--force overrides)"), "\(plan.stdout)")
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 1)
  }

  @Test func ansibleCheckModeFailsLikeTheRealRun() throws {
    let (host, p) = try guardedHost()
    let args = host.root + "/args.json"
    for checkMode in [true, false] {
      try "{\"profile\": \"\(p)\", \"root\": \"\(host.root)\", \"_ansible_check_mode\": \(checkMode)}"
        .write(toFile: args, atomically: true, encoding: .utf8)
      let r = try runVMTune([args])
      #expect(r.status == 1, "check mode \(checkMode): \(r.stdout)")
      #expect(r.stdout.contains("\"failed\":true"), "\(r.stdout)")
      #expect(r.stdout.contains("refused by a guard"), "\(r.stdout)")
    }
    #expect(host.value("min_free_kbytes") == "67584")
  }

  @Test func unknownKernelIsSaidAndTheRuleNamed() throws {
    let host = try FixtureHost(memTotalKB: 4_024_116)
    try FileManager.default.removeItem(atPath: host.root + "/proc/sys/kernel/osrelease")
    try host.writeZoneinfo([
      FixtureZone("DMA32", free: 757_824, min: 12789, low: 15986, high: 19183, managed: 758_592),
      FixtureZone("Normal", free: 145_221, min: 4106, low: 5132, high: 6158, managed: 243_597),
    ])
    try host.write("profiles/t.yaml", "apiVersion: vmtune/v1\nname: t\nsysctl:\n  min_free_kbytes: 90000\n")
    let plan = try runVMTune(["plan", host.root + "/profiles/t.yaml", "--root", host.root, "--no-color"])
    #expect(
      plan.stdout.contains(
        "warning: the kernel release is unknown (no proc/sys/kernel/osrelease); knobs and ranges are checked against "
          + "the newest kernel vmtune knows, and watermarks assume the 6.5+ rule"),
      "\(plan.stdout)")
    let wm = try runVMTune(["watermarks", "--root", host.root])
    #expect(wm.stdout.contains("rule movableCapped (assumed: the kernel release is unknown)"), "\(wm.stdout)")

    // A plan without watermark knobs still depends on the release (which knobs exist, their ranges).
    try host.write("profiles/s.yaml", "apiVersion: vmtune/v1\nname: s\nsysctl:\n  swappiness: 150\n")
    let swappiness = try runVMTune(["plan", host.root + "/profiles/s.yaml", "--root", host.root, "--no-color"])
    #expect(
      swappiness.stdout.contains(
        "warning: the kernel release is unknown (no proc/sys/kernel/osrelease); knobs and ranges are checked "
          + "against the newest kernel vmtune knows"), "\(swappiness.stdout)")
    #expect(!swappiness.stdout.contains("watermarks assume"))
    let json = try runVMTune(["plan", host.root + "/profiles/s.yaml", "--root", host.root, "--format", "json"])
    #expect(json.stdout.contains("the kernel release is unknown"), "\(json.stdout)")

    let diagnose = try runVMTune(["diagnose", "--root", host.root, "--no-color"])
    #expect(
      diagnose.stdout.contains(
        "Assumed: the kernel release is unknown (no proc/sys/kernel/osrelease); compaction is judged by the 4.8+ "
          + "rule"), "\(diagnose.stdout)")
    let diagnoseJSON = try runVMTune(["diagnose", "--root", host.root, "--format", "json"])
    #expect(diagnoseJSON.stdout.contains("\"assumptions\""), "\(diagnoseJSON.stdout)")
  }
}

extension HonestExitCodeTests {
  @Test func watermarkWhatIfsTakeOnlyValuesTheKernelAccepts() throws {
    for (option, value, why) in [
      ("--watermark-scale-factor", "5000", "5000 is above the kernel's maximum 3000 for watermark_scale_factor"),
      ("--watermark-scale-factor", "0", "0 is below the kernel's minimum 1 for watermark_scale_factor"),
      ("--watermark-scale-factor", "100000000000000000", "is above the kernel's maximum 3000"),
      ("--min-free-kbytes", "2147483648", "is above the kernel's maximum"),
    ] {
      let r = try runVMTune(["watermarks", option, value])
      #expect(r.status == 64, "\(option) \(value): \(r.stderr)")
      #expect(r.stderr.contains(why), "\(r.stderr)")
    }
  }

  @Test func watermarkWhatIfsWarnWhenAZoneCannotHoldThem() throws {
    let (host, _) = try guardedHost()
    let r = try runVMTune(["watermarks", "--root", host.root, "--min-free-kbytes", "3000000"])
    #expect(r.status == 0)
    #expect(
      r.stderr.contains("warning: Node 0 Normal: the predicted high watermark")
        && r.stderr.contains("reaches the zone's size (243597 managed pages)"), "\(r.stderr)")
    let modest = try runVMTune(["watermarks", "--root", host.root, "--min-free-kbytes", "67584"])
    #expect(!modest.stderr.contains("warning:"), "\(modest.stderr)")
  }
}

/// A saved plan is bound to the host and boot it was made on.
@Suite struct PlanIdentityTests {
  @Test func aPlanFromAnotherHostIsRefused() throws {
    let big = try FixtureHost(memTotalKB: 400 << 20)
    let small = try FixtureHost(memTotalKB: 3_984_588)
    try big.write(
      "profiles/k.yaml", "apiVersion: vmtune/v1\nname: k\nsysctl:\n  min_free_kbytes: { percent_of_ram: 0.25 }\n")
    let planFile = big.root + "/p.json"
    #expect(try runVMTune(["plan", big.root + "/profiles/k.yaml", "--root", big.root, "--out", planFile]).status == 2)
    let r = try runVMTune(["apply", "--plan", planFile, "--root", small.root, "--yes"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("was made on another host"), "\(r.stderr)")
    #expect(r.stderr.contains("MemTotal 419430400 kB there, 3984588 kB here"), "\(r.stderr)")
    #expect(small.value("min_free_kbytes") == "67584", "nothing written")
  }

  @Test func aPlanFromAnotherBootIsRefused() throws {
    let host = try FixtureHost()
    try host.write("proc/sys/kernel/random/boot_id", "11111111-2222-3333-4444-555555555555\n")
    try host.write("profiles/k.yaml", "apiVersion: vmtune/v1\nname: k\nsysctl:\n  swappiness: 10\n")
    let planFile = host.root + "/p.json"
    #expect(
      try runVMTune(["plan", host.root + "/profiles/k.yaml", "--root", host.root, "--out", planFile]).status == 2)
    try host.write("proc/sys/kernel/random/boot_id", "99999999-2222-3333-4444-555555555555\n")
    let r = try runVMTune(["apply", "--plan", planFile, "--root", host.root, "--yes"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("was made before this host last booted"), "\(r.stderr)")
    #expect(host.value("swappiness") == "60")
  }

  /// A 4 GiB host whose Normal zone has 15000 free pages and `normalFile` pages of page cache.
  /// min_free_kbytes 180000 (4.5 % of RAM, under the 5 % guard) gives Normal a high watermark of
  /// 16407 pages: covered with page cache, not without.
  func memoryHost(normalFile: UInt64) throws -> FixtureHost {
    let host = try FixtureHost(memTotalKB: 4_024_116)
    try setNormalPageCache(host, normalFile)
    try host.write("profiles/k.yaml", "apiVersion: vmtune/v1\nname: k\nsysctl:\n  min_free_kbytes: 180000\n")
    return host
  }

  func setNormalPageCache(_ host: FixtureHost, _ pages: UInt64) throws {
    try host.writeZoneinfo([
      FixtureZone("DMA32", free: 757_824, min: 12789, low: 15986, high: 19183, managed: 758_592, filePages: 1000),
      FixtureZone("Normal", free: 15000, min: 4106, low: 5132, high: 6158, managed: 243_597, filePages: pages),
    ])
  }

  /// Guards come from the live host at apply time: memory that was page cache when the plan was
  /// made is gone (a job filled it with anonymous memory), so the reserve can no longer be covered.
  @Test func guardsAreEvaluatedOnTheLiveHostNotFromThePlanFile() throws {
    let host = try memoryHost(normalFile: 100_000)
    let planFile = host.root + "/p.json"
    let made = try runVMTune(["plan", host.root + "/profiles/k.yaml", "--root", host.root, "--out", planFile])
    #expect(made.status == 2, "\(made.stdout)")
    #expect(!made.stdout.contains("guard:"))
    try setNormalPageCache(host, 0)
    let r = try runVMTune(["apply", "--plan", planFile, "--root", host.root, "--yes"])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("guard: Node 0 Normal: the new high watermark"), "\(r.stdout)")
    #expect(r.stderr.contains("refused by a guard; nothing was written"), "\(r.stderr)")
    #expect(host.value("min_free_kbytes") == "67584")
  }

  /// Deleting the guard warnings from a saved plan does not get it past them.
  @Test func aPlanEditedToDropItsGuardsIsStillRefused() throws {
    let host = try memoryHost(normalFile: 0)
    let planFile = host.root + "/p.json"
    let made = try runVMTune(["plan", host.root + "/profiles/k.yaml", "--root", host.root, "--out", planFile])
    #expect(made.status == 1, "the plan shows the guard: \(made.stdout)")
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: planFile))) as? [String: Any])
    #expect((json["warnings"] as? [Any])?.isEmpty == false)
    json["warnings"] = [Any]()
    try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: planFile))
    let r = try runVMTune(["apply", "--plan", planFile, "--root", host.root, "--yes"])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
    #expect(r.stderr.contains("refused by a guard; nothing was written"), "\(r.stderr)")
    #expect(host.value("min_free_kbytes") == "67584")
  }
}

@Suite struct PersistOverrideCLITests {
  @Test func aLaterFileSettingTheExclusivePartnerIsNamed() throws {
    let host = try FixtureHost()
    try host.write("etc/sysctl.d/99-local.conf", "# local\nvm.dirty_ratio = 20\n")
    let p = try writeProfile(host, "sysctl:\n  dirty_bytes: 1073741824\n")
    let r = try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      r.stderr.contains(
        "99-local.conf:2 sets vm.dirty_ratio = 20 and is read after \(host.root)/etc/sysctl.d/90-vmtune.conf at boot, "
          + "so the kernel zeroes the profile's vm.dirty_bytes (they are an exclusive pair)"), "\(r.stderr)")
  }
}

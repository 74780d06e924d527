import Foundation
import Testing
import VMTuneTestSupport

/// `unchecked:` end to end: plan says it loudly, apply writes and journals it, rollback restores it.
@Suite struct UncheckedCLITests {
  @Test func planApplyCheckAndRollbackOfAnUncheckedKnob() throws {
    let host = try FixtureHost()
    try host.set("shrink_inodes_with_pagecache", "0")
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\nunchecked:\n  shrink_inodes_with_pagecache: 1\n")
    let plan = try runVMTune(["plan", p, "--root", host.root])
    #expect(plan.status == 2, "\(plan.stderr)")
    #expect(plan.stdout.contains("~ shrink_inodes_with_pagecache"), "\(plan.stdout)")
    #expect(plan.stdout.contains("0 → 1"))
    #expect(plan.stdout.contains("want 1 (unchecked)"), "\(plan.stdout)")
    #expect(
      plan.stdout.contains(
        "warning: shrink_inodes_with_pagecache is not in vmtune's knob catalog: vmtune does not know its semantics"),
      "\(plan.stdout)")
    let apply = try runVMTune(["apply", p, "--root", host.root, "--yes"])
    #expect(apply.status == 0, "\(apply.stderr)")
    #expect(host.value("shrink_inodes_with_pagecache") == "1")
    #expect(try runVMTune(["check", p, "--root", host.root]).status == 0)
    let rollback = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(rollback.status == 0, "\(rollback.stderr)")
    #expect(host.value("shrink_inodes_with_pagecache") == "0")
    #expect(host.value("swappiness") == "60")
  }

  @Test func aSavedPlanOfAnUncheckedKnobApplies() throws {
    let host = try FixtureHost()
    try host.set("shrink_inodes_with_pagecache", "0")
    let p = try writeProfile(host, "unchecked:\n  shrink_inodes_with_pagecache: 1\n")
    let out = host.root + "/plan.json"
    #expect(try runVMTune(["plan", p, "--root", host.root, "--out", out]).status == 2)
    #expect(try String(contentsOfFile: out, encoding: .utf8).contains("\"unchecked:shrink_inodes_with_pagecache\""))
    let apply = try runVMTune(["apply", "--plan", out, "--root", host.root, "--yes"])
    #expect(apply.status == 0, "\(apply.stderr)")
    #expect(host.value("shrink_inodes_with_pagecache") == "1")
  }
}

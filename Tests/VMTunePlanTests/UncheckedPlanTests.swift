import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTunePlan

/// Plans of `unchecked:` knobs: planned like an int knob, and loud about it.
@Suite struct UncheckedPlanTests {
  @Test func anUncheckedKnobIsPlannedWithAWarning() throws {
    let host = try FixtureHost()
    try host.set("shrink_inodes_with_pagecache", "0")
    let p = try loadProfile("unchecked:\n  shrink_inodes_with_pagecache: 1\n")
    let plan = Planner.plan(p, on: try HostSnapshot.read(host.files, keys: Planner.keysRead(by: p)))
    let e = try #require(plan.entries.first)
    #expect(e.action == .change)
    #expect(e.current == .int(0))
    #expect(e.desired == .int(1))
    let warning = try #require(plan.warnings.first { $0.key == "shrink_inodes_with_pagecache" })
    #expect(warning.severity == .warning)
    #expect(warning.message.contains("not in vmtune's knob catalog"))
    #expect(warning.message.contains("vmtune does not know its semantics"))
    // A saved plan keeps it and decodes it back; its warning is made again from the live host.
    let saved = try JSONDecoder().decode(Plan.self, from: try JSONEncoder().encode(plan))
    #expect(saved.entries.first?.knob.isUnchecked == true)
    #expect(saved.observed["shrink_inodes_with_pagecache"] == .int(0))
    let again = Planner.reassess(saved, on: try HostSnapshot.read(host.files))
    #expect(again.warnings.contains { $0.key == "shrink_inodes_with_pagecache" })
  }

  @Test func anUncheckedKnobTheKernelLacksIsSkipped() throws {
    let host = try FixtureHost()
    let p = try loadProfile("unchecked:\n  shrink_inodes_with_pagecache: 1\n")
    let plan = Planner.plan(p, on: try HostSnapshot.read(host.files, keys: Planner.keysRead(by: p)))
    #expect(plan.entries.first?.action == .skipped)
    #expect(plan.entries.first?.reason == "not on this kernel")
  }

  @Test func aLiveValueThatIsNotOneIntegerIsNotWritten() throws {
    let host = try FixtureHost()
    try host.set("shrink_inodes_with_pagecache", "1\t2\t3")
    let p = try loadProfile("unchecked:\n  shrink_inodes_with_pagecache: 1\n")
    let plan = Planner.plan(p, on: try HostSnapshot.read(host.files, keys: Planner.keysRead(by: p)))
    #expect(plan.entries.first?.action == .skipped)
    #expect(plan.entries.first?.reason?.hasPrefix("cannot read the live value") == true)
  }
}

import Testing
import VMTuneHost
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneAgent

/// `headroom_below_percent` end to end: profile key → agent cycle → zoneinfo on the fixture root.
@Suite struct HeadroomActionTests {
  func host(free: UInt64) throws -> FixtureHost {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    // managed 1 000 000, low 13382: headroom = (free − 13382) × 100 / 1 000 000.
    try host.writeZoneinfo([FixtureZone("Normal", free: free, min: 10706, low: 13382, high: 16058, managed: 1_000_000)])
    return host
  }

  let body = "actions:\n  drop_caches: { what: pagecache, when: { order: 4, headroom_below_percent: 20 } }\n"

  @Test func runsBelowTheThresholdOnly() throws {
    // 213382 free: exactly 20 % above low, not below 20.
    let h = try host(free: 213_382)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = Agent(
      profile: try loadProfile(body), files: h.files, store: KernelEmulatingStore(h.files), executor: exec,
      clock: clock, jitter: Jitter(seed: 42))
    _ = a.cycle()
    #expect(exec.count == 0, "20 % headroom is not below 20 %")
    // 213381 free: (199999 × 100) / 1000000 = 19 %.
    try h.writeZoneinfo([FixtureZone("Normal", free: 213_381, min: 10706, low: 13382, high: 16058, managed: 1_000_000)])
    clock.advance(60)
    let lines = a.cycle()
    #expect(exec.runs.withLock { $0 } == ["drop_caches"])
    #expect(lines.contains { $0.message.contains("headroom 19% of the zone above low") }, "\(lines.map(\.message))")
  }

  @Test func theProfileKeyIsBoundedAndParsed() throws {
    let p = try loadProfile(body)
    #expect(p.actions.first?.condition?.headroomBelowPercent == 20)
    #expect(throws: (any Error).self) {
      try loadProfile("actions:\n  drop_caches: { when: { order: 4, headroom_below_percent: 0 } }\n")
    }
    #expect(throws: (any Error).self) {
      try loadProfile("actions:\n  drop_caches: { when: { order: 4, headroom_below_percent: 101 } }\n")
    }
    #expect(
      try loadProfile("actions:\n  drop_caches: { when: { order: 4, headroom_below_percent: 100 } }\n").actions.first?
        .condition?.headroomBelowPercent == 100)
    #expect(
      try loadProfile("actions:\n  drop_caches: { when: { order: 4, headroom_below_percent: 1 } }\n").actions.first?
        .condition?.headroomBelowPercent == 1)
  }
}

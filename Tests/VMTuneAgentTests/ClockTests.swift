import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneAgent

@Suite struct ClockTests {
  @Test func systemClockIsTheWallClock() {
    let now = Int64(Date().timeIntervalSince1970)
    #expect(abs(SystemClock().now() - now) <= 2)
    let clock = SystemClock()
    let start = clock.monotonic()
    #expect(clock.monotonic() >= start)
  }

  @Test func executorTimesActionsOnTheMonotonicClock() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    try host.write("proc/vmstat", "drop_pagecache 0\n")
    let exec = KernelActionExecutor(files: host.files)
    let at = ProfileLocation(file: "p", mark: Mark(line: 1, column: 1))
    let drop = Action(kind: .dropCaches, what: .pagecache, location: at)
    let effect = try exec.run(drop, order: 4)
    #expect(effect.seconds >= 0)
    #expect(effect.seconds < 60)
    #expect(KernelActionExecutor.seconds(.milliseconds(1500)) == 1.5)
    #expect(KernelActionExecutor.seconds(.zero) == 0)
  }

  @Test func scheduleLinesUseIntervalText() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let agent = Agent(
      profile: try loadProfile("actions:\n  compact: { every: 1h30m }\n"), files: host.files,
      store: KernelEmulatingStore(host.files), executor: exec, clock: clock, jitter: Jitter(seed: 1))
    #expect(agent.cycle().contains { $0.message.hasPrefix("compact ran (scheduled every 1h30m)") })
    clock.advance(try Interval.parse("1h29m59s").seconds)
    _ = agent.cycle()
    #expect(exec.count == 1)
    clock.advance(1)
    _ = agent.cycle()
    #expect(exec.count == 2)
  }
}

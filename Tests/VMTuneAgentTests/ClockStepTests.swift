import Testing
import VMTuneHost
import VMTuneKernel
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneAgent

/// Schedules, rate limits and retries follow the monotonic clock: a wall clock stepped back (or
/// forward) neither suspends actions until it catches up nor runs them early, and the step is logged.
@Suite struct ClockStepTests {
  @Test func aWallClockSteppedBackDoesNotSuspendSchedules() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try makeAgent(host, "actions:\n  compact: { every: 15m }\n", clock: clock, executor: exec)
    _ = a.cycle()
    #expect(exec.count == 1)
    clock.advance(600)
    clock.stepWall(-86400)
    let stepped = a.cycle()
    #expect(exec.count == 1)
    #expect(
      stepped.contains { $0.level == .warning && $0.message.hasPrefix("the wall clock stepped back by 1d") },
      "\(stepped.map(\.message))")
    clock.advance(300)
    _ = a.cycle()
    #expect(exec.count == 2, "due 15 min after the last run on the monotonic clock")
    #expect(a.nextDue(.compact) == clock.now() + 900)
  }

  @Test func aWallClockSteppedForwardDoesNotRunEarly() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try makeAgent(host, "actions:\n  compact: { every: 1h }\n", clock: clock, executor: exec)
    _ = a.cycle()
    clock.advance(60)
    clock.stepWall(7200)
    let stepped = a.cycle()
    #expect(exec.count == 1, "the schedule has 59 min to go")
    #expect(stepped.contains { $0.message.hasPrefix("the wall clock stepped forward by 2h") })
    clock.advance(3540)
    _ = a.cycle()
    #expect(exec.count == 2)
  }

  @Test func rateLimitsAndRetriesKeepTheirRemainingTimeAcrossAStep() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", fragmentedBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try makeAgent(
      host, "actions:\n  compact: { when: { order: 4, fragmentation_index_above: 500 }, min_interval: 15m }\n",
      clock: clock, executor: exec)
    _ = a.cycle()
    #expect(exec.count == 1)
    clock.stepWall(-86400)
    clock.advance(900)
    _ = a.cycle()
    #expect(exec.count == 2, "min_interval counts on the monotonic clock, not until the wall clock catches up")
    // A failure's retry is not pushed a day away by a step either.
    exec.failing.withLock { $0 = true }
    clock.advance(900)
    #expect(a.cycle().contains { $0.message.hasSuffix("retrying in 60s") })
    exec.failing.withLock { $0 = false }
    clock.stepWall(-86400)
    clock.advance(900)
    _ = a.cycle()
    #expect(exec.count == 3)
  }

  /// A restarted agent (or the next --once run) finds a last run recorded in the future.
  @Test func aRecordInTheFutureIsClampedToNowAndLogged() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", fragmentedBuddy)
    let body = "actions:\n  compact: { when: { order: 4, fragmentation_index_above: 500 }, min_interval: 15m }\n"
    let clock = FakeClock()
    let exec = FakeExecutor()
    _ = try makeAgent(host, body, clock: clock, executor: exec).cycle()
    #expect(exec.count == 1)
    let later = FakeClock()
    later.stepWall(-86400)
    let b = try makeAgent(host, body, clock: later, executor: exec)
    let first = b.cycle()
    #expect(
      first.contains {
        $0.level == .warning
          && $0.message.hasPrefix("compact: its last run is recorded 1d in the future (the wall clock was set back)")
      }, "\(first.map(\.message))")
    #expect(exec.count == 1, "counted from now: min_interval holds")
    // The clamp is saved: the next --once run does not count from its own now again.
    later.advance(300)
    let c = try makeAgent(host, body, clock: later, executor: exec)
    #expect(!c.cycle().contains { $0.message.contains("in the future") })
    #expect(c.record(.compact)?.lastRun == later.now() - 300)
    later.advance(900)
    _ = b.cycle()
    #expect(exec.count == 2, "runs 15 min later, not in a day")
  }
}

/// "due but rate-limited" (and every other wait) is logged when the action starts waiting, not
/// every cycle it keeps waiting.
@Suite struct WaitLogTests {
  @Test func rateLimitedIsLoggedOncePerWait() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", fragmentedBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try makeAgent(
      host, "actions:\n  compact: { when: { order: 4, fragmentation_index_above: 500 }, min_interval: 15m }\n",
      clock: clock, executor: exec)
    var waits: [String] = []
    for _ in 0..<30 {
      waits += a.cycle().map(\.message).filter { $0.contains("rate-limited") }
      clock.advance(60)
    }
    #expect(exec.count == 2)
    #expect(waits.count == 2, "one wait after each run: \(waits)")
    #expect(waits.first == "compact: due but rate-limited (last run 1m ago, min_interval 15m)")
  }
}

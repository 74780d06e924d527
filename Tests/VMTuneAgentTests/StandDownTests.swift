import Testing
import VMTuneApply
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneAgent

/// A rollback tells a running agent to stand down: it stops enforcing (and says so once) until
/// the next apply, instead of undoing the rollback within one interval as "changed outside vmtune".
@Suite struct StandDownTests {
  @Test func theAgentHonoursARollbackUntilTheNextApply() throws {
    let host = try FixtureHost()
    let clock = FakeClock()
    let agent = try makeAgent(host, "sysctl:\n  swappiness: 10\n", clock: clock, executor: FakeExecutor())
    #expect(agent.cycle().contains { $0.message.hasPrefix("enforced swappiness: 60 → 10") })
    let applier = Applier(files: host.files, store: KernelEmulatingStore(host.files))
    _ = try applier.rollback()
    #expect(host.value("swappiness") == "60")

    clock.advance(60)
    let standing = agent.cycle()
    #expect(standing.count == 1, "\(standing)")
    #expect(standing.first?.message.hasPrefix("standing down: 'vmtune rollback' restored generation 1") == true)
    #expect(host.value("swappiness") == "60")
    clock.advance(60)
    #expect(agent.cycle().isEmpty, "the stand-down is logged once")
    #expect(host.value("swappiness") == "60")

    // The operator applies again: the agent resumes, and drift after that is enforced.
    _ = try applier.apply(
      Planner.plan(try loadProfile("sysctl:\n  swappiness: 10\n"), on: try HostSnapshot.read(host.files)))
    try host.set("swappiness", "30")
    clock.advance(60)
    let resumed = agent.cycle().map(\.message)
    #expect(resumed.first?.hasPrefix("resuming enforcement") == true, "\(resumed)")
    #expect(resumed.contains { $0.contains("swappiness changed outside vmtune") }, "\(resumed)")
    #expect(resumed.contains { $0.hasPrefix("enforced swappiness: 30 → 10") }, "\(resumed)")
    #expect(host.value("swappiness") == "10")
  }
}

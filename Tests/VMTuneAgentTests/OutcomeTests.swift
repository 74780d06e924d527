import Synchronization
import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneAgent

/// An executor whose runs change nothing (compaction that moves no block), like a fixed schedule
/// compacting memory that is already as compact as it gets.
final class FutileExecutor: ActionExecutor {
  let runs = Mutex(0)
  func run(_ action: Action, order: Int) throws(KernelError) -> ActionEffect {
    runs.withLock { $0 += 1 }
    return ActionEffect(
      order: order, blocksBefore: 2834, blocksAfter: 2834, freePagesBefore: 383_014, freePagesAfter: 383_014,
      vmstatDeltas: [("compact_migrate_scanned", 153_000), ("compact_free_scanned", 38_000)], seconds: 1.2)
  }
  var count: Int { runs.withLock { $0 } }
}

/// A guest whose free memory is 90 % unusable for huge pages though ~2,570 order-4 blocks are free:
/// memory fragmented by a holder that frees every other page.
let guestFragmented = """
  Node 0, zone      DMA      0      0      0      0      0      0      0      1      0      1      3
  Node 0, zone    DMA32 348663      1      2      3      2      3      2      2      2      1     35

  """

/// The agent's conditions are what a VM start needs, in the operator's terms, evaluated every cycle.
@Suite struct OutcomeTests {
  func agent(_ host: FixtureHost, _ body: String, clock: FakeClock, executor: any ActionExecutor) throws -> Agent {
    try makeAgent(host, body, clock: clock, executor: executor, enforce: false)
  }

  @Test func theFragmentationIndexCannotSeeAFragmentedGuestButTheUnusableShareCan() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", guestFragmented)
    let exec = FakeExecutor()
    let old = try agent(
      host, "actions:\n  compact: { when: { order: 4, fragmentation_index_above: 500 } }\n", clock: FakeClock(),
      executor: exec)
    _ = old.cycle()
    #expect(exec.count == 0, "index is -1000 while one order-4 block is free")
    let new = try agent(
      host, "actions:\n  compact: { when: { order: 9, per: node, unusable_above: 0.9 } }\n", clock: FakeClock(),
      executor: exec)
    let lines = new.cycle()
    #expect(exec.count == 1)
    let ran = try #require(lines.first { $0.message.hasPrefix("compact ran") }).message
    #expect(
      ran.contains("node 0: 90.5% of free memory unusable at order 9 (2 MiB blocks), 71 free order-9 block(s)"),
      "\(ran)")
  }

  @Test func keepFreeInBlocksOfAnOrderPerNode() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", guestFragmented)
    let exec = FakeExecutor()
    // DMA32: 1 order-9 block + 35 order-10 blocks (two order-9 each) = 71 blocks = 142 MiB < 512 MiB;
    // the 16 MiB DMA zone is left out.
    let a = try agent(
      host, "actions:\n  compact: { when: { order: 9, per: node, free_below: 512MiB } }\n", clock: FakeClock(),
      executor: exec)
    let lines = a.cycle()
    #expect(exec.count == 1)
    #expect(lines.contains { $0.message.contains("71 free order-9 block(s)") }, "\(lines.map(\.message))")
    let enough = try agent(
      host, "actions:\n  compact: { when: { order: 9, per: node, free_blocks_below: 71 } }\n", clock: FakeClock(),
      executor: exec)
    _ = enough.cycle()
    #expect(exec.count == 1, "71 blocks are not below 71")
  }

  @Test func conditionsAreCheckedEveryCycleAndEitherStartsTheAction() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(
      host,
      "actions:\n  compact: { every: 1h, when: { order: 9, per: node, unusable_above: 0.9 }, min_interval: 10s }\n",
      clock: clock, executor: exec)
    _ = a.cycle()  // the schedule's first slot
    #expect(exec.count == 1)
    clock.advance(60)
    _ = a.cycle()
    #expect(exec.count == 1, "healthy memory, schedule not due")
    try host.write("proc/buddyinfo", guestFragmented)
    clock.advance(60)
    _ = a.cycle()
    #expect(exec.count == 2, "the condition starts it long before the hourly slot")
  }

  @Test func aFutileRunWarnsAndBacksOffUntilMemoryChanges() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", guestFragmented)
    let clock = FakeClock()
    let exec = FutileExecutor()
    let a = try agent(
      host, "actions:\n  compact: { when: { order: 9, per: node, unusable_above: 0.9 }, min_interval: 10s }\n",
      clock: clock, executor: exec)
    let first = a.cycle()
    #expect(exec.count == 1)
    let warning = try #require(first.first { $0.level == .warning }).message
    #expect(warning.contains("compact changed nothing (order-9+ blocks 2834 → 2834"), "\(warning)")
    #expect(warning.contains("191000 pages scanned); holding it off for 1m"), "\(warning)")
    #expect(a.record(.compact)?.futileRuns == 1)
    // The condition still holds every cycle, but nothing changed: held off, logged once.
    var waits = 0
    for _ in 0..<5 {
      clock.advance(10)
      waits += a.cycle().filter { $0.message.contains("held off") }.count
    }
    #expect(exec.count == 1)
    #expect(waits == 1, "the wait is logged once per change, not every cycle")
    // After the hold-off it runs again; still futile, so the next hold-off doubles.
    clock.advance(20)
    let second = a.cycle()
    #expect(exec.count == 2)
    #expect(second.contains { $0.message.contains("holding it off for 2m") }, "\(second.map(\.message))")
    // Free memory changes by more than a tenth: the hold-off ends early.
    try host.write("proc/buddyinfo", "Node 0, zone DMA32 700000 1 2 3 2 3 2 2 2 1 35\n")
    clock.advance(10)
    _ = a.cycle()
    #expect(exec.count == 3)
    // The state survives a restart (--once timers).
    let restarted = try agent(
      host, "actions:\n  compact: { when: { order: 9, per: node, unusable_above: 0.9 }, min_interval: 10s }\n",
      clock: clock, executor: exec)
    #expect(restarted.record(.compact)?.futileRuns == 3)
    #expect(restarted.record(.compact)?.heldOffUntil != nil)
  }

  @Test func stallsBetweenCyclesStartAnAction() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    try host.write("proc/vmstat", "compact_stall 10\nallocstall_normal 5\npgscan_kswapd 100\n")
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(
      host, "actions:\n  compact: { when: { order: 9, stalls_above: 3 } }\n", clock: clock, executor: exec)
    _ = a.cycle()
    #expect(exec.count == 0, "no previous cycle to compare with")
    try host.write("proc/vmstat", "compact_stall 12\nallocstall_normal 6\npgscan_kswapd 100\n")
    clock.advance(60)
    _ = a.cycle()
    #expect(exec.count == 0, "3 stalls are not above 3")
    try host.write("proc/vmstat", "compact_stall 14\nallocstall_normal 8\npgscan_kswapd 100\n")
    clock.advance(60)
    let lines = a.cycle()
    #expect(exec.count == 1)
    #expect(
      lines.contains { $0.message.contains("4 stall(s) and 0 pages scanned by kswapd") }, "\(lines.map(\.message))")
  }
}

/// Records which nodes each compaction targeted.
final class NodeRecordingExecutor: ActionExecutor {
  let targets = Mutex<[[Int]?]>([])
  func run(_ action: Action, order: Int) throws(KernelError) -> ActionEffect {
    targets.withLock { $0.append(action.nodes) }
    return ActionEffect(
      order: order, blocksBefore: 0, blocksAfter: 10, freePagesBefore: 100, freePagesAfter: 100, vmstatDeltas: [],
      seconds: 0.1)
  }
}

extension OutcomeTests {
  @Test func matchingCompactsOnlyTheNodeWhoseConditionHolds() throws {
    let host = try FixtureHost(numaNodes: 2)
    try host.write(
      "proc/buddyinfo",
      "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n"
        + "Node 1, zone Normal 348663 1 2 3 2 3 2 2 2 1 35\n")
    let exec = NodeRecordingExecutor()
    let a = try agent(
      host, "actions:\n  compact: { when: { order: 9, per: node, unusable_above: 0.9 }, nodes: matching }\n",
      clock: FakeClock(), executor: exec)
    let lines = a.cycle()
    #expect(exec.targets.withLock { $0 } == [[1]], "\(lines.map(\.message))")
    #expect(throws: ProfileErrors.self) {
      try loadProfile("actions:\n  compact: { when: { order: 9, unusable_above: 0.9 }, nodes: matching }\n")
    }
  }
}

import Synchronization
import Testing
import VMTuneApply
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneAgent

/// A wall clock and a monotonic clock that tests move: `advance` moves both (time passes), `stepWall`
/// only the wall clock (an operator or NTP setting the time).
final class FakeClock: AgentClock {
  let t = Mutex<Int64>(1_000_000)
  let elapsed = Mutex<Int64>(0)
  func now() -> Int64 { t.withLock { $0 } }
  func monotonic() -> Duration { .seconds(elapsed.withLock { $0 }) }
  func advance(_ s: Int64) {
    t.withLock { $0 += s }
    elapsed.withLock { $0 += s }
  }
  func stepWall(_ s: Int64) { t.withLock { $0 += s } }
}

/// Records runs; fails while `failing` is set.
final class FakeExecutor: ActionExecutor {
  let runs = Mutex<[String]>([])
  let failing = Mutex(false)
  func run(_ action: Action, order: Int) throws(KernelError) -> ActionEffect {
    if failing.withLock({ $0 }) { throw .injected(key: action.kind.rawValue, errno: .ioError) }
    runs.withLock { $0.append(action.kind.rawValue) }
    return ActionEffect(
      order: order, blocksBefore: 0, blocksAfter: 10, freePagesBefore: 100, freePagesAfter: 100,
      vmstatDeltas: [("compact_migrate_scanned", 512)], seconds: 0.1)
  }
  var count: Int { runs.withLock { $0.count } }
}

/// An agent for `body` on a fixture host, with a fake clock and executor and a fixed jitter seed.
func makeAgent(
  _ host: FixtureHost, _ body: String, clock: FakeClock, executor: any ActionExecutor, enforce: Bool = true
) throws -> Agent {
  Agent(
    profile: try loadProfile(body), files: host.files, store: KernelEmulatingStore(host.files), executor: executor,
    clock: clock, jitter: Jitter(seed: 42), enforce: enforce)
}

let fragmentedBuddy = "Node 0, zone Normal 4374385 85408 0 0 0 0 0 0 0 0 0\n"
let healthyBuddy = "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n"

@Suite struct AgentTests {
  func agent(_ host: FixtureHost, _ body: String, clock: FakeClock, executor: FakeExecutor, enforce: Bool = true) throws
    -> Agent
  {
    try makeAgent(host, body, clock: clock, executor: executor, enforce: enforce)
  }

  @Test func schedulesFireOnTime() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(host, "actions:\n  compact: { every: 15m }\n", clock: clock, executor: exec)
    // First run at start (no history, no jitter), then every 900 s.
    _ = a.cycle()
    #expect(exec.count == 1)
    clock.advance(899)
    _ = a.cycle()
    #expect(exec.count == 1)
    clock.advance(1)
    let lines = a.cycle()
    #expect(exec.count == 2)
    #expect(lines.contains { $0.message.hasPrefix("compact ran (scheduled every 15m); order-4+ blocks 0 → 10") })
    // A missed stretch (host asleep 1 h) runs once, then returns to the grid.
    clock.advance(3600)
    _ = a.cycle()
    _ = a.cycle()
    #expect(exec.count == 3)
    #expect(a.nextDue(.compact) == Int64(1_000_000 + 900 * 6))
  }

  @Test func jitterOffsetsTheFirstRunAndHistoryPersists() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(host, "actions:\n  compact: { every: 1h, jitter: 10m }\n", clock: clock, executor: exec)
    let offset = Jitter(seed: 42).offset(600, salt: "compact")
    #expect(a.nextDue(.compact) == Int64(1_000_000) + offset)
    clock.advance(offset)
    _ = a.cycle()
    #expect(exec.count == 1)
    // A restarted agent (or the next --once run) continues from the recorded run.
    let b = try agent(host, "actions:\n  compact: { every: 1h, jitter: 10m }\n", clock: clock, executor: exec)
    #expect(b.nextDue(.compact) == Int64(1_000_000 + 3600) + offset)
  }

  @Test func triggersFireOnlyOnTheirCondition() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(
      host, "actions:\n  compact: { when: { order: 4, fragmentation_index_above: 500 } }\n", clock: clock,
      executor: exec)
    _ = a.cycle()
    #expect(exec.count == 0)
    try host.write("proc/buddyinfo", fragmentedBuddy)
    clock.advance(60)
    let lines = a.cycle()
    #expect(exec.count == 1)
    #expect(
      lines.contains {
        $0.message.contains(
          "condition met: node 0 Normal: 100% of free memory unusable at order 4 (64 KiB blocks), "
            + "0 free order-4 block(s), 4545201 free pages, fragmentation index 937")
      })
  }

  @Test func rateLimitsHold() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", fragmentedBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(
      host, "actions:\n  compact: { when: { order: 4, fragmentation_index_above: 500 }, min_interval: 15m }\n",
      clock: clock, executor: exec)
    for _ in 0..<30 {
      _ = a.cycle()
      clock.advance(60)
    }
    // 30 minutes of a condition that always holds: runs at 0 and 15 min only.
    #expect(exec.count == 2)
  }

  @Test func dropCachesNeedsShortageNotFragmentation() throws {
    let host = try FixtureHost()
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(
      host,
      "actions:\n  drop_caches: { what: pagecache, when: { order: 4, fragmentation_index_below: 500, "
        + "free_blocks_below: 64 } }\n",
      clock: clock, executor: exec)
    try host.write("proc/buddyinfo", fragmentedBuddy)  // index 937: compaction's case
    _ = a.cycle()
    #expect(exec.count == 0)
    // 1000-(1000+1000000)/2000 = 500, not below
    try host.write("proc/buddyinfo", "Node 0, zone Normal 0 0 0 2000 0 0 0 0 0 0 0\n")
    _ = a.cycle()
    #expect(exec.count == 0)
    // 160 pages: index 1000-(1000+10000)/40=725
    try host.write("proc/buddyinfo", "Node 0, zone Normal 0 0 40 0 0 0 0 0 0 0 0\n")
    _ = a.cycle()
    #expect(exec.count == 0)
    try host.write("proc/buddyinfo", "Node 0, zone Normal 0 0 0 10 0 0 0 0 0 0 0\n")  // 1000-(1000+5000)/10 = 400
    _ = a.cycle()
    #expect(exec.count == 1)
  }

  @Test func failingActionIsLoggedAndRetriedWithoutStopping() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", fragmentedBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    exec.failing.withLock { $0 = true }
    let a = try agent(
      host, "actions:\n  compact: { when: { order: 4, fragmentation_index_above: 500 } }\n", clock: clock,
      executor: exec)
    let first = a.cycle()
    #expect(first.contains { $0.level == .error && $0.message.hasSuffix("retrying in 60s") })
    #expect(a.lastCycleFailed)
    clock.advance(30)
    #expect(a.cycle().isEmpty, "retried before the backoff")
    #expect(!a.lastCycleFailed)
    clock.advance(30)
    #expect(a.cycle().contains { $0.message.hasSuffix("retrying in 120s") })
    exec.failing.withLock { $0 = false }
    clock.advance(120)
    #expect(a.cycle().contains { $0.message.hasPrefix("compact ran") })
    #expect(exec.count == 1)
  }

  @Test func driftIsLoggedWithWhoAndEnforced() throws {
    let host = try FixtureHost()
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(host, "sysctl:\n  swappiness: 10\n", clock: clock, executor: exec)
    let first = a.cycle()
    #expect(first.contains { $0.message == "drift: swappiness is 60; profile p wants 10" })
    #expect(first.contains { $0.message == "enforced swappiness: 60 → 10 (journal 1)" })
    #expect(host.value("swappiness") == "10")
    try host.set("swappiness", "35")
    let second = a.cycle()
    #expect(
      second.contains { $0.message == "drift: swappiness changed outside vmtune from 10 to 35; profile p wants 10" })
    #expect(host.value("swappiness") == "10")
    #expect(a.cycle().isEmpty)
  }

  /// Started with another profile than the one applied, the agent does what `vmtune apply` of its
  /// profile does: keys only the earlier profile managed go back to their baseline, once (a key
  /// someone sets by hand afterwards is no longer vmtune's).
  @Test func keysOfAnEarlierProfileAreReleasedOnce() throws {
    let host = try FixtureHost()
    let earlier = try loadProfile("sysctl:\n  swappiness: 10\n  vfs_cache_pressure: 50\n", name: "a")
    let applier = Applier(files: host.files, store: KernelEmulatingStore(host.files))
    _ = try applier.apply(try Frontend(checked: host.files).plan(earlier), options: ApplyOptions())
    #expect(host.value("vfs_cache_pressure") == "50")
    let a = try agent(host, "sysctl:\n  swappiness: 10\n", clock: FakeClock(), executor: FakeExecutor())
    let first = a.cycle().map(\.message)
    #expect(
      first.contains(
        "release: vfs_cache_pressure is 50, set by an earlier apply; profile p does not manage it, so back to its "
          + "baseline 100"), "\(first)")
    #expect(first.contains("released vfs_cache_pressure: 50 → 100 (journal 2)"), "\(first)")
    #expect(host.value("vfs_cache_pressure") == "100" && host.value("swappiness") == "10")
    try host.set("vfs_cache_pressure", "70")
    #expect(a.cycle().isEmpty)
    #expect(host.value("vfs_cache_pressure") == "70", "released: not vmtune's any more")
  }

  @Test func noEnforceOnlyLogs() throws {
    let host = try FixtureHost()
    let a = try agent(host, "sysctl:\n  swappiness: 10\n", clock: FakeClock(), executor: FakeExecutor(), enforce: false)
    #expect(a.cycle().map(\.message) == ["drift: swappiness is 60; profile p wants 10"])
    #expect(host.value("swappiness") == "60")
  }

  @Test func reloadSwapsProfiles() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", healthyBuddy)
    let clock = FakeClock()
    let exec = FakeExecutor()
    let a = try agent(host, "actions:\n  compact: { every: 1h }\n", clock: clock, executor: exec)
    _ = a.cycle()
    a.replace(profile: try loadProfile("actions:\n  drop_caches: { every: 1h }\n"))
    _ = a.cycle()
    #expect(exec.runs.withLock { $0 } == ["compact", "drop_caches"])
  }
}

@Suite struct KernelActionExecutorTests {
  @Test func writesTheTriggerFilesAndMeasures() throws {
    let host = try FixtureHost(numaNodes: 2)
    try host.write("proc/buddyinfo", fragmentedBuddy)
    try host.write("proc/vmstat", "compact_migrate_scanned 10\ndrop_pagecache 0\n")
    try host.write("sys/devices/system/node/node1/compact", "")
    let exec = KernelActionExecutor(files: host.files)
    let perNode = Action(
      kind: .compact, nodes: [1], location: ProfileLocation(file: "p", mark: Mark(line: 1, column: 1)))
    let effect = try exec.run(perNode, order: 4)
    #expect(try String(contentsOfFile: host.root + "/sys/devices/system/node/node1/compact", encoding: .utf8) == "1\n")
    #expect(effect.freePagesBefore == 4_545_201)
    _ = try exec.run(Action(kind: .dropCaches, what: .slab, location: perNode.location), order: 4)
    #expect(host.value("drop_caches") == "2")
    _ = try exec.run(Action(kind: .compact, location: perNode.location), order: 4)
    #expect(host.value("compact_memory") == "1")
    #expect(KernelActions(files: host.files).compactableNodes() == [1])
  }

  @Test func untilCompactsThroughKcompactdWhereTheKernelHasIt() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", fragmentedBuddy)
    try host.write("proc/vmstat", "compact_migrate_scanned 10\n")
    try host.set("compaction_proactiveness", "30")
    let exec = KernelActionExecutor(
      files: host.files, proactive: TargetedCompaction(files: host.files, settle: .milliseconds(30)))
    var action = Action(kind: .compact, location: ProfileLocation(file: "p", mark: Mark(line: 1, column: 1)))
    action.untilUnusableBelow = 500
    let effect = try exec.run(action, order: 9)
    #expect(effect.via == "kcompactd until at most 50% of free memory is unusable for huge pages")
    #expect(effect.description.hasPrefix("via kcompactd until at most 50%"))
    #expect(host.value("compaction_proactiveness") == "30")
    #expect(host.value("compact_memory") == "0")
    // Before 5.9 there is no proactive compaction: the whole-memory compaction instead, said so.
    try host.remove("compaction_proactiveness")
    let old = try exec.run(action, order: 9)
    #expect(old.via == "compact_memory (this kernel has no proactive compaction for 'until')")
    #expect(host.value("compact_memory") == "1")
  }
}

@Suite struct TriggerEvaluatorTests {
  @Test func theISADMAZoneDoesNotFireFreeBlockConditions() {
    let buddy = [
      FreeAreas(node: 0, zone: "DMA", counts: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]),
      FreeAreas(node: 0, zone: "Normal", counts: [1010, 1093, 1105, 779, 454, 329, 312, 249, 182, 179, 433]),
    ]
    let t = Action.MemoryCondition(order: 4, freeBlocksBelow: 256)
    #expect(ConditionEvaluator.evaluate(t, buddy: buddy, zones: nil, pages: .x86) == nil)
    // A node with only a DMA zone is still evaluated.
    #expect(ConditionEvaluator.evaluate(t, buddy: [buddy[0]], zones: nil, pages: .x86)?.zone == "DMA")
  }
}

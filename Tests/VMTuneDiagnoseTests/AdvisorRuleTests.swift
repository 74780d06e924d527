import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneDiagnose

/// Each advice rule on its own: the numbers that make it fire, and one change that stops it.
@Suite struct AdvisorRuleTests {
  let fixtures = DiagnoserTests()

  func context(_ s: HostSnapshot, log: KernelLog? = nil) -> Advisor.Context {
    Advisor.Context(Diagnoser.diagnose(s, log: log), snapshot: s)
  }

  /// The fragmented KVM host: two nodes, gigabytes free in order 0–1 blocks.
  func fragmented() throws -> HostSnapshot {
    try fixtures.snapshot(try fixtures.fragmentedKVMHost())
  }

  /// Plenty of free blocks at every order.
  func healthy() throws -> HostSnapshot {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    return try fixtures.snapshot(host)
  }

  /// Order 4 short of memory (2000 order-3 blocks, nothing larger) with 3.3 GiB of page cache.
  func shortOfMemory() throws -> (HostSnapshot, KernelLog) {
    let host = try FixtureHost(memTotalKB: 8 << 20)
    try host.write(
      "proc/meminfo", "MemTotal: 8388608 kB\nMemFree: 60000 kB\nActive(file): 2000000 kB\nInactive(file): 1500000 kB\n")
    try host.write("proc/buddyinfo", "Node 0, zone Normal 0 0 0 2000 0 0 0 0 0 0 0\n")
    try host.writeZoneinfo([FixtureZone("Normal", free: 16000, min: 4000, low: 5000, high: 6000, managed: 2_000_000)])
    let log = try KernelLog.parse("[ 5.000000] nginx: page allocation failure: order:4, mode:0x820(GFP_ATOMIC)\n")
    return (try fixtures.snapshot(host), log)
  }

  /// 16 GiB, min_free_kbytes 67584, watermark_scale_factor 10, and direct reclaim in vmstat.
  func directReclaim() throws -> HostSnapshot {
    let host = try FixtureHost(memTotalKB: 16 << 20)
    try host.write("proc/vmstat", "allocstall_normal 120\npgscan_direct 50000\n")
    return try fixtures.snapshot(host)
  }

  @Test func compactRule() throws {
    let advice = try #require(Advisor.compactRule(context(try fragmented())))
    #expect(advice.kind == .compact)
    #expect(advice.title == "Compact memory: free memory is fragmented, not short (node 0 Normal, node 1 Normal)")
    #expect(advice.commands.first == "echo 1 > /proc/sys/vm/compact_memory")
    #expect(advice.profile.first == "actions:")
    #expect(Advisor.compactRule(context(try healthy())) == nil)
  }

  @Test func compactRuleNamesTheOneFragmentedNodeAndRaisesLowProactiveness() throws {
    var s = try fragmented()
    s.buddyInfo = s.buddyInfo?.filter { $0.node == 1 }
    s.kernelRelease = "5.10.0"
    s.values["compaction_proactiveness"] = "20"
    let advice = try #require(Advisor.compactRule(context(s)))
    #expect(advice.commands.first == "echo 1 > /sys/devices/system/node/node1/compact")
    #expect(advice.profile.prefix(2) == ["sysctl:", "  compaction_proactiveness: 30"])
    s.values["compaction_proactiveness"] = "30"
    #expect(Advisor.compactRule(context(s))?.profile.first == "actions:")
  }

  @Test func dropCachesRule() throws {
    var (s, log) = try shortOfMemory()
    let advice = try #require(Advisor.dropCachesRule(context(s, log: log)))
    #expect(advice.kind == .dropCaches)
    #expect(advice.title == "Drop clean page cache: node 0 Normal is short of free memory for order 4")
    // No failure logged at that order: nothing to act on.
    #expect(Advisor.dropCachesRule(context(s)) == nil)
    // Too little cache (a tenth of RAM or less) to be worth dropping.
    s.memInfo.values["Active(file)"] = 838_860
    s.memInfo.values["Inactive(file)"] = 0
    #expect(Advisor.dropCachesRule(context(s, log: log)) == nil)
  }

  @Test func shortOfMemoryRule() throws {
    var (s, log) = try shortOfMemory()
    #expect(Advisor.shortOfMemoryRule(context(s, log: log)) == nil)
    s.memInfo.values["Active(file)"] = 1000
    s.memInfo.values["Inactive(file)"] = 24
    let advice = try #require(Advisor.shortOfMemoryRule(context(s, log: log)))
    #expect(advice.kind == .shortOfMemory)
    #expect(advice.evidence.hasSuffix("≤ extfrag_threshold 500; little page cache to reclaim (1 MiB)"))
    #expect(Advisor.shortOfMemoryRule(context(s)) == nil)
  }

  @Test func lowerMinFreeRule() throws {
    var s = try healthy()
    #expect(Advisor.lowerMinFreeRule(context(s)) == nil)
    // Just over 5 % of 24 684 084 kB.
    s.values["min_free_kbytes"] = "1234205"
    let advice = try #require(Advisor.lowerMinFreeRule(context(s)))
    #expect(advice.kind == .lowerMinFree)
    #expect(advice.title == "Lower min_free_kbytes from 1234205 to 65536")
    #expect(advice.evidence.hasPrefix("min_free_kbytes reserves 5% of RAM; the watermarks swallow"))
    s.values["min_free_kbytes"] = "1234204"
    #expect(Advisor.lowerMinFreeRule(context(s)) == nil)
    // Unknown RAM: no percentage to judge.
    s.values["min_free_kbytes"] = "3000000"
    s.memInfo.values["MemTotal"] = nil
    #expect(Advisor.lowerMinFreeRule(context(s)) == nil)
  }

  @Test func lowerMinFreeRuleSeesWatermarksSwallowingAZone() throws {
    var values = FixtureHost.defaultValues
    values["min_free_kbytes"] = "180000"
    let host = try FixtureHost(values: values, memTotalKB: 4_024_116)
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1000 1000 1000 1000 100 10 10 10 1 1 10\n")
    try host.writeZoneinfo([FixtureZone("Normal", free: 30000, min: 40000, low: 50000, high: 60000, managed: 60000)])
    let advice = try #require(Advisor.lowerMinFreeRule(context(try fixtures.snapshot(host))))
    #expect(
      advice.evidence.hasPrefix(
        "min_free_kbytes reserves 4% of RAM; node 0 Normal: high watermark 60000 of 60000 managed pages, 30000 free"))
  }

  @Test func raiseMinFreeRule() throws {
    var s = try directReclaim()
    let advice = try #require(Advisor.raiseMinFreeRule(context(s)))
    #expect(advice.kind == .raiseMinFree)
    #expect(advice.title == "Raise min_free_kbytes from 67584 to 135168")
    #expect(advice.evidence.hasPrefix("allocstall 120, pgscan_direct 50000; a larger reserve"))
    // Already at the 5 % guard: nothing higher to suggest.
    s.values["min_free_kbytes"] = "838860"
    #expect(Advisor.raiseMinFreeRule(context(s)) == nil)
    s.values["min_free_kbytes"] = "67584"
    s.vmstat = nil
    #expect(Advisor.raiseMinFreeRule(context(s)) == nil)
  }

  @Test func raiseMinFreeRuleCountsAtomicFailures() throws {
    var s = try healthy()
    #expect(Advisor.raiseMinFreeRule(context(s)) == nil)
    s.vmstat = nil
    let log = try KernelLog.parse("[ 5.000000] nginx: page allocation failure: order:2, mode:0x820(GFP_ATOMIC)\n")
    let advice = try #require(Advisor.raiseMinFreeRule(context(s, log: log)))
    #expect(advice.evidence.hasPrefix("1 atomic allocation failure(s) in the log"))
  }

  @Test func scaleFactorRule() throws {
    var s = try directReclaim()
    let advice = try #require(Advisor.scaleFactorRule(context(s)))
    #expect(advice.kind == .scaleFactor)
    #expect(advice.title == "Raise watermark_scale_factor from 10 to 200")
    s.values["watermark_scale_factor"] = "100"
    #expect(Advisor.scaleFactorRule(context(s)) == nil)
    // A reserve that is too high is lowered first; the scale factor waits.
    s.values["watermark_scale_factor"] = "10"
    s.values["min_free_kbytes"] = "1000000"
    #expect(Advisor.scaleFactorRule(context(s)) == nil)
  }

  @Test func ksmRule() throws {
    var s = try fragmented()
    s.ksm = ["run": 1, "pages_sharing": 123_456]
    let advice = try #require(Advisor.ksmRule(context(s)))
    #expect(advice.kind == .ksm)
    #expect(advice.title == "Check KSM: ksmd is merging 123456 pages while memory is fragmented")
    s.ksm?["run"] = 0
    #expect(Advisor.ksmRule(context(s)) == nil)
    var calm = try healthy()
    calm.ksm = ["run": 1, "pages_sharing": 123_456]
    #expect(Advisor.ksmRule(context(calm)) == nil)
  }

  @Test func zoneReclaimRule() throws {
    var s = try fragmented()
    s.values["zone_reclaim_mode"] = "2"
    let advice = try #require(Advisor.zoneReclaimRule(context(s)))
    #expect(advice.kind == .zoneReclaim)
    #expect(advice.evidence.hasPrefix("bits write on 2 nodes"))
    s.numaNodes = 1
    #expect(Advisor.zoneReclaimRule(context(s)) == nil)
    s.numaNodes = 2
    s.values["zone_reclaim_mode"] = "0"
    #expect(Advisor.zoneReclaimRule(context(s)) == nil)
  }

  @Test func adviseRunsTheRulesInOrderOrSaysNothingToDo() throws {
    var s = try fragmented()
    s.values["zone_reclaim_mode"] = "1"
    s.ksm = ["run": 1, "pages_sharing": 1]
    #expect(Advisor.advise(Diagnoser.diagnose(s), snapshot: s).map(\.kind) == [.compact, .ksm, .zoneReclaim])
    let calm = try healthy()
    let none = Advisor.advise(Diagnoser.diagnose(calm), snapshot: calm)
    #expect(none.map(\.kind) == [.none])
    #expect(none.first?.evidence.hasPrefix("no fragmentation above extfrag_threshold at orders 4, 9") == true)
  }

  @Test func ordersOfInterest() {
    let failed = [
      FailureSummary(order: 0, count: 1, processes: [], atomic: false, firstLine: 1),
      FailureSummary(order: 3, count: 1, processes: [], atomic: false, firstLine: 2),
    ]
    #expect(Diagnoser.ordersOfInterest([9, 2, 9, 11, -1], failures: failed, pages: .x86) == [2, 9])
    #expect(Diagnoser.ordersOfInterest([], failures: failed, pages: .x86) == [3])
    #expect(Diagnoser.ordersOfInterest([], failures: [], pages: .x86) == [4, 9])
  }
}

/// The profile lines of every advice load as a profile, and a compact action encoded from the
/// numbers would run on the host it was advised for.
@Suite struct AdviceProfileLinesTests {
  let rules = AdvisorRuleTests()
  let fixtures = DiagnoserTests()

  /// Hosts that between them make every rule with profile lines fire.
  func hosts() throws -> [(String, HostSnapshot, KernelLog?)] {
    var kvm = try rules.fragmented()
    kvm.values["zone_reclaim_mode"] = "3"
    kvm.kernelRelease = "5.10.0"
    let (short, log) = try rules.shortOfMemory()
    let vmStart = try FixtureHost()
    try vmStart.write("proc/buddyinfo", UnusableShareTests.vmStartBuddyinfo)
    let runaway = try rules.healthy()
    var high = runaway
    high.values["min_free_kbytes"] = "3000000"
    return [
      ("fragmented KVM host", kvm, nil), ("short of memory", short, log),
      ("VM start host", try fixtures.snapshot(vmStart), nil), ("runaway reserve", high, nil),
      ("direct reclaim", try rules.directReclaim(), nil),
    ]
  }

  @Test func everyAdvicesProfileLinesLoad() throws {
    var kinds: Set<Advice.Kind> = []
    for (name, s, log) in try hosts() {
      for advice in Diagnoser.diagnose(s, log: log).advice where !advice.profile.isEmpty {
        kinds.insert(advice.kind)
        let body = advice.profile.joined(separator: "\n") + "\n"
        let p: Profile
        do { p = try loadProfile(body) } catch {
          Issue.record("\(name), \(advice.kind): \(error)\n\(body)")
          continue
        }
        // Failures in a log are past events: their compact action guards the future, it need not hold now.
        for action in p.actions where action.kind == .compact && advice.kind != .allocationFailures {
          #expect(ActionForecast.forecast(action, on: s).wouldRun == true, "\(name): \(body)")
          #expect(!action.conditions.contains { $0.fragmentationIndexAbove != nil }, "\(name): \(body)")
        }
      }
    }
    #expect(kinds == [.compact, .dropCaches, .lowerMinFree, .raiseMinFree, .scaleFactor, .zoneReclaim])
  }
}

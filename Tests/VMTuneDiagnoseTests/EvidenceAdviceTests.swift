import Testing
import VMTuneHost
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneDiagnose

/// Advice from evidence: allocation failures, OOM kills and stalls each give a finding on a host
/// whose memory looks healthy now; "no action needed" only when there is none.
@Suite struct EvidenceAdviceTests {
  let rules = AdvisorRuleTests()

  func advice(_ s: HostSnapshot, log: KernelLog? = nil) -> [Advice] { Diagnoser.diagnose(s, log: log).advice }

  static let fourFailures = (1...4).map {
    "[ \($0)00.000000] kworker/u8:\($0): page allocation failure: order:4, mode:0x40cc0(GFP_KERNEL|__GFP_COMP)\n"
  }.joined()

  @Test func allocationFailuresInTheLogAreAFindingWithTheirOrderAndProfileLines() throws {
    let a = advice(try rules.healthy(), log: try KernelLog.parse(Self.fourFailures))
    #expect(!a.contains { $0.kind == .none }, "\(a.map(\.title))")
    let f = try #require(a.first { $0.kind == .allocationFailures }, "\(a.map(\.title))")
    #expect(f.title == "4 order-4 (64 KiB) allocation failures in the log")
    #expect(f.evidence.hasPrefix("order 4: 4 failure(s), first at line 1, by kworker/u8:1, kworker/u8:2"))
    #expect(f.profile.contains("    when: { order: 4, per: node, free_blocks_below: 1024 }"), "\(f.profile)")
    #expect(f.fits == "kvm-host")
  }

  @Test func oomKillsAreAFinding() throws {
    let log = try KernelLog.parse(
      "[ 9.000000] Out of memory: Killed process 4242 (java) total-vm:9000000kB, anon-rss:8000000kB\n")
    let a = advice(try rules.healthy(), log: log)
    let o = try #require(a.first { $0.kind == .oomKills }, "\(a.map(\.title))")
    #expect(o.title == "1 OOM kill in the log (java)")
    #expect(!a.contains { $0.kind == .none })
  }

  @Test func stallsSinceBootAreAFindingEvenWithoutAReserveToRaise() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    try host.write(
      "proc/vmstat", "allocstall_normal 66000\nallocstall_dma32 453\ncompact_stall 12\npgscan_kswapd 900\n")
    try host.remove("min_free_kbytes")
    let a = advice(try rules.fixtures.snapshot(host))
    let s = try #require(a.first { $0.kind == .reclaimStalls }, "\(a.map(\.title))")
    #expect(s.title == "Allocations stalled in direct reclaim 66453 times and in compaction 12 times since boot")
    #expect(s.evidence.contains("kswapd scanned 900 pages"))
    #expect(s.profile.contains("  watermark_scale_factor: 200"))
    #expect(!a.contains { $0.kind == .none })
  }

  @Test func noActionNeededOnlyWithoutEvidence() throws {
    let a = advice(try rules.healthy())
    #expect(a.map(\.kind) == [.none])
    #expect(a[0].evidence.contains("no allocation failures or OOM kills in a log"))
  }

  /// The shipped profile an advice names as fitting really has its sysctls and actions.
  @Test func theProfileAnAdviceNamesHasItsLines() throws {
    let host = try FixtureHost()
    try host.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    try host.write("proc/vmstat", "allocstall_normal 5\n")
    try host.remove("min_free_kbytes")
    let all = advice(try rules.fixtures.snapshot(host), log: try KernelLog.parse(Self.fourFailures))
    #expect(all.filter { $0.fits != nil }.count == 2)
    for a in all {
      guard let name = a.fits else { continue }
      let shipped = try shippedProfile(name)
      let advised = try loadProfile(a.profile.joined(separator: "\n") + "\n")
      for s in advised.settings {
        #expect(shipped.settings.contains { $0.key == s.key }, "\(name) lacks \(s.key)")
      }
      for action in advised.actions {
        let orders = Set(action.conditions.map(\.order))
        #expect(
          shipped.actions.contains { $0.kind == action.kind && orders.isSubset(of: Set($0.conditions.map(\.order))) },
          "\(name) lacks a \(action.kind) action at orders \(orders)")
      }
    }
  }

  /// Profile lines are checked against the guards on this host: a line apply would refuse is
  /// said, not offered silently.
  @Test func adviceLinesAreCheckedAgainstTheGuards() throws {
    let (s, log) = try rules.shortOfMemory()
    let checked = Advisor.checkedAgainstGuards(
      Advice(
        kind: .raiseMinFree, title: "t", evidence: "e", commands: [],
        profile: ["sysctl:", "  min_free_kbytes: 7000000"]), on: s)
    #expect(
      checked.evidence.contains("apply would refuse these lines here: min_free_kbytes 7000000 (6.6 GiB) reserves 83.4%")
    )
    _ = log
  }
}

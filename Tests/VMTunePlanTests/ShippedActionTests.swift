import Foundation
import Testing
import VMTuneHost
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTunePlan

/// The shipped profiles' actions on buddyinfo fixtures: they run where memory is fragmented and
/// not where it is healthy (the forecast `vmtune plan` prints and the agent's decision share
/// `ConditionEvaluator`).
@Suite struct ShippedActionTests {
  func shipped(_ name: String) throws -> Profile { try shippedProfile(name) }

  func action(_ name: String, _ kind: Action.Kind) throws -> Action {
    try #require(try shipped(name).actions.first { $0.kind == kind }, "\(name) has no \(kind.rawValue) action")
  }

  func host(_ buddyinfo: String, nodes: Int = 1) throws -> HostSnapshot {
    var s = HostSnapshot(
      kernelRelease: "6.1.0-56-cloud-amd64", values: [:], memInfo: MemInfo(values: ["MemTotal": 3_055_144]),
      numaNodes: nodes, cpus: 2)
    s.buddyInfo = try BuddyInfo.parse(buddyinfo)
    return s
  }

  /// Free memory cut into single pages (a holder freeing every other page): 71 order-9 blocks
  /// (142 MiB) in DMA32, 90.5 % of its free memory unusable for 2 MiB.
  static let fragmented = """
    Node 0, zone      DMA      0      0      0      0      0      0      0      1      0      1      3
    Node 0, zone    DMA32 348663      1      2      3      2      3      2      2      2      1     35

    """
  /// About 2 GiB free in 2 MiB blocks, 19.6 % of free memory unusable for them.
  static let healthy = "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n"

  @Test func kvmHostCompactsAFragmentedHost() throws {
    let compact = try action("kvm-host", .compact)
    #expect(compact.everySeconds == nil, "no blind schedule")
    #expect(compact.nodes == nil, "compacts all nodes")
    #expect(compact.untilUnusableBelow == 500, "to a target, through kcompactd: a fraction of compact_memory's work")
    #expect(
      ActionForecast.describe(compact).hasPrefix(
        "compact through kcompactd until at most 50% of each zone's free memory is unusable for huge pages, when "))
    let f = ActionForecast.forecast(compact, on: try host(Self.fragmented))
    #expect(f.wouldRun == true, "\(f)")
    // The order-9 test holds on node 0 (DMA left out: DMA32 is counted).
    #expect(f.now.hasPrefix("would run now: node 0: 90.5% of free memory unusable at order 9"), "\(f.now)")
    #expect(f.now.contains("71 free order-9 block(s)"), "\(f.now)")
  }

  @Test func kvmHostLeavesAHealthyHostAlone() throws {
    let f = ActionForecast.forecast(try action("kvm-host", .compact), on: try host(Self.healthy))
    #expect(f.wouldRun == false, "\(f)")
    #expect(f.now.hasPrefix("would not run now"), "\(f.now)")
  }

  @Test func kvmHostKeepsOrder4BlocksForAtomicAllocations() throws {
    // Node 1 has 133 MiB free, 69.9 % of it unusable for 2 MiB (not above 70 %: the order-9 test
    // does not hold), but only 300 + 20 × 32 = 940 free 64 KiB blocks: the order-4 test starts it.
    let buddy = Self.healthy + "Node 1, zone Normal 19000 0 0 0 300 0 0 0 0 20 0\n"
    let f = ActionForecast.forecast(try action("kvm-host", .compact), on: try host(buddy, nodes: 2))
    #expect(f.wouldRun == true, "\(f)")
    #expect(f.now.hasPrefix("would run now: node 1:"), "\(f.now)")
  }

  @Test func numaHPCCompactsWhenANodeIsFragmented() throws {
    let compact = try action("numa-hpc", .compact)
    #expect(compact.everySeconds == nil)
    #expect(compact.nodesMatching, "compacts only the node whose condition holds")
    let two = Self.healthy + "Node 1, zone Normal 348663 1 2 3 2 3 2 2 2 1 35\n"
    let f = ActionForecast.forecast(compact, on: try host(two, nodes: 2))
    #expect(f.wouldRun == true, "\(f)")
    #expect(f.now.hasPrefix("would run now: node 1:"), "\(f.now)")
    let fine = ActionForecast.forecast(compact, on: try host(Self.healthy, nodes: 2))
    #expect(fine.wouldRun == false, "\(fine)")
  }

  @Test func fileServerNeverDropsCaches() throws {
    #expect(try shipped("file-server").actions.isEmpty)
  }

  @Test func slabHeavyDropsOnlySlabAndOnlyOnStalls() throws {
    let drop = try action("slab-heavy", .dropCaches)
    #expect(drop.what == .slab)
    #expect(drop.everySeconds == nil)
    #expect((drop.minIntervalSeconds ?? 0) >= 3600)
    #expect(drop.conditions.allSatisfy { $0.stallsAbove != nil }, "a last resort: only while allocations stall")
    // A plan cannot tell (stalls are counted between agent cycles); the compaction can.
    let f = ActionForecast.forecast(drop, on: try host(Self.fragmented))
    #expect(f.wouldRun == nil, "\(f)")
    let compact = ActionForecast.forecast(
      try action("slab-heavy", .compact), on: try host("Node 0, zone Normal 300000 0 0 0 1000 0 0 0 0 0 0\n"))
    #expect(compact.wouldRun == true, "\(compact)")
  }
}

import Testing
import VMTuneHost
import VMTuneKernel
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTunePlan

@Suite struct PlannerTests {
  @Test func changesUnchangedAndComparators() throws {
    let host = try FixtureHost()
    let p = try profile(
      "  swappiness: { at_most: 10 }\n  vfs_cache_pressure: { at_least: 50 }\n  watermark_scale_factor: 200\n  "
        + "dirty_ratio: 20\n"
    )
    let plan = Planner.plan(p, on: try HostSnapshot.read(host.files))
    let byKey = Dictionary(uniqueKeysWithValues: plan.entries.map { ($0.key, $0) })
    #expect(byKey["swappiness"]?.action == .change)
    #expect(byKey["swappiness"]?.current == .int(60))
    #expect(byKey["swappiness"]?.desired == .int(10))
    #expect(byKey["vfs_cache_pressure"]?.action == .unchanged)
    #expect(byKey["watermark_scale_factor"]?.desired == .int(200))
    #expect(byKey["dirty_ratio"]?.action == .unchanged)
    #expect(plan.summary.change == 2)
    #expect(plan.observed.byKey == ["swappiness": .int(60), "watermark_scale_factor": .int(10)])
  }

  @Test func entriesAreInWriteOrder() throws {
    let host = try FixtureHost()
    let p = try profile(
      "  overcommit_memory: 2\n  swappiness: 1\n  watermark_scale_factor: 20\n  overcommit_ratio: 80\n  "
        + "min_free_kbytes: 90000\n  lowmem_reserve_ratio: [128]\n"
    )
    let plan = Planner.plan(p, on: try HostSnapshot.read(host.files))
    #expect(
      plan.entries.map(\.key) == [
        "lowmem_reserve_ratio", "min_free_kbytes", "watermark_scale_factor", "overcommit_ratio", "overcommit_memory",
        "swappiness",
      ])
  }

  @Test func listsReplaceOnlyTheLeadingElements() throws {
    let host = try FixtureHost()
    let plan = Planner.plan(try profile("  lowmem_reserve_ratio: [128, 256]\n"), on: try HostSnapshot.read(host.files))
    #expect(plan.entries.first?.desired == .list([128, 256, 32, 0, 0]))
    let tooLong = Planner.plan(
      try profile("  lowmem_reserve_ratio: [1, 2, 3, 4, 5, 6]\n"), on: try HostSnapshot.read(host.files))
    #expect(tooLong.entries.first?.action == .blocked)
    #expect(tooLong.entries.first?.reason == "this kernel has 5 zones, the profile gives 6 values")
  }

  @Test func percentOfRAMUsesMemTotal() throws {
    let host = try FixtureHost(memTotalKB: 16 << 20)
    let plan = Planner.plan(
      try profile("  min_free_kbytes: { percent_of_ram: 1, min: 131072 }\n"), on: try HostSnapshot.read(host.files))
    // 1% of 16 GiB = 167772 kB (floor of 167772.16).
    #expect(plan.entries.first?.desired == .int(167_772))
  }

  @Test func skippedWithReasons() throws {
    let host = try FixtureHost(kernel: "5.4.0")
    try host.remove("compaction_proactiveness")
    try host.remove("zone_reclaim_mode")
    let p = try profile(
      "  compaction_proactiveness: 40\n  zone_reclaim_mode: 0\n"
        + "  swappiness: { value: 1, when: { numa_nodes: \">=2\" } }\n"
    )
    let plan = Planner.plan(p, on: try HostSnapshot.read(host.files))
    let reasons = Dictionary(uniqueKeysWithValues: plan.entries.map { ($0.key, $0.reason ?? "") })
    #expect(reasons["compaction_proactiveness"] == "not on this kernel (added in 5.9, host runs 5.4)")
    #expect(reasons["zone_reclaim_mode"] == "not on this kernel (needs CONFIG_NUMA)")
    #expect(reasons["swappiness"] == "when: numa_nodes >= 2 is false here")
    #expect(plan.summary.skipped == 3)
    #expect(plan.changes.isEmpty)
  }

  @Test func valuesAnOlderKernelRefusesAreBlocked() throws {
    let host = try FixtureHost(kernel: "5.4.0-100-generic")
    let plan = Planner.plan(try profile("  swappiness: 150\n"), on: try HostSnapshot.read(host.files))
    #expect(plan.entries.first?.action == .blocked)
    #expect(
      plan.entries.first?.reason
        == "this kernel would refuse it: 150 is above the kernel's maximum 100 for swappiness on 5.4")
  }

  @Test func minFreeGuardAndPolicyWarnings() throws {
    // The runaway reserve: 3000000 kB on a 4 GiB box.
    let host = try FixtureHost(memTotalKB: 4_024_116)
    let plan = Planner.plan(
      try profile("  min_free_kbytes: 3000000\n  dirty_ratio: 10\n  dirty_background_ratio: 10\n"),
      on: try HostSnapshot.read(host.files))
    #expect(plan.guardViolations.count == 1)
    #expect(
      plan.guardViolations.first?.message.hasPrefix(
        "min_free_kbytes 3000000 (2.8 GiB) reserves 74.5% of this host's 3.8 GiB of RAM") == true)
    #expect(plan.warnings.contains { $0.key == "dirty_background_ratio" })
    let relaxed = Planner.plan(
      try profile("  min_free_kbytes: 180000\n", extra: "guards: { max_min_free_percent: 5 }\n"),
      on: try HostSnapshot.read(host.files))
    #expect(relaxed.guardViolations.isEmpty)
  }

  @Test func exclusivePartnerIsObservedAndNoted() throws {
    let host = try FixtureHost()
    let plan = Planner.plan(try profile("  dirty_bytes: 100000000\n"), on: try HostSnapshot.read(host.files))
    #expect(plan.observed.byKey == ["dirty_bytes": .int(0), "dirty_ratio": .int(20)])
    #expect(plan.entries.first?.note == "the kernel zeroes dirty_ratio (now 20)")
  }

  @Test func profileLevelConditionsSkipEverything() throws {
    let host = try FixtureHost(numaNodes: 1)
    let plan = Planner.plan(
      try profile("  swappiness: 1\n", extra: "when: { numa_nodes: \">=2\" }\n"), on: try HostSnapshot.read(host.files))
    #expect(plan.entries.first?.action == .skipped)
  }
}

@Suite struct WatermarkForecastTests {
  @Test func predictsRunawayReserveAndRefusesIt() throws {
    let host = try fourGiBHostBeforeRunawayReserve()
    let plan = Planner.plan(
      try profile("  min_free_kbytes: 3000000\n", extra: "guards: { max_min_free_percent: 100 }\n"),
      on: try HostSnapshot.read(host.files))
    let zones = try #require(plan.watermarks)
    #expect(
      zones.map { [$0.after.min, $0.after.low, $0.after.high] }.prefix(3) == [
        [2862, 3577, 4292], [565_534, 706_917, 848_300], [181_602, 227_002, 272_402],
      ])
    #expect(zones.allSatisfy { $0.modelMatchesKernel })
    // DMA32: high 848300 ≥ 758592 managed; Normal: high 272402 ≥ 243597 managed.
    let messages = plan.guardViolations.map(\.message)
    #expect(
      messages.contains {
        $0.hasPrefix(
          "Node 0 DMA32: the new high watermark (848300 pages) would reach the zone's size (758592 managed pages)")
      })
    #expect(
      messages.contains {
        $0.hasPrefix(
          "Node 0 Normal: the new high watermark (272402 pages) would reach the zone's size (243597 managed pages)")
      })
  }

  @Test func modestChangePassesAndShowsNumbers() throws {
    let host = try fourGiBHostBeforeRunawayReserve()
    let plan = Planner.plan(
      try profile("  min_free_kbytes: 16384\n  watermark_scale_factor: 100\n"), on: try HostSnapshot.read(host.files))
    #expect(plan.guardViolations.isEmpty)
    let dma32 = try #require(plan.watermarks?.first { $0.zone == "DMA32" })
    // share = 4096*758592/1006029 = 3088; delta = max(772, mult_frac(758592,100,10000)=7585).
    #expect([dma32.after.min, dma32.after.low, dma32.after.high] == [3088, 10673, 18258])
  }

  @Test func noForecastWhenWatermarkKnobsAreUntouched() throws {
    let host = try fourGiBHostBeforeRunawayReserve()
    let plan = Planner.plan(try profile("  swappiness: 10\n"), on: try HostSnapshot.read(host.files))
    #expect(plan.watermarks == nil)
  }

  @Test func thpRecommendationWarning() throws {
    let host = try fourGiBHostBeforeRunawayReserve()
    try host.write("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n")
    let plan = Planner.plan(try profile("  min_free_kbytes: 9000\n"), on: try HostSnapshot.read(host.files))
    // 3 user zones: 512*3*2 + 512*3*9 = 16896 pages = 67584 kB.
    #expect(
      plan.warnings.contains { $0.message.hasPrefix("min_free_kbytes 9000 is below the THP recommendation 67584 kB") })
  }
}

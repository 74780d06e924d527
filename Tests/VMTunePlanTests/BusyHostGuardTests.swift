import Testing
import VMTuneHost
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTunePlan

/// The watermark guards on hosts that have run for a day: free memory near the watermarks, the
/// rest page cache that kswapd can drop. Refused is only what free plus reclaimable memory cannot
/// cover (docs/KERNEL.md, Guards on a busy host).
@Suite struct BusyHostGuardTests {
  /// kvm-host on the 24 GiB 6.18 host: min_free_kbytes 131072 (the 0.25 % floor) and
  /// watermark_scale_factor 200 give Normal (1343488 managed pages) min 20763, low 47632, high 74501.
  func kvmHostPlan(_ host: FixtureHost) throws -> (Plan, ZoneForecast) {
    let plan = Planner.plan(try shippedProfile("kvm-host"), on: try HostSnapshot.read(host.files))
    let normal = try #require(plan.watermarks?.first { $0.zone == "Normal" })
    #expect([normal.after.min, normal.after.low, normal.after.high] == [20763, 47632, 74501])
    return (plan, normal)
  }

  @Test func pageCacheCoversTheNewWatermarksSoApplyProceedsWithAReclaimWarning() throws {
    let host = try FixtureHost.busy(normalFree: 40000, inactiveFile: 400_000, activeFile: 600_000)
    let (plan, normal) = try kvmHostPlan(host)
    #expect(normal.reclaimable == 1_000_000)
    #expect(normal.reclaimableSource == .zoneCounters)
    #expect(plan.guardViolations.isEmpty, "\(plan.guardViolations)")
    #expect(!plan.wouldBeRefused)
    // (74501 − 40000) pages × 4 KiB = 138004 kB.
    #expect(
      plan.warnings.contains {
        $0.severity == .warning && $0.key == "min_free_kbytes"
          && $0.message
            == "Node 0 Normal: 40000 free pages would sit under the new low watermark 47632 (now 13382); kswapd "
            + "will reclaim about 134 MiB of page cache in Node 0 Normal once, up to the new high watermark 74501 "
            + "(1000000 pages of page cache there)"
      }, "\(plan.warnings.map(\.message))")
  }

  @Test func newHighAboveFreePlusPageCacheIsRefused() throws {
    // free + file pages = 74501 = the new high: kswapd can get there.
    let enough = try FixtureHost.busy(normalFree: 40000, inactiveFile: 14501, activeFile: 20000)
    let (ok, _) = try kvmHostPlan(enough)
    #expect(ok.guardViolations.isEmpty, "\(ok.guardViolations)")
    #expect(ok.warnings.contains { $0.message.contains("kswapd will reclaim about 134 MiB") })

    let short = try FixtureHost.busy(normalFree: 40000, inactiveFile: 14500, activeFile: 20000)
    let (refused, _) = try kvmHostPlan(short)
    #expect(
      refused.guardViolations.map(\.message) == [
        "Node 0 Normal: the new high watermark 74501 is more than the zone's 40000 free pages plus 34500 pages of "
          + "page cache; kswapd could never reach it and would reclaim constantly, swapping out what it cannot drop "
          + "(as on a 4 GB host given min_free_kbytes 3,000,000)"
      ])
    #expect(!refused.warnings.contains { $0.message.contains("kswapd will reclaim about") })
  }

  @Test func withoutZoneCountersMeminfosFileAndSlabPagesAreSharedByZoneSize() throws {
    let host = try FixtureHost.busy(normalFree: 40000, inactiveFile: 0, activeFile: 0)
    let stripped = try String(contentsOfFile: host.root + "/proc/zoneinfo", encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.contains("_file ") }.joined(separator: "\n")
    try host.write("proc/zoneinfo", stripped)
    let (plan, normal) = try kvmHostPlan(host)
    // Active(file) 1052532 + Inactive(file) 488364 + SReclaimable 131156 kB = 418013 pages;
    // Normal's share is 1343488 of 2120243 managed pages.
    #expect(normal.reclaimable == 418_013 * 1_343_488 / 2_120_243)
    #expect(normal.reclaimableSource == .meminfoShare)
    #expect(plan.guardViolations.isEmpty, "\(plan.guardViolations)")
    #expect(
      plan.warnings.contains {
        $0.message.hasSuffix(
          "(about 264873 pages of page cache and reclaimable slab there, its share of /proc/meminfo's)")
      }, "\(plan.warnings.map(\.message))")
  }

  @Test func zonesOfOldKernelsCountTheirOwnFilePages() throws {
    // Before 4.8 the LRU counters were per zone and had no `zone_` in their names.
    let info = try ZoneInfo.parse(
      """
      Node 0, zone   Normal
        pages free     1000
              min      10
              low      12
              high     15
              scanned  0
              spanned  4096
              present  4096
          nr_free_pages 1000
          nr_inactive_file 300
          nr_active_file 200
              protection: (0, 0, 0)
      """)
    #expect(info.zones.first?.filePages == 500)
  }

  @Test func withNoFilePageCountsAnywhereNothingIsCountedAndThePlanSaysSo() throws {
    let host = try FixtureHost(memTotalKB: 8_000_000)
    var zoneinfo = ""
    try host.writeZoneinfo([FixtureZone("Normal", free: 3000, min: 1000, low: 1250, high: 1500, managed: 2_000_000)])
    zoneinfo = try String(contentsOfFile: host.root + "/proc/zoneinfo", encoding: .utf8)
    try host.write("proc/zoneinfo", zoneinfo.replacingOccurrences(of: "_file", with: "_other"))
    let plan = Planner.plan(try profile("  min_free_kbytes: 16000\n"), on: try HostSnapshot.read(host.files))
    let z = try #require(plan.watermarks?.first)
    #expect(z.reclaimableSource == .unknown)
    #expect(z.reclaimable == 0)
    #expect(
      plan.guardViolations.first?.message.contains(
        "the zone's 3000 free pages plus no page cache (neither zoneinfo nor meminfo counts file pages)") == true,
      "\(plan.guardViolations)")
  }

  /// The runaway reserve stays refused: 3,000,000 kB on a 4 GiB host with nothing reclaimable.
  @Test func aRunawayReserveOnASmallHostIsStillRefused() throws {
    let host = try fourGiBHostBeforeRunawayReserve()
    let plan = Planner.plan(
      try profile("  min_free_kbytes: 3000000\n", extra: "guards: { max_min_free_percent: 100 }\n"),
      on: try HostSnapshot.read(host.files))
    #expect(plan.wouldBeRefused)
    // Every zone's new high watermark reaches its size.
    #expect(
      plan.guardViolations.map { $0.message.prefix(43) } == [
        "Node 0 DMA: the new high watermark (4292 pa", "Node 0 DMA32: the new high watermark (84830",
        "Node 0 Normal: the new high watermark (2724",
      ])
  }
}

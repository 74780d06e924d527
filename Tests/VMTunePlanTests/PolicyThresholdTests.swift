import Testing
import VMTuneHost
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

/// Every threshold of PolicyChecks and WatermarkForecast on both sides of its boundary, so a
/// mutated comparison (`>` for `>=`, `<` for `<=`) or constant fails. Assertions look only at
/// the plan's warnings, not at entry values.
@Suite struct PolicyThresholdTests {
  func plan(_ host: FixtureHost, _ sysctl: String, extra: String = "") throws -> Plan {
    Planner.plan(try profile(sysctl, extra: extra), on: try HostSnapshot.read(host.files))
  }

  func warned(_ plan: Plan, _ key: String, _ prefix: String) -> Bool {
    plan.warnings.contains { $0.key == key && $0.message.hasPrefix(prefix) }
  }

  // MARK: guards.max_min_free_percent: min_free_kbytes × 100 > MemTotal × percent

  @Test func minFreeGuardAtTheDefaultFivePercent() throws {
    let host = try FixtureHost(memTotalKB: 1_000_000)
    let at = try plan(host, "  min_free_kbytes: 50000\n")
    #expect(at.guardViolations.isEmpty, "exactly 5 % is allowed: \(at.guardViolations)")
    let over = try plan(host, "  min_free_kbytes: 50001\n")
    #expect(over.guardViolations.map(\.key) == ["min_free_kbytes"])
    // The share is of this host's RAM; the reserve's own size is named as such, not next to "RAM".
    #expect(
      over.guardViolations.first?.message.hasPrefix(
        "min_free_kbytes 50001 (48 MiB) reserves 5.0% of this host's 976 MiB of RAM") == true,
      "\(over.guardViolations)")
    #expect(over.guardViolations.first?.message.contains("over the guard of 5%") == true)
  }

  @Test func minFreeGuardAtAProfilesPercent() throws {
    let host = try FixtureHost(memTotalKB: 1_000_000)
    let guards = "guards: { max_min_free_percent: 10 }\n"
    #expect(try plan(host, "  min_free_kbytes: 100000\n", extra: guards).guardViolations.isEmpty)
    #expect(try plan(host, "  min_free_kbytes: 100001\n", extra: guards).guardViolations.count == 1)
    // Without the profile's guard the default 5 % applies.
    #expect(try plan(host, "  min_free_kbytes: 100000\n").guardViolations.count == 1)
  }

  // MARK: min_free_kbytes < 1024

  @Test func minFreeUnder1024() throws {
    let host = try FixtureHost()
    let under = try plan(host, "  min_free_kbytes: 1023\n")
    #expect(warned(under, "min_free_kbytes", "min_free_kbytes 1023 is under 1024 kB"))
    let at = try plan(host, "  min_free_kbytes: 1024\n")
    #expect(!at.warnings.contains { $0.message.contains("is under 1024 kB") }, "\(at.warnings)")
  }

  // MARK: min_free_kbytes < the THP recommendation (a change only)

  @Test func minFreeBelowTheTHPRecommendation() throws {
    let host = try fourGiBHostBeforeRunawayReserve()
    try host.write("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n")
    // 3 user zones: 512*3*2 + 512*3*9 = 16896 pages = 67584 kB.
    #expect(
      warned(
        try plan(host, "  min_free_kbytes: 67583\n"), "min_free_kbytes",
        "min_free_kbytes 67583 is below the THP recommendation 67584 kB"))
    let at = try plan(host, "  min_free_kbytes: 67584\n")
    #expect(!at.warnings.contains { $0.message.contains("THP recommendation") }, "\(at.warnings)")
    // The host already runs 8000: no change, so no warning about it.
    #expect(
      !(try plan(host, "  min_free_kbytes: 8000\n")).warnings.contains { $0.message.contains("THP recommendation") })
    // With THP off there is no recommendation.
    try host.write("sys/kernel/mm/transparent_hugepage/enabled", "always madvise [never]\n")
    #expect(
      !(try plan(host, "  min_free_kbytes: 9000\n")).warnings.contains { $0.message.contains("THP recommendation") })
  }

  // MARK: dirty_background_ratio >= dirty_ratio (when dirty_ratio > 0)

  @Test func dirtyBackgroundAtOrAboveDirtyRatio() throws {
    let host = try FixtureHost()
    #expect(
      warned(
        try plan(host, "  dirty_ratio: 20\n  dirty_background_ratio: 20\n"), "dirty_background_ratio",
        "dirty_background_ratio 20 >= dirty_ratio 20"))
    #expect(
      warned(
        try plan(host, "  dirty_ratio: 20\n  dirty_background_ratio: 21\n"), "dirty_background_ratio",
        "dirty_background_ratio 21 >= dirty_ratio 20"))
    #expect(
      !(try plan(host, "  dirty_ratio: 20\n  dirty_background_ratio: 19\n")).warnings.contains {
        $0.key == "dirty_background_ratio"
      })
    // dirty_ratio 0 means dirty_bytes is in force: no comparison.
    #expect(
      !(try plan(host, "  dirty_ratio: 0\n  dirty_background_ratio: 10\n")).warnings.contains {
        $0.key == "dirty_background_ratio"
      })
  }

  // MARK: overcommit_ratio outside 0 … 100

  @Test func overcommitRatioRange() throws {
    let host = try FixtureHost()
    for (value, warns) in [(-1, true), (0, false), (100, false), (101, true)] {
      let p = try plan(host, "  overcommit_ratio: \(value)\n")
      #expect(
        warned(p, "overcommit_ratio", "overcommit_ratio \(value) is outside 0 … 100") == warns,
        "overcommit_ratio \(value): \(p.warnings)")
    }
  }
}

/// WatermarkForecast's guards on one Normal zone whose watermarks the model reproduces: with
/// min_free_kbytes 40000 the zone has min 10000, low 12500, high 15000 pages
/// (delta = max(min / 4, managed × scale / 10000) = 2500).
@Suite struct WatermarkThresholdTests {
  func host(free: UInt64, managed: UInt64, file: UInt64 = 0) throws -> FixtureHost {
    var values = FixtureHost.defaultValues
    values["min_free_kbytes"] = "40000"
    let host = try FixtureHost(values: values)
    try host.writeZoneinfo([
      FixtureZone("Normal", free: free, min: 10000, low: 12500, high: 15000, managed: managed, filePages: file)
    ])
    return host
  }

  func plan(_ host: FixtureHost, _ sysctl: String) throws -> Plan {
    Planner.plan(try profile(sysctl), on: try HostSnapshot.read(host.files))
  }

  // MARK: new high >= managed

  @Test func highWatermarkReachingTheZoneSize() throws {
    // watermark_scale_factor 1 leaves the watermarks where they are (min / 4 dominates): high 15000.
    let reach = try plan(try host(free: 15000, managed: 15000), "  watermark_scale_factor: 1\n")
    let z = try #require(reach.watermarks?.first)
    #expect(z.modelMatchesKernel)
    #expect([z.after.min, z.after.low, z.after.high] == [10000, 12500, 15000])
    #expect(
      reach.guardViolations.map(\.message) == [
        "Node 0 Normal: the new high watermark (15000 pages) would reach the zone's size (15000 managed pages); kswapd "
          + "could never finish and allocations would stall at min (as on a 4 GB host given min_free_kbytes 3,000,000)"
      ])
    let below = try plan(try host(free: 15001, managed: 15001), "  watermark_scale_factor: 1\n")
    #expect(below.watermarks?.first?.after.high == 15000)
    #expect(below.guardViolations.isEmpty, "\(below.guardViolations)")
  }

  // MARK: new high > free + page cache (refused); free < new low (the one-time reclaim, a warning)

  /// min_free_kbytes 48000: min 12000, low 15000, high 18000 on a 100000-page zone (now low 12500,
  /// high 15000).
  func zone(free: UInt64, file: UInt64) throws -> Plan {
    let p = try plan(try host(free: free, managed: 100_000, file: file), "  min_free_kbytes: 48000\n")
    let z = try #require(p.watermarks?.first)
    #expect([z.now.low, z.after.min, z.after.low, z.after.high] == [12500, 12000, 15000, 18000])
    return p
  }

  @Test func newHighAboveWhatFreeAndPageCacheCover() throws {
    #expect(try zone(free: 10000, file: 8000).guardViolations.isEmpty, "free + file == new high is enough")
    #expect(
      try zone(free: 10000, file: 7999).guardViolations.map(\.message) == [
        "Node 0 Normal: the new high watermark 18000 is more than the zone's 10000 free pages plus 7999 pages of "
          + "page cache; kswapd could never reach it and would reclaim constantly, swapping out what it cannot drop "
          + "(as on a 4 GB host given min_free_kbytes 3,000,000)"
      ])
  }

  @Test func freeFallingUnderTheNewLowWatermarkIsAReclaimWarning() throws {
    func reclaim(free: UInt64) throws -> [String] {
      let p = try zone(free: free, file: 50000)
      #expect(p.guardViolations.isEmpty)
      return p.warnings.filter { $0.message.contains("kswapd will reclaim") }.map(\.message)
    }
    #expect(try reclaim(free: 15000).isEmpty, "free == new low is not under it")
    #expect(
      try reclaim(free: 14999) == [
        "Node 0 Normal: 14999 free pages would sit under the new low watermark 15000 (now 12500); kswapd will "
          + "reclaim about 11 MiB of page cache in Node 0 Normal once, up to the new high watermark 18000 (50000 "
          + "pages of page cache there)"
      ])
    #expect(try reclaim(free: 12500).count == 1, "free == current low: the change is what pushes it under")
    #expect(try reclaim(free: 12499).isEmpty, "already under the current low: not this change's doing")
  }
}

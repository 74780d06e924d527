import Testing
import VMTuneHost
import VMTuneModel
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTunePlan

/// `set_recommended_min_free_kbytes()` caps its result at 5 % of nr_free_buffer_pages(), which it
/// computes from the watermarks in force when it runs: after a write of min_free_kbytes those are
/// the new watermarks, not today's.
@Suite struct THPRecommendationTests {
  /// A 640 MiB guest with THP: DMA32 holds 155000 managed pages, so the cap (5 % of managed − high)
  /// is below the 2 × 11 pageblocks the rule asks for.
  func guest() throws -> FixtureHost {
    var values = FixtureHost.defaultValues
    values["min_free_kbytes"] = "22528"
    let host = try FixtureHost(values: values, memTotalKB: 643_840)
    try host.writeZoneinfo([
      // The model's watermarks for min_free_kbytes 22528 (5632 pages).
      FixtureZone("DMA", free: 3900, min: 140, low: 175, high: 210, managed: 3960),
      FixtureZone("DMA32", free: 120_000, min: 5491, low: 6863, high: 8235, managed: 155_000, filePages: 20000),
    ])
    try host.write("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n")
    return host
  }

  @Test func theRecommendationUsesTheWatermarksTheNewValueProduces() throws {
    let host = try guest()
    let plan = Planner.plan(try profile("  min_free_kbytes: 8192\n"), on: try HostSnapshot.read(host.files))
    let zones = try #require(plan.watermarks)
    #expect(zones.allSatisfy { $0.modelMatchesKernel }, "\(zones)")
    // nr_free_buffer_pages() with the new high watermarks, 5 % of it, in kB.
    let buffers = zones.reduce(UInt64(0)) { $0 + $1.managed - $1.after.high }
    let expected = buffers / 20 * 4
    let today = zones.reduce(UInt64(0)) { $0 + $1.managed - $1.now.high } / 20 * 4
    #expect(expected != today, "the fixture must tell the two apart")
    #expect(
      plan.warnings.contains {
        $0.message.hasPrefix("min_free_kbytes 8192 is below the THP recommendation \(expected) kB")
      },
      "\(plan.warnings.map(\.message))")
  }
}

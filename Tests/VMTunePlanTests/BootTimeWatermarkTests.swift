import Testing
import VMTuneHost
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTunePlan

/// A freshly booted kernel computed its watermarks before it freed its init memory into the zones,
/// so they sit a little off the model of today's zone sizes until the first write recomputes them.
/// That is said as what it is; a real mismatch keeps the warning that predictions may be off.
@Suite struct BootTimeWatermarkTests {
  /// The 4 GiB host (model: DMA32 1508/2266/3024 for min_free_kbytes 8000) with DMA32 printed as
  /// `dma32`.
  func plan(dma32: (UInt64, UInt64, UInt64)) throws -> Plan {
    let host = try fourGiBHostBeforeRunawayReserve()
    try host.writeZoneinfo([
      FixtureZone("DMA", free: 3840, min: 7, low: 10, high: 13, managed: 3840),
      FixtureZone("DMA32", free: 758_226, min: dma32.0, low: dma32.1, high: dma32.2, managed: 758_592),
      FixtureZone("Normal", free: 145_291, min: 484, low: 727, high: 970, managed: 243_597),
    ])
    return Planner.plan(try profile("  min_free_kbytes: 16384\n"), on: try HostSnapshot.read(host.files))
  }

  @Test func slightlyOffWatermarksAreTheBootTimeComputation() throws {
    // 1.7 % above the model, as a 1 GiB guest's DMA zone was right after boot.
    let p = try plan(dma32: (1534, 2305, 3076))
    let w = try #require(p.warnings.first { $0.message.contains("DMA32: the kernel's current watermarks") })
    #expect(
      w.message
        == "Node 0 DMA32: the kernel's current watermarks (1534/2305/3076) are up to 1.7% off vmtune's model of "
        + "today's settings (1508/2266/3024): the kernel most likely computed them at boot, before it freed its init memory "
        + "into the zones; writing min_free_kbytes recomputes them from today's zone sizes, which the predictions "
        + "use", "\(p.warnings.map(\.message))")
    #expect(!p.warnings.contains { $0.message.contains("vendor patch") })
  }

  @Test func aRealMismatchStillSaysPredictionsMayBeOff() throws {
    let p = try plan(dma32: (3016, 4532, 6048))
    #expect(
      p.warnings.contains {
        $0.message.hasPrefix("Node 0 DMA32: the kernel's current watermarks (3016/4532/6048) differ from vmtune's")
          && $0.message.contains("predictions may be off")
      }, "\(p.warnings.map(\.message))")
  }
}

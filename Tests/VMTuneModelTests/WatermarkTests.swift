import Testing

@testable import VMTuneModel

@Suite struct WatermarkTests {
  func wm(_ w: Watermarks) -> [UInt64] { [w.min, w.low, w.high, w.promo] }

  /// `echo 3000000 > min_free_kbytes` on a 4 GiB machine (docs/KERNEL.md, Watermarks). The nine
  /// observed values (min/low/high of DMA, DMA32, Normal) must match exactly.
  @Test func fourGiBHostAfterRaisingMinFreeKbytes() {
    let zones = [
      ZoneMemory(node: 0, name: "DMA", managed: 3840, present: 3998),
      ZoneMemory(node: 0, name: "DMA32", managed: 758_592, present: 782_288),
      ZoneMemory(node: 0, name: "Normal", managed: 243_597, present: 262_144),
      ZoneMemory(node: 0, name: "Movable", managed: 0, present: 0),
    ]
    // That host's kernel predates the Movable cap: Movable counts as (empty) lowmem → 0/0/0.
    let w = WatermarkModel.predict(zones, minFreeKbytes: 3_000_000, scaleFactor: 10, rule: .scaled, pageShift: 12)
    #expect([w[0].min, w[0].low, w[0].high] == [2862, 3577, 4292])
    #expect([w[1].min, w[1].low, w[1].high] == [565_534, 706_917, 848_300])
    #expect([w[2].min, w[2].low, w[2].high] == [181_602, 227_002, 272_402])
    #expect([w[3].min, w[3].low, w[3].high] == [0, 0, 0])
    // The pre-4.6 rule would print high = min + min/2: 4293, 848301, 272403.
    let legacy = WatermarkModel.predict(zones, minFreeKbytes: 3_000_000, scaleFactor: 10, rule: .legacy, pageShift: 12)
    #expect(legacy.prefix(3).map(\.high) == [4293, 848_301, 272_403])
    #expect(legacy.prefix(3).map(\.low) == [3577, 706_917, 227_002])
  }

  /// The 6.18 test host, snapshots A and B (docs/KERNEL.md, Watermarks), including promo, Movable and Device.
  @Test func liveHostSnapshots() {
    func zones(normal: UInt64) -> [ZoneMemory] {
      [
        ZoneMemory(node: 0, name: "DMA", managed: 3840, present: 3998),
        ZoneMemory(node: 0, name: "DMA32", managed: 772_915, present: 782_336),
        ZoneMemory(node: 0, name: "Normal", managed: normal, present: 5_505_024),
        ZoneMemory(node: 0, name: "Movable", managed: 0, present: 0),
        ZoneMemory(node: 0, name: "Device", managed: 0, present: 0),
      ]
    }
    let a = WatermarkModel.predict(
      zones(normal: 294_912), minFreeKbytes: 67584, scaleFactor: 10, rule: .movableCapped, pageShift: 12)
    #expect(
      a.map(wm) == [
        [60, 75, 90, 105], [12185, 15231, 18277, 21323], [4649, 5811, 6973, 8135], [32, 32, 32, 32], [0, 0, 0, 0],
      ])
    let b = WatermarkModel.predict(
      zones(normal: 786_432), minFreeKbytes: 67584, scaleFactor: 10, rule: .movableCapped, pageShift: 12)
    #expect(
      b.map(wm) == [
        [41, 51, 61, 71], [8354, 10442, 12530, 14618], [8500, 10625, 12750, 14875], [32, 32, 32, 32], [0, 0, 0, 0],
      ])
  }

  @Test func scaleFactorWidensTheGap() {
    // 1,000,000 managed pages, min share 1000: the scale term 1000000*200/10000 = 20000 wins over 1000>>2.
    let w = WatermarkModel.predict(
      [ZoneMemory(node: 0, name: "Normal", managed: 1_000_000, present: 1_000_000)], minFreeKbytes: 4000,
      scaleFactor: 200, rule: .scaled, pageShift: 12)
    #expect(wm(w[0]) == [1000, 21000, 41000, 61000])
  }

  @Test func rulesByKernelVersion() {
    #expect(WatermarkRule.forKernel(major: 2, minor: 6) == .legacy)
    #expect(WatermarkRule.forKernel(major: 4, minor: 5) == .legacy)
    #expect(WatermarkRule.forKernel(major: 4, minor: 6) == .scaled)
    #expect(WatermarkRule.forKernel(major: 6, minor: 1) == .scaled)
    #expect(WatermarkRule.forKernel(major: 6, minor: 12) == .movableCapped)
  }

  @Test func lowmemReserveMatchesTheLiveProtectionLine() {
    // Snapshot A: DMA protection (0, 3019, 4171, 4171, 4171) = (0, 772915/256, (772915+294912)/256, …).
    let zones = [
      ZoneMemory(node: 0, name: "DMA", managed: 3840, present: 3998),
      ZoneMemory(node: 0, name: "DMA32", managed: 772_915, present: 782_336),
      ZoneMemory(node: 0, name: "Normal", managed: 294_912, present: 5_505_024),
      ZoneMemory(node: 0, name: "Movable", managed: 0, present: 0),
      ZoneMemory(node: 0, name: "Device", managed: 0, present: 0),
    ]
    let r = WatermarkModel.lowmemReserve(zones, ratios: [256, 256, 32, 0, 0])
    #expect(r[0] == [0, 3019, 4171, 4171, 4171])
    // DMA32 keeps back Normal/256 = 294912/256 = 1152 pages.
    #expect(r[1] == [0, 0, 1152, 1152, 1152])
    #expect(r[2] == [0, 0, 0, 0, 0])
  }

  @Test func defaultMinFreeKbytes() {
    // The 4 GiB box at boot: int_sqrt(1006029*4*16) = 8024 kB (`calculate_min_free_kbytes()`).
    #expect(MinFreeKbytes.kernelDefault(lowmemKB: 1_006_029 * 4) == 8024)
    // The 6.18 host: nr_free_buffer_pages 1537846 → 9920 kB.
    #expect(MinFreeKbytes.kernelDefault(lowmemKB: 1_537_846 * 4) == 9920)
    // The source comment's examples: 1 GiB → 4096 kB, 16 GiB → 16384 kB.
    #expect(MinFreeKbytes.kernelDefault(lowmemKB: 1 << 20) == 4096)
    #expect(MinFreeKbytes.kernelDefault(lowmemKB: 16 << 20) == 16384)
    // Clamps: 128 kB below, 262144 (65536 before 5.7) above.
    #expect(MinFreeKbytes.kernelDefault(lowmemKB: 100) == 128)
    #expect(MinFreeKbytes.kernelDefault(lowmemKB: 1 << 40) == 262_144)
    #expect(MinFreeKbytes.kernelDefault(lowmemKB: 1 << 40, upperClamp: 65536) == 65536)
    // THP: 512*3*2 + 512*3*9 = 16896 pages = 67584 kB, the live value.
    #expect(
      MinFreeKbytes.thpRecommended(
        pageblockPages: 512, populatedUserZones: 3, nrFreeBufferPages: 1_537_846, pageShift: 12) == 67584)
    // Capped at 5 % of nr_free_buffer_pages on a small machine: 100000/20 = 5000 pages.
    #expect(
      MinFreeKbytes.thpRecommended(
        pageblockPages: 512, populatedUserZones: 3, nrFreeBufferPages: 100_000, pageShift: 12) == 20000)
  }

  @Test func kernelMath() {
    #expect(KernelMath.multFrac(772_915, 10, 10_000) == 772)
    #expect(KernelMath.intSqrt(16_096_464) == 4012)
    #expect(KernelMath.intSqrt(24_601_600) == 4960)
    #expect(KernelMath.intSqrt(UInt64.max) == 4_294_967_295)
  }
}

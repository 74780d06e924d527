/// Which `__setup_per_zone_wmarks()` a kernel runs (docs/KERNEL.md, Watermarks).
public enum WatermarkRule: String, Sendable, Hashable, Codable {
  /// 2.6.31 – 4.5: low = min + share/4, high = min + share/2; no scale factor.
  case legacy
  /// 4.6 – ≈6.4: the scale-factor distance; Movable counts as lowmem.
  case scaled
  /// ≈6.5+: Movable is excluded from lowmem and capped like HighMem.
  case movableCapped

  /// The rule for a kernel `major.minor`.
  public static func forKernel(major: Int, minor: Int) -> WatermarkRule {
    if (major, minor) < (4, 6) { return .legacy }
    if (major, minor) < (6, 5) { return .scaled }
    return .movableCapped
  }
}

/// Watermark prediction: `__setup_per_zone_wmarks()` in integer arithmetic (docs/KERNEL.md, Watermarks).
public enum WatermarkModel {
  /// Watermarks for every zone (all nodes, in order) after writing `minFreeKbytes` and
  /// `scaleFactor`, on a host with pages of 2^`pageShift` bytes. Boosts are reset by the
  /// recompute, so these equal zoneinfo's values.
  public static func predict(
    _ zones: [ZoneMemory], minFreeKbytes: UInt64, scaleFactor: UInt64, rule: WatermarkRule, pageShift: Int
  ) -> [Watermarks] {
    // pages_min = min_free_kbytes >> (PAGE_SHIFT - 10)
    let pagesMin = minFreeKbytes >> UInt64(Swift.max(pageShift - 10, 0))
    let lowmem = zones.reduce(UInt64(0)) { sum, z in
      isCapped(z, rule) ? sum : sum + z.managed
    }
    return zones.map { z in
      let product = pagesMin.multipliedFullWidth(by: z.managed)
      let share: UInt64 = lowmem == 0 ? 0 : lowmem.dividingFullWidth(product).quotient
      let minPages: UInt64
      if isCapped(z, rule) {
        minPages = Swift.min(Swift.max(z.managed / 1024, 32), 128)
      } else {
        minPages = share
      }
      switch rule {
      case .legacy:
        return Watermarks(
          min: minPages, low: minPages + (share >> 2), high: minPages + (share >> 1), promo: minPages + (share >> 1))
      case .scaled, .movableCapped:
        let delta = Swift.max(share >> 2, KernelMath.multFrac(z.managed, scaleFactor, 10_000))
        return Watermarks(
          min: minPages, low: minPages + delta, high: minPages + 2 * delta, promo: minPages + 3 * delta)
      }
    }
  }

  static func isCapped(_ z: ZoneMemory, _ rule: WatermarkRule) -> Bool {
    z.isHighMem || (rule == .movableCapped && z.isMovable)
  }

  /// `lowmem_reserve[i][j]` for one node's zones in order (`setup_per_zone_lowmem_reserve()`,
  /// docs/KERNEL.md, Lowmem reserve): what zone i keeps back from allocations that could have used zone j.
  public static func lowmemReserve(_ nodeZones: [ZoneMemory], ratios: [UInt64]) -> [[UInt64]] {
    var out = Array(repeating: Array(repeating: UInt64(0), count: nodeZones.count), count: nodeZones.count)
    for i in 0..<nodeZones.count {
      let ratio = i < ratios.count ? ratios[i] : 0
      let clear = ratio == 0 || nodeZones[i].managed == 0
      var managed: UInt64 = 0
      for j in (i + 1)..<max(i + 1, nodeZones.count) {
        managed += nodeZones[j].managed
        out[i][j] = clear ? 0 : managed / ratio
      }
    }
    return out
  }
}

/// The kernel's choice of `min_free_kbytes` (`calculate_min_free_kbytes()`,
/// docs/KERNEL.md, Default min_free_kbytes and THP).
public enum MinFreeKbytes {
  /// `calculate_min_free_kbytes()`: `int_sqrt(lowmem_kbytes * 16)` clamped to 128 … 262144
  /// (… 65536 before ≈5.7). `lowmemKB` is `nr_free_buffer_pages()` in kB.
  public static func kernelDefault(lowmemKB: UInt64, upperClamp: UInt64 = 262_144) -> UInt64 {
    let (product, overflow) = lowmemKB.multipliedReportingOverflow(by: 16)
    return Swift.min(Swift.max(KernelMath.intSqrt(overflow ? .max : product), 128), upperClamp)
  }

  /// `set_recommended_min_free_kbytes()` with THP enabled: two free pageblocks per populated user
  /// zone plus MIGRATE_PCPTYPES² more, at most 5 % of `nrFreeBufferPages`; in kB
  /// (`<< (PAGE_SHIFT - 10)`).
  public static func thpRecommended(
    pageblockPages: UInt64, populatedUserZones: UInt64, nrFreeBufferPages: UInt64, pageShift: Int
  ) -> UInt64 {
    let perZone = pageblockPages.multipliedReportingOverflow(by: 11)
    let (all, overflow) = perZone.partialValue.multipliedReportingOverflow(by: populatedUserZones)
    let pages = Swift.min(perZone.overflow || overflow ? .max : all, nrFreeBufferPages / 20)
    return pages << UInt64(Swift.max(pageShift - 10, 0))
  }
}

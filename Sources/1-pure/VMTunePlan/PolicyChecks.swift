import VMTuneHost
import VMTuneModel
import VMTuneProfile

/// Checks the kernel does not make (docs/KERNEL.md, Policy checks): values it accepts but that hurt.
public enum PolicyChecks {
  /// One check: its warning, or nil when the planned values do not call for it.
  typealias Check = @Sendable (Context) -> PlanWarning?

  /// Every check, in the order its warning is listed.
  static let checks: [Check] = [
    minFreeGuard, minFreeBelowTHP, minFreeUnder1024, dirtyBackgroundAboveDirty, overcommitRatioOutOfRange,
  ]

  /// The warnings of every check that fires, in the order of `checks`.
  static func warnings(
    _ guards: Guards, _ entries: [PlanEntry], _ host: HostFacts, snapshot: HostSnapshot, forecast: [ZoneForecast]?
  ) -> [PlanWarning] {
    let context = Context(guards: guards, entries: entries, host: host, snapshot: snapshot, forecast: forecast)
    return checks.compactMap { $0(context) }
  }

  /// What the checks read: the profile's guards, the plan entries and the host.
  struct Context {
    var guards: Guards
    var entries: [PlanEntry]
    var host: HostFacts
    var snapshot: HostSnapshot
    /// The zones' watermarks after apply, when the plan moves them.
    var forecast: [ZoneForecast]?

    /// The value the host will have after apply: desired for changes, current otherwise.
    func after(_ key: String) -> Int64? {
      guard let e = entries.first(where: { $0.key == key && $0.action != .skipped && $0.action != .blocked })
      else { return nil }
      return e.after?.intValue
    }

    /// min_free_kbytes after apply, when the host's RAM is known (the min_free_kbytes checks need it).
    var minFree: Int64? {
      guard let minFree = after("min_free_kbytes"), host.memTotalKB > 0 else { return nil }
      return minFree
    }
  }

  // MARK: min_free_kbytes

  /// A reserve above the profile's guard share of RAM: zones sit under their watermarks.
  static func minFreeGuard(_ c: Context) -> PlanWarning? {
    guard let minFree = c.minFree else { return nil }
    let memTotalKB = c.host.memTotalKB
    let guardPercent = c.guards.maxMinFreePercent ?? Guards.defaultMaxMinFreePercent
    guard Int128(minFree) * 100 > Int128(memTotalKB) * Int128(guardPercent) else { return nil }
    let share = Int128(minFree) * 1000 / Int128(memTotalKB)
    return PlanWarning(
      severity: .guardViolation, key: "min_free_kbytes",
      message:
        "min_free_kbytes \(minFree) (\(humanKB(minFree))) reserves \(share / 10).\(share % 10)% of this host's "
        + "\(humanKB(memTotalKB)) of RAM, "
        + "over the guard of \(guardPercent)%: zones would sit under their watermarks and kswapd would reclaim "
        + "constantly (a 4 GB host with min_free_kbytes 3,000,000 went into constant reclaim); lower it or "
        + "raise guards.max_min_free_percent"
    )
  }

  /// A changed reserve below the THP recommendation: the kernel raises it back.
  static func minFreeBelowTHP(_ c: Context) -> PlanWarning? {
    let highs = c.forecast.map { zones in
      Dictionary(zones.map { ("\($0.node) \($0.zone)", $0.after.high) }) { a, _ in a }
    }
    guard let minFree = c.minFree, let thp = thpRecommendedKB(c.snapshot, highs: highs), minFree < Int64(thp),
      c.entries.contains(where: { $0.key == "min_free_kbytes" && $0.action == .change })
    else { return nil }
    return PlanWarning(
      severity: .warning, key: "min_free_kbytes",
      message:
        "min_free_kbytes \(minFree) is below the THP recommendation \(thp) kB "
        + "(transparent_hugepage=\(c.snapshot.thpMode ?? "?")); the kernel raises it back whenever THP settings "
        + "change or memory is hot-added"
    )
  }

  /// A reserve under 1024 kB, which the kernel docs call subtly broken.
  static func minFreeUnder1024(_ c: Context) -> PlanWarning? {
    guard let minFree = c.minFree, minFree < 1024 else { return nil }
    return PlanWarning(
      severity: .warning, key: "min_free_kbytes",
      message:
        "min_free_kbytes \(minFree) is under 1024 kB; the kernel docs warn the system becomes subtly broken and "
        + "prone to deadlock under load"
    )
  }

  // MARK: Dirty and overcommit ratios

  /// dirty_background_ratio at or above dirty_ratio: the kernel uses half of dirty_ratio instead.
  static func dirtyBackgroundAboveDirty(_ c: Context) -> PlanWarning? {
    guard let bg = c.after("dirty_background_ratio"), let fg = c.after("dirty_ratio"), fg > 0, bg >= fg else {
      return nil
    }
    return PlanWarning(
      severity: .warning, key: "dirty_background_ratio",
      message:
        "dirty_background_ratio \(bg) >= dirty_ratio \(fg): the kernel silently uses half of dirty_ratio as the "
        + "background threshold"
    )
  }

  /// overcommit_ratio outside 0 … 100: accepted, but CommitLimit stops meaning anything.
  static func overcommitRatioOutOfRange(_ c: Context) -> PlanWarning? {
    guard let r = c.after("overcommit_ratio"), !(0...100).contains(r) else { return nil }
    return PlanWarning(
      severity: .warning, key: "overcommit_ratio",
      message: "overcommit_ratio \(r) is outside 0 … 100; the kernel accepts it but CommitLimit becomes meaningless"
    )
  }

  /// `set_recommended_min_free_kbytes()` for this host when THP is enabled
  /// (docs/KERNEL.md, Default min_free_kbytes and THP). Its 5 % cap counts each zone's managed pages
  /// above the high watermark in force when it runs: `highs` (by `"node zone"`) gives those after a
  /// write; without it, today's.
  public static func thpRecommendedKB(_ snapshot: HostSnapshot, highs: [String: UInt64]? = nil) -> UInt64? {
    guard let mode = snapshot.thpMode, mode == "always" || mode == "madvise", let info = snapshot.zoneInfo else {
      return nil
    }
    let user = info.zones.filter { ["DMA", "DMA32", "Normal"].contains($0.name) && $0.populated }
    let buffers = user.reduce(UInt64(0)) { sum, z in
      let high = highs?["\(z.node) \(z.name)"] ?? z.unboosted.high
      return z.managedPages > high ? sum + z.managedPages - high : sum
    }
    return MinFreeKbytes.thpRecommended(
      pageblockPages: UInt64(1) << UInt64(snapshot.hugePageOrder), populatedUserZones: UInt64(user.count),
      nrFreeBufferPages: buffers, pageShift: snapshot.pageSize.shift)
  }
}

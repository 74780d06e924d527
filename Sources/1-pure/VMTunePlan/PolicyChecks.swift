import VMTuneHost
import VMTuneModel
import VMTuneProfile

/// Checks the kernel does not make (docs/KERNEL.md, Policy checks): values it accepts but that hurt.
public enum PolicyChecks {
  static func warnings(_ profile: Profile, _ entries: [PlanEntry], _ host: HostFacts, snapshot: HostSnapshot)
    -> [PlanWarning]
  {
    var out: [PlanWarning] = []
    /// The value the host will have after apply: desired for changes, current otherwise.
    func after(_ key: String) -> Int64? {
      guard let e = entries.first(where: { $0.key == key && $0.action != .skipped && $0.action != .blocked })
      else { return nil }
      return e.after?.intValue
    }
    if let minFree = after("min_free_kbytes"), host.memTotalKB > 0 {
      let guardPercent = profile.guards.maxMinFreePercent ?? Guards.defaultMaxMinFreePercent
      if Int128(minFree) * 100 > Int128(host.memTotalKB) * Int128(guardPercent) {
        let share = Int128(minFree) * 1000 / Int128(host.memTotalKB)
        out.append(
          PlanWarning(
            severity: .guardViolation, key: "min_free_kbytes",
            message:
              "min_free_kbytes \(minFree) reserves \(share / 10).\(share % 10)% of RAM (\(humanKB(host.memTotalKB))), "
              + "over the guard of \(guardPercent)%: zones would sit under their watermarks and kswapd would reclaim "
              + "constantly (a 4 GB host with min_free_kbytes 3,000,000 went into constant reclaim); lower it or "
              + "raise guards.max_min_free_percent"
          ))
      }
      if let thp = thpRecommendedKB(snapshot), minFree < Int64(thp),
        entries.contains(where: { $0.key == "min_free_kbytes" && $0.action == .change })
      {
        out.append(
          PlanWarning(
            severity: .warning, key: "min_free_kbytes",
            message:
              "min_free_kbytes \(minFree) is below the THP recommendation \(thp) kB "
              + "(transparent_hugepage=\(snapshot.thpMode ?? "?")); the kernel raises it back whenever THP settings "
              + "change or memory is hot-added"
          ))
      }
      if minFree < 1024 {
        out.append(
          PlanWarning(
            severity: .warning, key: "min_free_kbytes",
            message:
              "min_free_kbytes \(minFree) is under 1024 kB; the kernel docs warn the system becomes subtly broken and "
              + "prone to deadlock under load"
          ))
      }
    }
    if let bg = after("dirty_background_ratio"), let fg = after("dirty_ratio"), fg > 0, bg >= fg {
      out.append(
        PlanWarning(
          severity: .warning, key: "dirty_background_ratio",
          message:
            "dirty_background_ratio \(bg) >= dirty_ratio \(fg): the kernel silently uses half of dirty_ratio as the "
            + "background threshold"
        ))
    }
    if let r = after("overcommit_ratio"), !(0...100).contains(r) {
      out.append(
        PlanWarning(
          severity: .warning, key: "overcommit_ratio",
          message: "overcommit_ratio \(r) is outside 0 … 100; the kernel accepts it but CommitLimit becomes meaningless"
        ))
    }
    return out
  }

  /// `set_recommended_min_free_kbytes()` for this host when THP is enabled
  /// (docs/KERNEL.md, Default min_free_kbytes and THP).
  public static func thpRecommendedKB(_ snapshot: HostSnapshot) -> UInt64? {
    guard let mode = snapshot.thpMode, mode == "always" || mode == "madvise", let info = snapshot.zoneInfo else {
      return nil
    }
    let user = info.zones.filter { ["DMA", "DMA32", "Normal"].contains($0.name) && $0.populated }
    let buffers = user.reduce(UInt64(0)) { sum, z in
      let high = z.unboosted.high
      return z.managedPages > high ? sum + z.managedPages - high : sum
    }
    return MinFreeKbytes.thpRecommended(populatedUserZones: UInt64(user.count), nrFreeBufferPages: buffers)
  }
}

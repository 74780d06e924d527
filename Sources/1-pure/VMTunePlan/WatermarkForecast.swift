import VMTuneHost
import VMTuneModel
import VMTuneProfile

/// One zone's watermarks now and after apply (pages; boost excluded).
public struct ZoneForecast: Sendable, Hashable, Codable {
  public var node: Int
  public var zone: String
  public var managed: UInt64
  public var free: UInt64
  /// Pages kswapd can reclaim without swapping (page cache), and where the number comes from.
  public var reclaimable: UInt64
  public var reclaimableSource: ReclaimableSource
  /// kB per page on this host.
  public var pageKB: UInt64
  /// As /proc/zoneinfo shows them now, minus the transient boost.
  public var now: Watermarks
  /// What the kernel will compute after the writes.
  public var after: Watermarks
  /// The model's watermarks for today's settings.
  public var model: Watermarks
  /// Whether the model reproduces `now` from today's settings (false on vendor-patched kernels,
  /// and right after boot: see ``warnings(_:kernel:)``).
  public var modelMatchesKernel: Bool
}

/// Predicts every zone's watermarks for the settings a plan would leave (docs/KERNEL.md, Watermarks).
public enum WatermarkForecast {
  /// Each zone's memory as the watermark model takes it.
  public static func zones(_ info: ZoneInfo) -> [ZoneMemory] {
    info.zones.map { ZoneMemory(node: $0.node, name: $0.name, managed: $0.managedPages, present: $0.present) }
  }

  /// The kernel's watermark rule for a release (the newest rule when the release is unknown).
  public static func rule(_ kernel: KernelVersion?) -> WatermarkRule {
    guard let k = kernel else { return .movableCapped }
    return WatermarkRule.forKernel(major: k.major, minor: k.minor)
  }

  /// Nil when zoneinfo is unavailable or the plan touches neither knob.
  static func forecast(_ snapshot: HostSnapshot, entries: [PlanEntry], kernel: KernelVersion?) -> [ZoneForecast]? {
    guard let info = snapshot.zoneInfo, !info.zones.isEmpty else { return nil }
    let touched = entries.contains { knobs.contains($0.key) && $0.action == .change }
    guard touched else { return nil }
    func current(_ key: String, _ fallback: UInt64) -> UInt64 {
      snapshot.values[key].flatMap { UInt64($0) } ?? fallback
    }
    func after(_ key: String, _ fallback: UInt64) -> UInt64 {
      if let e = entries.first(where: { $0.key == key && $0.action == .change }),
        let d = e.desired?.intValue, let v = UInt64(exactly: d)
      {
        return v
      }
      return current(key, fallback)
    }
    let zones = zones(info)
    let reclaimable = ReclaimableMemory.perZone(info, memInfo: snapshot.memInfo, pageKB: snapshot.pageSize.kb)
    let r = rule(kernel)
    let shift = snapshot.pageSize.shift
    let model = WatermarkModel.predict(
      zones, minFreeKbytes: current("min_free_kbytes", 0), scaleFactor: current("watermark_scale_factor", 10), rule: r,
      pageShift: shift)
    let next = WatermarkModel.predict(
      zones, minFreeKbytes: after("min_free_kbytes", 0), scaleFactor: after("watermark_scale_factor", 10), rule: r,
      pageShift: shift)
    return info.zones.indices.map { i in
      let z = info.zones[i]
      let now = z.unboosted
      let matches = model[i].min == now.min && model[i].low == now.low && model[i].high == now.high
      return ZoneForecast(
        node: z.node, zone: z.name, managed: z.managedPages, free: z.free, reclaimable: reclaimable[i].pages,
        reclaimableSource: reclaimable[i].source, pageKB: snapshot.pageSize.kb, now: now, after: next[i],
        model: model[i], modelMatchesKernel: matches)
    }
  }

  /// What the forecast means for each zone (docs/KERNEL.md, Guards on a busy host): a guard when
  /// the new high watermark reaches the zone's size, or rises above what free and reclaimable
  /// memory can cover (kswapd would reclaim forever); a warning with the one-time reclaim when
  /// free memory falls under the new low watermark but page cache covers the new high one.
  static func warnings(_ zones: [ZoneForecast], kernel: KernelVersion?) -> [PlanWarning] {
    var out: [PlanWarning] = []
    for z in zones where z.managed > 0 && z.zone != "Movable" && z.zone != "HighMem" {
      if let w = zoneWarning(z) { out.append(w) }
    }
    if let z = zones.first(where: { !$0.modelMatchesKernel && $0.managed > 0 }) {
      out.append(mismatch(z, all: zones))
    }
    return out
  }

  /// How far (per mille) the kernel's watermarks are from the model's, at most.
  static func deviation(_ z: ZoneForecast) -> UInt64 {
    zip([z.now.min, z.now.low, z.now.high], [z.model.min, z.model.low, z.model.high]).map { now, model in
      let diff = now > model ? now - model : model - now
      return model == 0 ? (diff == 0 ? 0 : .max) : UInt64(Int128(diff) * 1000 / Int128(model))
    }.max() ?? 0
  }

  /// The warning for a zone whose watermarks differ from the model of today's settings. Within 5 %
  /// on every zone, the likely reason is the boot-time computation: the kernel set the watermarks
  /// before it released its init memory into the zones (`free_initmem()` and deferred struct page
  /// init add managed pages later without a recompute), and the next write recomputes them.
  static func mismatch(_ z: ZoneForecast, all zones: [ZoneForecast]) -> PlanWarning {
    let now = "\(z.now.min)/\(z.now.low)/\(z.now.high)"
    let model = "\(z.model.min)/\(z.model.low)/\(z.model.high)"
    let worst = zones.filter { $0.managed > 0 }.map(deviation).max() ?? 0
    guard worst <= 50 else {
      return PlanWarning(
        severity: .warning, key: nil,
        message:
          "Node \(z.node) \(z.zone): the kernel's current watermarks (\(now)) differ from vmtune's model of today's "
          + "settings (\(model)); predictions may be off (a vendor patch, or memory onlined or offlined since the "
          + "last recompute)")
    }
    let d = deviation(z)
    return PlanWarning(
      severity: .warning, key: nil,
      message:
        "Node \(z.node) \(z.zone): the kernel's current watermarks (\(now)) are up to \(d / 10).\(d % 10)% off vmtune's "
        + "model of today's settings (\(model)): the kernel most likely computed them at boot, before it freed its "
        + "init memory into the zones; writing min_free_kbytes recomputes them from today's zone sizes, which the "
        + "predictions use")
  }

  /// The knobs whose changes move the watermarks, and so go through the zone guards.
  public static let knobs: Set<String> = ["min_free_kbytes", "watermark_scale_factor"]

  /// The guard rules in an operator's words (`vmtune explain`; docs/KERNEL.md, Guards on a busy host).
  public static let guardRules = [
    "apply refuses (unless --force) when, in any zone below Movable/HighMem, the new high watermark",
    "would reach the zone's managed pages, or would be more than its free pages plus its page cache",
    "(file pages: kswapd would reclaim forever, swapping what it cannot drop), or when min_free_kbytes",
    "is over guards.max_min_free_percent (default 5) of MemTotal. Free pages falling under the new low",
    "watermark while page cache covers the new high one is only a warning: kswapd reclaims about",
    "(new high - free) pages of cache once, and plan says how much.",
  ]

  /// The one finding for a zone, the most serious first.
  static func zoneWarning(_ z: ZoneForecast) -> PlanWarning? {
    let name = "Node \(z.node) \(z.zone)"
    let reclaim = ReclaimableMemory.describe(z.reclaimable, z.reclaimableSource)
    if z.after.high >= z.managed {
      return PlanWarning(
        severity: .guardViolation, key: "min_free_kbytes",
        message:
          "\(name): the new high watermark (\(z.after.high) pages) would reach the zone's size (\(z.managed) "
          + "managed pages); kswapd could never finish and allocations would stall at min (as on a 4 GB host "
          + "given min_free_kbytes 3,000,000)")
    }
    let coverable = UInt64(clamping: Int128(z.free) + Int128(z.reclaimable))
    if z.after.high > coverable, z.after.high > z.now.high {
      return PlanWarning(
        severity: .guardViolation, key: "min_free_kbytes",
        message:
          "\(name): the new high watermark \(z.after.high) is more than the zone's \(z.free) free pages plus "
          + "\(reclaim.amount)\(reclaim.origin.map { " (\($0))" } ?? ""); kswapd could never reach it and would "
          + "reclaim constantly, swapping out what it cannot drop (as on a 4 GB host given min_free_kbytes "
          + "3,000,000)")
    }
    // Already under the current low watermark: kswapd is at work anyway, not because of this change.
    guard z.free < z.after.low, z.free >= z.now.low else { return nil }
    let reclaimKB = Int64(clamping: Int128(z.after.high - z.free) * Int128(z.pageKB))
    return PlanWarning(
      severity: .warning, key: "min_free_kbytes",
      message:
        "\(name): \(z.free) free pages would sit under the new low watermark \(z.after.low) (now \(z.now.low)); "
        + "kswapd will reclaim about \(humanKB(reclaimKB)) of page cache in \(name) once, up to the new high "
        + "watermark \(z.after.high) (\(reclaim.amount) there\(reclaim.origin.map { ", \($0)" } ?? ""))")
  }
}

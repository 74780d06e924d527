import VMTuneHost
import VMTuneModel
import VMTuneProfile

extension Advisor {
  /// What every advice rule reads: the diagnosis, the snapshot behind it, and its zone orders
  /// sorted into fragmented and short of memory.
  struct Context {
    /// One order of one zone.
    typealias ZoneOrder = (zone: ZoneDiagnosis, order: OrderDiagnosis)

    var diagnosis: Diagnosis
    var snapshot: HostSnapshot
    /// Orders where compaction helps.
    var fragmented: [ZoneOrder]
    /// Orders where reclaim helps and allocations have failed.
    var short: [ZoneOrder]
    /// Zones and nodes where more than half of free memory is unusable for an order of interest,
    /// strongest first (``UnusableShare``).
    var unusable: [UnusableShare] { diagnosis.unusable }

    init(_ diagnosis: Diagnosis, snapshot: HostSnapshot) {
      self.diagnosis = diagnosis
      self.snapshot = snapshot
      (fragmented, short) = Self.classify(diagnosis)
    }

    // 1. Fragmented (compaction helps) vs short of memory (reclaim helps), per order of interest.
    static func classify(_ d: Diagnosis) -> (fragmented: [ZoneOrder], short: [ZoneOrder]) {
      var fragmented: [ZoneOrder] = []
      var short: [ZoneOrder] = []
      for z in d.zones where z.freePages > 0 || z.watermarks != nil {
        for o in z.orders where o.order > 0 {
          switch o.decision {
          case .compact(let index)? where index > d.extfragThreshold || o.order <= Compaction.costlyOrder:
            fragmented.append((z, o))
          case .reclaimShortOfMemory?, .reclaimTooLittleFree?:
            if o.failuresInLog > 0 { short.append((z, o)) }
          case nil where o.fragmentationIndex > d.extfragThreshold:
            fragmented.append((z, o))
          default:
            break
          }
        }
      }
      return (fragmented, short)
    }

    /// What the `--profile` action of `kind` says about now, when the profile has one: `the
    /// profile's compact action would run now: …`.
    func profileNote(_ kind: Action.Kind) -> String? {
      guard let f = diagnosis.profile?.actions.first(where: { $0.kind == kind }) else { return nil }
      return "the profile's \(kind.rawValue) action \(f.now)"
    }

    /// The `when:` condition that holds now where `order` is worst: per node when a node's unusable
    /// share is above half (the node with the highest), else per zone; at the largest tenth below
    /// that share, between 0.5 and 0.9.
    func unusableCondition(order: Int) -> String {
      let nodeShares = Diagnoser.nodeCounts(diagnosis.zones).filter { $0.counts.contains { $0 > 0 } }.map {
        Fragmentation.unusableIndex($0.counts, order: order)
      }
      let counted = diagnosis.zones.filter(Diagnoser.isCounted(in: diagnosis.zones)).filter { $0.freePages > 0 }
      let zoneShares = counted.flatMap { $0.orders.filter { $0.order == order }.map(\.unusableIndex) }
      let perNode = (nodeShares.max() ?? 0) > UnusableShare.findingAbove
      let share = (perNode ? nodeShares.max() : zoneShares.max()) ?? 1000
      let tenths = min(max((share - 1) / 100, 5), 9)
      return "{ order: \(order), per: \(perNode ? "node" : "zone"), unusable_above: 0.\(tenths) }"
    }

    var memKB: Int64 { Int64(diagnosis.host.memTotalKB) }
    var threshold: Int { diagnosis.extfragThreshold }

    /// Active and inactive file pages: clean cache that reclaim or drop_caches can free.
    var pageCacheKB: Int64 {
      Int64(
        clamping: Int128(snapshot.memInfo.values["Active(file)"] ?? 0)
          + Int128(snapshot.memInfo.values["Inactive(file)"] ?? 0))
    }

    /// Page cache is more than a tenth of RAM.
    var cacheIsReclaimable: Bool { memKB > 0 && pageCacheKB * 10 > memKB }

    /// Why compaction cannot help `o`, in the kernel's numbers.
    func shortText(_ o: OrderDiagnosis) -> String {
      switch o.decision {
      case .reclaimTooLittleFree(let free, let needed)?:
        return "\(free) free pages, compaction needs more than \(needed - 1)"
      case .reclaimShortOfMemory(let index)?:
        return "fragmentation index \(index) ≤ extfrag_threshold \(threshold)"
      default:
        return "memory is short"
      }
    }

    /// min_free_kbytes, when it and the RAM size are known.
    var minFree: Int64? {
      guard let minFree = diagnosis.minFreeKbytes, memKB > 0 else { return nil }
      return Int64(minFree)
    }

    /// Zones (not Movable or HighMem) whose watermarks swallow them: high at or above the zone's
    /// size, or free under low with min above 5 % of the zone.
    var swallowing: [ZoneDiagnosis] {
      diagnosis.zones.filter { z in
        guard let m = z.watermarks, let managed = z.managed, managed > 0, !["Movable", "HighMem"].contains(z.zone)
        else { return false }
        return m.high >= managed || Int64(z.freePages) < Int64(m.low) && m.min * 20 > managed
      }
    }

    /// min_free_kbytes above 5 % of RAM, or watermarks swallowing a zone.
    var minFreeTooHigh: Bool {
      guard let minFree else { return false }
      return minFree * 100 > memKB * 5 || !swallowing.isEmpty
    }

    /// The signs of direct reclaim (allocstall, pgscan_direct, atomic failures) when the reserve
    /// is known and not too high; nil when there are none.
    var directReclaim: [String]? {
      guard minFree != nil, !minFreeTooHigh else { return nil }
      var evidence: [String] = []
      if let a = diagnosis.counters["allocstall"], a > 0 { evidence.append("allocstall \(a)") }
      if let p = diagnosis.counters["pgscan_direct"], p > 0 { evidence.append("pgscan_direct \(p)") }
      let atomicFailures = diagnosis.failures.filter(\.atomic).reduce(0) { $0 + $1.count }
      if atomicFailures > 0 {
        evidence.append(
          "\(atomicFailures) atomic allocation failure(s) in the log (atomic allocations may only dip below min)")
      }
      return evidence.isEmpty ? nil : evidence
    }
  }
}

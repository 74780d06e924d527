import VMTuneHost
import VMTuneKernel
import VMTuneModel
import VMTuneProfile

/// What running an action changed: free blocks of the watched order and vmstat deltas.
public struct ActionEffect: Sendable, Hashable, CustomStringConvertible {
  public var order: Int
  public var blocksBefore: UInt64
  public var blocksAfter: UInt64
  public var freePagesBefore: UInt64
  public var freePagesAfter: UInt64
  /// compact_migrate_scanned, compact_free_scanned, compact_isolated, pgmigrate_success,
  /// drop_pagecache, drop_slab deltas (only the non-zero ones).
  public var vmstatDeltas: [(String, UInt64)]
  /// How long the action took (monotonic), in seconds.
  public var seconds: Double
  /// How a compaction was done, when not by `compact_memory` or a node's `compact` file.
  public var via: String?

  public static func == (a: ActionEffect, b: ActionEffect) -> Bool { a.description == b.description }
  public func hash(into h: inout Hasher) { h.combine(description) }

  /// Whether the run achieved nothing it is for: compaction that made no new block of the
  /// order, a cache drop that freed no page.
  public func isFutile(for kind: Action.Kind) -> Bool {
    switch kind {
    case .compact: return blocksAfter <= blocksBefore
    case .dropCaches: return freePagesAfter <= freePagesBefore
    }
  }

  /// The counts that show it: `order-9+ blocks 2834 → 2834, 153000 pages scanned`.
  public var summary: String {
    var s = "order-\(order)+ blocks \(blocksBefore) → \(blocksAfter), free pages \(freePagesBefore) → \(freePagesAfter)"
    let scanned = vmstatDeltas.filter { $0.0.hasSuffix("_scanned") }.reduce(UInt64(0)) { $0 + $1.1 }
    if scanned > 0 { s += ", \(scanned) pages scanned" }
    return s
  }

  public var description: String {
    var s = via.map { "via \($0), " } ?? ""
    s += "order-\(order)+ blocks \(blocksBefore) → \(blocksAfter), free pages \(freePagesBefore) → \(freePagesAfter)"
    if !vmstatDeltas.isEmpty { s += ", " + vmstatDeltas.map { "\($0.0) +\($0.1)" }.joined(separator: ", ") }
    return s
  }
}

/// Runs actions; the seam where tests inject failures.
public protocol ActionExecutor: Sendable {
  func run(_ action: Action, order: Int) throws(KernelError) -> ActionEffect
}

/// Runs actions on the host through ``KernelActions`` and measures their effect (timed with the
/// monotonic `ContinuousClock`, so wall-clock steps do not skew it).
public struct KernelActionExecutor: ActionExecutor {
  public let triggers: KernelActions
  /// For compactions with `until:`.
  public let proactive: TargetedCompaction

  public init(files: HostFiles, proactive: TargetedCompaction? = nil) {
    triggers = KernelActions(files: files)
    self.proactive = proactive ?? TargetedCompaction(files: files)
  }

  static let watched = [
    "compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "pgmigrate_success", "drop_pagecache",
    "drop_slab",
  ]

  public func run(_ action: Action, order: Int) throws(KernelError) -> ActionEffect {
    let before = try triggers.memoryState()
    let clock = ContinuousClock()
    let start = clock.now
    var via: String?
    switch action.kind {
    case .compact:
      if let until = action.untilUnusableBelow {
        guard proactive.isAvailable else {
          try triggers.compactAll()
          via = "compact_memory (this kernel has no proactive compaction for 'until')"
          break
        }
        let percent = Int(until / 10)
        try proactive.run(untilUnusablePercent: percent)
        via = "kcompactd until at most \(percent)% of free memory is unusable for huge pages"
      } else if let nodes = action.nodes {
        for n in nodes { try triggers.compact(node: n) }
      } else {
        try triggers.compactAll()
      }
    case .dropCaches:
      try triggers.dropCaches(Int((action.what ?? .pagecache).kernelValue), syncFirst: action.syncFirst)
    }
    let elapsed = start.duration(to: clock.now)
    let after = try triggers.memoryState()
    let deltas = Self.watched.compactMap { k -> (String, UInt64)? in
      guard let a = after.vmstat[k], let b = before.vmstat[k], a > b else { return nil }
      return (k, a - b)
    }
    return ActionEffect(
      order: order, blocksBefore: before.buddy.suitableBlocks(order: order),
      blocksAfter: after.buddy.suitableBlocks(order: order), freePagesBefore: before.buddy.freePages,
      freePagesAfter: after.buddy.freePages, vmstatDeltas: deltas,
      seconds: Self.seconds(elapsed), via: via)
  }

  /// A duration in (fractional) seconds.
  static func seconds(_ d: Swift.Duration) -> Double {
    let (s, atto) = d.components
    return Double(s) + Double(atto) / 1e18
  }
}

extension [FreeAreas] {
  /// Free pages over all the zones listed.
  var freePages: UInt64 { reduce(0) { $0 + $1.freePages } }

  /// Free blocks of at least `order`, in order-sized units, over all the zones listed.
  func suitableBlocks(order: Int) -> UInt64 {
    reduce(0) { $0 + Fragmentation.contigInfo($1.counts, order: order).freeBlocksSuitable }
  }
}

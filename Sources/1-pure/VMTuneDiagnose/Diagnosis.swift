import VMTuneHost
import VMTuneModel
import VMTunePlan
import VMTuneProfile

/// Fragmentation of one zone at one allocation order.
public struct OrderDiagnosis: Sendable, Hashable, Codable {
  public var order: Int
  /// −1000 (a block exists), else 0 … 1000 (kernel extfrag semantics).
  public var fragmentationIndex: Int
  /// Per mille of free memory in blocks too small for this order.
  public var unusableIndex: Int
  /// Free blocks of exactly this order that could be carved out (free_blocks_suitable).
  public var suitableBlocks: UInt64
  /// What compaction_suitable() decides, when watermarks are known.
  public var decision: CompactionDecision?
  /// Allocation failures at this order in the log.
  public var failuresInLog: Int
}

/// One zone: memory, watermarks and headroom, free blocks by order, indexes.
public struct ZoneDiagnosis: Sendable, Hashable, Codable {
  public var node: Int
  public var zone: String
  /// "buddyinfo" for the live host, "log line N" for an OOM report's buddy line.
  public var source: String
  public var managed: UInt64?
  public var freePages: UInt64
  /// Boost excluded.
  public var watermarks: Watermarks?
  public var boost: UInt64?
  /// free − low: how far kswapd is from waking (negative: reclaiming now).
  public var headroomPages: Int64?
  public var freeBlocks: [UInt64]
  public var orders: [OrderDiagnosis]
}

/// Proactive compaction's view of a node.
public struct NodeDiagnosis: Sendable, Hashable, Codable {
  public var node: Int
  public var fragmentationScore: UInt64
  public var proactiveThreshold: UInt64?
  public var kcompactdWouldRun: Bool
}

/// Allocation failures in the log grouped by order.
public struct FailureSummary: Sendable, Hashable, Codable {
  public var order: Int
  public var count: Int
  public var processes: [String]
  public var atomic: Bool
  public var firstLine: Int
}

/// One piece of advice, with the numbers behind it and the profile lines that encode it.
public struct Advice: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable {
    case compact
    case dropCaches = "drop_caches"
    case raiseMinFree = "raise_min_free_kbytes"
    case
      lowerMinFree = "lower_min_free_kbytes"
    case scaleFactor = "watermark_scale_factor"
    case ksm
    case
      zoneReclaim = "zone_reclaim_mode"
    case shortOfMemory = "short_of_memory"
    case none
  }

  public var kind: Kind
  public var title: String
  public var evidence: String
  public var commands: [String]
  /// YAML lines for a vmtune profile.
  public var profile: [String]
}

/// Everything `vmtune diagnose` reports.
public struct Diagnosis: Sendable, Hashable, Codable {
  public var formatVersion = 1
  public var host: HostFacts
  public var minFreeKbytes: UInt64?
  public var watermarkScaleFactor: UInt64?
  public var extfragThreshold: Int
  public var ordersOfInterest: [Int]
  public var zones: [ZoneDiagnosis]
  public var nodes: [NodeDiagnosis]
  public var failures: [FailureSummary]
  public var oomKills: Int
  /// Selected /proc/vmstat counters (reclaim, compaction, drops, OOM).
  public var counters: [String: UInt64]
  public var advice: [Advice]
}

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

/// A zone (or, on hosts with several nodes, a node) where much of the free memory sits in blocks
/// too small for an order of interest: the unusable free space index (docs/KERNEL.md, Fragmentation
/// indexes). It sees what the fragmentation index cannot: that index is −1000 as long as a single
/// block of the order is free, while the unusable share says how little of the free memory a run of
/// such allocations (a VM start backed by 2 MiB huge pages) can use.
public struct UnusableShare: Sendable, Hashable, Codable {
  /// More than this share (per mille) unusable is a finding: more than half of free memory.
  public static let findingAbove = 500
  /// More than this share (per mille) unusable is a strong finding.
  public static let strongAbove = 800

  public var node: Int
  /// The zone; nil for the node's zones summed (the ISA DMA zone left out where the node has
  /// others, as `per: node` conditions count them).
  public var zone: String?
  /// "buddyinfo", or "log line N" for an OOM report's buddy line.
  public var source: String
  public var order: Int
  /// Bytes in a block of `order` on the host.
  public var blockBytes: Int64
  /// Per mille of free memory in blocks smaller than `order`.
  public var unusable: Int
  /// Free blocks of at least `order`, in order-sized units.
  public var suitableBlocks: UInt64
  public var freePages: UInt64
  /// More than ``strongAbove``.
  public var strong: Bool

  /// `node 0 DMA32`, `node 1`, `node 0 Normal (log line 12)`.
  public var place: String {
    let base = zone.map { "node \(node) \($0)" } ?? "node \(node)"
    return source == "buddyinfo" ? base : "\(base) (\(source))"
  }

  /// `90.5% of free memory is unusable for order-9 (2 MiB) allocations in node 0 DMA32 (71 free
  /// order-9 blocks)`.
  public var text: String {
    "\(Permille.text(Int64(unusable))) of free memory is unusable for order-\(order) "
      + "(\(Bytes.text(blockBytes))) allocations in \(place) "
      + "(\(suitableBlocks) free order-\(order) block\(suitableBlocks == 1 ? "" : "s"))"
  }
}

/// A profile action (`--profile`) and whether it would run on this host now.
public struct ProfileActionForecast: Sendable, Hashable, Codable {
  public var kind: Action.Kind
  /// What the action does and when (``ActionForecast/action``).
  public var action: String
  /// `would run now: …`, `would not run now …`, or why it cannot be told.
  public var now: String
  public var wouldRun: Bool?
}

/// The profile given with `--profile`: the orders its action conditions protect and its actions'
/// forecast on this host.
public struct ProfileDiagnosis: Sendable, Hashable, Codable {
  public var name: String
  public var orders: [Int]
  public var actions: [ProfileActionForecast]
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
    case profileAction = "profile_action"
    case allocationFailures = "allocation_failures"
    case oomKills = "oom_kills"
    case reclaimStalls = "reclaim_stalls"
    case none
  }

  public var kind: Kind
  public var title: String
  public var evidence: String
  public var commands: [String]
  /// YAML lines for a vmtune profile.
  public var profile: [String]
  /// The shipped profile that already encodes this advice, if one does.
  public var fits: String? = nil
}

/// A host's memory at one moment, whose zones the diagnosis shows together: this host now
/// (/proc/buddyinfo), or a Mem-Info report in the log (the state at a failure or OOM, possibly on
/// another host).
public struct MemoryState: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable { case live, logged }

  public var kind: Kind
  /// The ``ZoneDiagnosis/source`` of its zones: `buddyinfo`, or `log line N` (the report's first
  /// buddy line).
  public var source: String
  /// Which host state it is: `This host (vm) now: /proc/buddyinfo`, `Host hv-07 at Apr 20
  /// 15:08:07 (log line 4), at the order-4 allocation failure of hv-worker (line 1), Linux …`.
  public var title: String
  /// The host named by the log's prefixes, or this host's name.
  public var host: String?
  /// When the log recorded it.
  public var time: String?
  /// The failure or OOM the report followed.
  public var cause: ReportCause?
  /// Page size and orders of that host (a log's: its buddy lines' smallest block).
  public var pages: PageGeometry
}

/// Everything `vmtune diagnose` reports.
public struct Diagnosis: Sendable, Hashable, Codable {
  public var formatVersion = 1
  public var host: HostFacts
  /// The host's page size and buddy orders: every pages-to-bytes figure uses them.
  public var pages: PageGeometry = .x86
  public var minFreeKbytes: UInt64?
  public var watermarkScaleFactor: UInt64?
  public var extfragThreshold: Int
  public var ordersOfInterest: [Int]
  public var zones: [ZoneDiagnosis]
  public var nodes: [NodeDiagnosis]
  public var failures: [FailureSummary]
  /// Whether a kernel log was read (`--log`).
  public var logRead = false
  public var oomKills: Int
  /// The OOM kills in the log (the first ``Diagnoser/maxListed``), with the order that invoked each.
  public var ooms: [OOMKill] = []
  /// Whether a live host (or a tree under --root) was read; false: the log alone.
  public var live = true
  /// The host states whose zones are shown: this host now, then the log's reports (the last
  /// ``Diagnoser/maxLoggedStates``), each titled.
  public var states: [MemoryState] = []
  /// Reports in the log not shown as states (older ones).
  public var loggedStatesOmitted = 0
  /// The hosts the log's lines name.
  public var logHosts: [String] = []
  /// Which host the log describes against the live one, or that there is no live host.
  public var hostNote: String?
  /// The processes the OOM killer chose, in log order, once each.
  public var oomVictims: [String] {
    var seen: [String] = []
    for kill in ooms where !seen.contains(kill.comm) { seen.append(kill.comm) }
    return seen
  }
  /// Selected /proc/vmstat counters (reclaim, compaction, drops, OOM).
  public var counters: [String: UInt64]
  /// Zones and nodes where more than half of free memory is unusable for an order of interest,
  /// strongest first.
  public var unusable: [UnusableShare]
  /// The profile given with `--profile`, if any.
  public var profile: ProfileDiagnosis?
  /// What the diagnosis assumed for facts the host did not give (an unknown kernel release).
  public var assumptions: [String] = []
  public var advice: [Advice]
}

/// A one-shot kernel action the agent runs on a schedule or a condition (`actions:`).
public struct Action: Sendable, Hashable, Codable {
  public typealias MemoryCondition = VMTuneProfile.MemoryCondition

  public enum Kind: String, Sendable, Hashable, Codable {
    case compact
    case dropCaches = "drop_caches"
  }

  /// What `drop_caches` drops: the value written to /proc/sys/vm/drop_caches.
  public enum DropWhat: String, Sendable, Hashable, Codable, CaseIterable {
    case pagecache, slab, all

    public var kernelValue: Int64 {
      switch self {
      case .pagecache: return 1
      case .slab: return 2
      case .all: return 3
      }
    }
  }

  public var kind: Kind
  /// Seconds between scheduled runs.
  public var everySeconds: Int64?
  /// `when:` — the action runs when any of these holds (a mapping is one condition, a list many).
  public var conditions: [MemoryCondition]
  /// The first condition, for code that handles one.
  public var condition: MemoryCondition? { conditions.first }
  /// Never more often than this, whatever starts it.
  public var minIntervalSeconds: Int64?
  /// Random delay up to this many seconds, to spread a fleet.
  public var jitterSeconds: Int64?
  /// For compact: nil means all nodes (the global /proc/sys/vm/compact_memory).
  public var nodes: [Int]?
  /// For compact, `nodes: matching`: only the node whose condition holds (its
  /// /sys/devices/system/node/nodeN/compact), so one fragmented node does not make every
  /// node pay for a compaction.
  public var nodesMatching = false
  /// For compact, `until: { unusable_below: 50% }` (per mille): compact through kcompactd's
  /// proactive compaction, which stops once no more than this share of each zone's free memory is
  /// in blocks smaller than a huge page, instead of compacting every zone through and through.
  public var untilUnusableBelow: Int64?
  /// For drop_caches.
  public var what: DropWhat?
  public var syncFirst: Bool
  public var location: ProfileLocation

  public init(
    kind: Kind, everySeconds: Int64? = nil, condition: MemoryCondition? = nil, conditions: [MemoryCondition] = [],
    minIntervalSeconds: Int64? = nil, jitterSeconds: Int64? = nil, nodes: [Int]? = nil,
    what: DropWhat? = nil, syncFirst: Bool = false, location: ProfileLocation
  ) {
    self.kind = kind
    self.everySeconds = everySeconds
    self.conditions = conditions + (condition.map { [$0] } ?? [])
    self.minIntervalSeconds = minIntervalSeconds
    self.jitterSeconds = jitterSeconds
    self.nodes = nodes
    self.what = what
    self.syncFirst = syncFirst
    self.location = location
  }
}

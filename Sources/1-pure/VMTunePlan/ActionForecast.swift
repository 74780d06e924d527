import VMTuneHost
import VMTuneProfile

/// A profile action as a plan shows it: what it does and when, and whether its conditions hold
/// on the host the plan was made on.
public struct ActionForecast: Sendable, Hashable, Codable, CustomStringConvertible {
  /// `compact all nodes, when order 9 per node: unusable > 90%, at most every 10s`.
  public var action: String
  /// `would run now: node 0: 90.5% of free memory unusable …`, `would not run now: …`, or why it
  /// cannot be told from one reading.
  public var now: String
  /// Whether a condition holds on this host now (nil when that cannot be told: no buddyinfo, or
  /// only conditions about counters between agent cycles).
  public var wouldRun: Bool?

  public var description: String { "\(action)\n    \(now)" }

  /// Describes `a` and evaluates its conditions on `snapshot`.
  public static func forecast(_ a: Action, on snapshot: HostSnapshot) -> ActionForecast {
    let text = describe(a)
    guard !a.conditions.isEmpty else {
      return ActionForecast(action: text, now: "runs on its schedule only", wouldRun: nil)
    }
    guard let buddy = snapshot.buddyInfo else {
      return ActionForecast(action: text, now: "cannot tell now: /proc/buddyinfo is not available", wouldRun: nil)
    }
    let pages = snapshot.pages
    if let missing = a.conditions.first, a.conditions.allSatisfy({ !pages.has(order: $0.order) }) {
      return ActionForecast(
        action: text,
        now: "never on this host: it has no order \(missing.order) (buddy orders 0 … \(pages.orderCount - 1) with "
          + "\(pages.pageSize) pages)", wouldRun: false)
    }
    let readable = a.conditions.filter { !$0.needsVMStat }
    if let e = ConditionEvaluator.evaluate(readable, buddy: buddy, zones: snapshot.zoneInfo, pages: pages) {
      return ActionForecast(action: text, now: "would run now: \(e)", wouldRun: true)
    }
    if readable.count < a.conditions.count {
      return ActionForecast(
        action: text,
        now: "no memory condition holds now; stalls and kswapd scanning are measured by the agent "
          + "between its cycles", wouldRun: nil)
    }
    let best = a.conditions.lazy.compactMap {
      ConditionEvaluator.closest($0, buddy: buddy, zones: snapshot.zoneInfo, pages: pages)
    }.first
    return ActionForecast(
      action: text, now: "would not run now" + (best.map { " (\($0))" } ?? ""), wouldRun: false)
  }

  /// What the action does and when.
  public static func describe(_ a: Action) -> String {
    var parts: [String] = []
    switch a.kind {
    case .compact:
      let nodes = a.nodes.map { "compact nodes \($0.map(String.init).joined(separator: ","))" } ?? "compact all nodes"
      if let until = a.untilUnusableBelow {
        parts.append(
          "compact through kcompactd until at most \(Permille.text(until)) of each zone's free memory is "
            + "unusable for huge pages")
      } else {
        parts.append(a.nodesMatching ? "compact the node whose condition holds (all nodes on schedule)" : nodes)
      }
    case .dropCaches:
      parts.append("drop_caches \(a.what?.rawValue ?? "pagecache")\(a.syncFirst ? " after sync" : "")")
    }
    if let s = a.everySeconds { parts.append("every \(Interval(seconds: s))") }
    if !a.conditions.isEmpty {
      parts.append("when " + a.conditions.map(\.summary).joined(separator: " or when "))
    }
    if let s = a.minIntervalSeconds { parts.append("at most every \(Interval(seconds: s))") }
    if let s = a.jitterSeconds { parts.append("jitter \(Interval(seconds: s))") }
    return parts.joined(separator: ", ")
  }
}

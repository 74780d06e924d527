extension DocumentParser {
  typealias MemoryCondition = VMTuneProfile.MemoryCondition

  static let actionKinds = ["compact", "drop_caches"]
  static let commonActionKeys = ["every", "when", "min_interval", "jitter"]
  static let conditionKeys = [
    "order", "per", "free_blocks_below", "free_below", "unusable_above", "fragmentation_score_above",
    "fragmentation_index_above", "fragmentation_index_below", "headroom_below_percent", "stalls_above",
    "kswapd_scanned_above",
  ]

  mutating func parseActions(_ node: YAMLNode) -> [Action] {
    guard let f = fields(node, "actions", allowed: Self.actionKinds) else { return [] }
    return Self.actionKinds.compactMap { kind in f[kind].flatMap { parseAction(kind, $0) } }
  }

  /// One action: when it runs (`every`, `when`, `min_interval`, `jitter`) and its own options.
  mutating func parseAction(_ kind: String, _ v: YAMLNode) -> Action? {
    let path = "actions.\(kind)"
    let extra = kind == "compact" ? ["nodes", "until"] : ["what", "sync_first"]
    guard let a = fields(v, path, allowed: Self.commonActionKeys + extra) else { return nil }
    var action = Action(
      kind: kind == "compact" ? .compact : .dropCaches, location: ProfileLocation(file: file, mark: v.mark))
    do throws(ScalarDecoding.Failure) {
      if let e = a["every"] { action.everySeconds = try ScalarDecoding.seconds(e) }
      if let e = a["min_interval"] { action.minIntervalSeconds = try ScalarDecoding.seconds(e) }
      if let e = a["jitter"] { action.jitterSeconds = try ScalarDecoding.seconds(e) }
    } catch {
      fail(v, path, error)
    }
    if let w = a["when"] { action.conditions = parseConditions(w, "\(path).when") }
    if action.everySeconds == nil, action.conditions.isEmpty {
      fail(
        v.mark, path, "runs neither on a schedule nor on a condition",
        hint: "add 'when: { order: 9, per: node, unusable_above: 0.9 }' or 'every: 15m'")
    }
    if let n = a["nodes"] { parseNodesOption(n, path, into: &action) }
    if let u = a["until"] {
      parseUntil(u, path, into: &action)
      if let n = a["nodes"], n.scalar != "all" {
        fail(
          n.mark, "\(path).nodes", "'until' compacts through kcompactd, on every node above the target",
          hint: "leave out 'nodes', or leave out 'until' to compact chosen nodes through and through")
      }
    }
    if kind == "drop_caches" { parseDropCachesOptions(a, path, into: &action) }
    return action
  }

  /// `nodes: all | matching | [0, 1]` of a compact action.
  mutating func parseNodesOption(_ n: YAMLNode, _ path: String, into action: inout Action) {
    action.nodes = parseNodes(n, "\(path).nodes")
    action.nodesMatching = n.scalar == "matching"
    if action.nodesMatching, !action.conditions.contains(where: { $0.scope == .node }) {
      fail(
        n.mark, "\(path).nodes", "'matching' compacts the node whose condition holds, but no condition is per node",
        hint: "add 'per: node' to the condition")
    }
  }

  /// `until: { unusable_below: 50% }` of a compact action: the share of free memory in blocks
  /// smaller than a huge page at which kcompactd's proactive compaction stops (5 % … 95 %, whole
  /// percent: the kernel's `compaction_proactiveness` is 100 minus it).
  mutating func parseUntil(_ u: YAMLNode, _ path: String, into action: inout Action) {
    guard let f = fields(u, "\(path).until", allowed: ["unusable_below"]) else { return }
    guard let v = f["unusable_below"] else {
      fail(u.mark, "\(path).until", "says nothing to compact until", hint: "use 'until: { unusable_below: 50% }'")
      return
    }
    do throws(ScalarDecoding.Failure) {
      let share = try ScalarDecoding.share(v)
      guard share % 10 == 0, (50...950).contains(share) else {
        throw ScalarDecoding.Failure(
          message: "\(Permille.text(share)) is not a whole percent between 5% and 95%",
          hint: "kcompactd's target is 100 minus compaction_proactiveness, a whole percent of at least 5")
      }
      action.untilUnusableBelow = share
    } catch {
      fail(v, "\(path).until.unusable_below", error)
    }
  }

  /// `what:` (default pagecache) and `sync_first:` of a drop_caches action.
  mutating func parseDropCachesOptions(_ a: [String: YAMLNode], _ path: String, into action: inout Action) {
    action.what = .pagecache
    if let w = a["what"] {
      if let s = w.scalar, let what = Action.DropWhat(rawValue: s) {
        action.what = what
      } else {
        fail(
          w.mark, "\(path).what", "'\(w.scalar ?? w.kindName)' is not something drop_caches drops",
          hint: "use pagecache (1), slab (2) or all (3)")
      }
    }
    if let s = a["sync_first"] {
      do throws(ScalarDecoding.Failure) { action.syncFirst = try ScalarDecoding.bool(s) } catch {
        fail(s, "\(path).sync_first", error)
      }
    }
  }

  mutating func parseNodes(_ node: YAMLNode, _ path: String) -> [Int]? {
    if node.scalar == "all" || node.scalar == "matching" { return nil }
    guard case .sequence(let items) = node.content, !items.isEmpty else {
      fail(node.mark, path, "expected 'all', 'matching' or a list of node numbers like [0, 1]")
      return nil
    }
    var nodes: [Int] = []
    for item in items {
      do throws(ScalarDecoding.Failure) {
        let n = try ScalarDecoding.integer(item)
        guard (0...1023).contains(n) else { throw ScalarDecoding.Failure(message: "node \(n) is outside 0 … 1023") }
        nodes.append(Int(n))
      } catch {
        fail(item, path, error)
      }
    }
    return nodes
  }

  /// `when:` as one condition (a mapping) or several (a list: any of them starts the action).
  mutating func parseConditions(_ node: YAMLNode, _ path: String) -> [MemoryCondition] {
    guard case .sequence(let items) = node.content else { return parseCondition(node, path).map { [$0] } ?? [] }
    if items.isEmpty { fail(node.mark, path, "an empty list of conditions never holds", hint: "remove 'when:'") }
    return items.enumerated().compactMap { parseCondition($1, "\(path)[\($0)]") }
  }

  mutating func parseCondition(_ node: YAMLNode, _ path: String) -> MemoryCondition? {
    guard let f = fields(node, path, allowed: Self.conditionKeys) else { return nil }
    guard let o = f["order"] else {
      fail(
        node.mark, path, "a condition needs the allocation order it protects",
        hint: "add 'order: 9' (2 MiB blocks for huge pages and VM starts) or 'order: 4' (64 KiB atomic "
          + "network buffers)")
      return nil
    }
    do throws(ScalarDecoding.Failure) {
      let order = try ScalarDecoding.integer(o)
      // 0 … 10 with 4 KiB pages; 64 KiB-page arm64 kernels have orders up to 13 (512 MiB).
      guard (0...MemoryCondition.maxOrder).contains(order) else {
        throw ScalarDecoding.Failure(
          message: "order \(order) is outside 0 … \(MemoryCondition.maxOrder)",
          hint: "orders are powers of two pages: 9 is 2 MiB with 4 KiB pages, 13 is 512 MiB with 64 KiB pages")
      }
      var c = MemoryCondition(order: Int(order))
      try Self.readTests(f, into: &c)
      guard c.needsBuddyInfo || c.needsVMStat else {
        throw ScalarDecoding.Failure(
          message: "the condition tests nothing",
          hint: "add free_blocks_below, free_below, unusable_above, fragmentation_score_above, "
            + "headroom_below_percent, stalls_above or kswapd_scanned_above")
      }
      return c
    } catch {
      fail(node, path, error)
      return nil
    }
  }

  /// Reads each test of a condition, checking its range.
  static func readTests(_ f: [String: YAMLNode], into c: inout MemoryCondition) throws(ScalarDecoding.Failure) {
    func bounded(_ key: String, _ range: ClosedRange<Int64>) throws(ScalarDecoding.Failure) -> Int64? {
      guard let v = f[key] else { return nil }
      let n = try ScalarDecoding.integer(v)
      guard range.contains(n) else {
        throw ScalarDecoding.Failure(message: "\(key) \(n) is outside \(range.lowerBound) … \(range.upperBound)")
      }
      return n
    }
    if let p = f["per"] {
      guard let scope = p.scalar.flatMap(MemoryCondition.Scope.init(rawValue:)) else {
        throw ScalarDecoding.Failure(message: "per: '\(p.scalar ?? p.kindName)' is not node or zone")
      }
      c.scope = scope
    }
    c.freeBlocksBelow = try bounded("free_blocks_below", 1...Int64.max)
    if let v = f["free_below"], let text = v.scalar {
      let kb = try ScalarDecoding.kilobytes(Substring(text))
      guard kb > 0, kb <= Int64.max / 1024 else {
        throw ScalarDecoding.Failure(message: "free_below \(text) is out of range")
      }
      c.freeBytesBelow = kb * 1024
    }
    if let v = f["unusable_above"] { c.unusableAbove = try ScalarDecoding.share(v) }
    c.fragmentationScoreAbove = try bounded("fragmentation_score_above", 0...99)
    c.fragmentationIndexAbove = try bounded("fragmentation_index_above", 0...1000)
    c.fragmentationIndexBelow = try bounded("fragmentation_index_below", 0...1000)
    c.headroomBelowPercent = try bounded("headroom_below_percent", 1...100)
    c.stallsAbove = try bounded("stalls_above", 0...Int64.max)
    c.kswapdScannedAbove = try bounded("kswapd_scanned_above", 0...Int64.max)
  }
}

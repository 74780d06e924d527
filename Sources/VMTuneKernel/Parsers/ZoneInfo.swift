/// One zone of `/proc/zoneinfo`. Watermarks as printed (they include `boost`).
public struct ZoneStats: Sendable, Hashable, Codable {
  public var node: Int
  public var name: String
  public var free: UInt64 = 0
  public var boost: UInt64?
  public var min: UInt64 = 0
  public var low: UInt64 = 0
  public var high: UInt64 = 0
  public var promo: UInt64?
  public var spanned: UInt64 = 0
  public var present: UInt64 = 0
  /// Absent before ≈3.8 (then `present` is what the kernel used).
  public var managed: UInt64?
  public var cma: UInt64?
  /// `lowmem_reserve[]`, one entry per zone of the node.
  public var protection: [UInt64] = []
  /// Zone counters (`nr_free_pages`, `nr_zone_inactive_file`, `numa_hit`, …).
  public var counters: [String: UInt64] = [:]

  public init(node: Int, name: String) {
    self.node = node
    self.name = name
  }

  /// Pages the watermark code counts (managed, or present on kernels without it).
  public var managedPages: UInt64 { managed ?? present }
  public var populated: Bool { present > 0 }
}

/// `/proc/zoneinfo` in the 2.6.32, 4.x and 6.x layouts (kernel-vm.md §5.2).
public struct ZoneInfo: Sendable, Hashable, Codable {
  public var zones: [ZoneStats]
  /// The `per-node stats` block of each node (4.8+).
  public var nodeCounters: [Int: [String: UInt64]]

  public init(zones: [ZoneStats], nodeCounters: [Int: [String: UInt64]] = [:]) {
    self.zones = zones
    self.nodeCounters = nodeCounters
  }

  /// Whether the kernel printed a `promo` watermark (after 6.1).
  public var hasPromo: Bool { zones.contains { $0.promo != nil } }

  static let fields: Set<String> = ["boost", "min", "low", "high", "promo", "spanned", "present", "managed", "cma", "scanned"]

  /// Parses zoneinfo text. Unknown lines are skipped; a known field with a malformed number is an
  /// error naming `source` and the line.
  public static func parse(_ text: String, source: String = "/proc/zoneinfo") throws(KernelError) -> ZoneInfo {
    var zones: [ZoneStats] = []
    var nodeCounters: [Int: [String: UInt64]] = [:]
    var current: ZoneStats?
    enum Section { case zone, nodeStats, pagesets }
    var section = Section.zone
    var lineNumber = 0
    func number(_ token: Substring, _ what: String) throws(KernelError) -> UInt64 {
      guard let n = UInt64(token) else {
        throw .malformed(path: source, line: lineNumber, message: "\(what): '\(token)' is not a number")
      }
      return n
    }
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = raw.drop(while: { $0 == " " || $0 == "\t" })
      if line.isEmpty { continue }
      if raw.hasPrefix("Node ") {
        // "Node 0, zone      DMA"
        let parts = raw.split(whereSeparator: { $0 == " " || $0 == "," })
        guard parts.count >= 4, parts[2] == "zone", let node = Int(parts[1]) else {
          throw .malformed(path: source, line: lineNumber, message: "expected 'Node N, zone NAME', got '\(raw.prefix(60))'")
        }
        if let z = current { zones.append(z) }
        current = ZoneStats(node: node, name: String(parts[3]))
        section = .zone
        continue
      }
      guard current != nil else { continue }
      let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      if line.hasPrefix("per-node stats") { section = .nodeStats; continue }
      if line.hasPrefix("pagesets") { section = .pagesets; continue }
      if line.hasPrefix("pages free") {
        guard tokens.count >= 3 else { throw .malformed(path: source, line: lineNumber, message: "'pages free' without a value") }
        current?.free = try number(tokens[2], "pages free")
        section = .zone
        continue
      }
      if line.hasPrefix("protection:") {
        guard let open = line.firstIndex(of: "("), let close = line.firstIndex(of: ")"), open < close else {
          throw .malformed(path: source, line: lineNumber, message: "protection: expected '(a, b, …)'")
        }
        var list: [UInt64] = []
        for item in line[line.index(after: open)..<close].split(separator: ",") {
          let t = Substring(item.trimmingCharacters())
          // lowmem_reserve is printed with %ld; negative never happens but do not crash on it.
          guard let v = UInt64(t) ?? (Int64(t).map { _ in 0 }) else {
            throw .malformed(path: source, line: lineNumber, message: "protection: '\(t)' is not a number")
          }
          list.append(v)
        }
        current?.protection = list
        continue
      }
      // Lines with a colon are pageset/cpu details, node_unreclaimable, start_pfn… (not counters).
      if line.contains(":") {
        if section == .pagesets, line.hasPrefix("node_unreclaimable") || line.hasPrefix("all_unreclaimable") || line.hasPrefix("start_pfn") {
          section = .zone
        }
        continue
      }
      guard tokens.count >= 2 else { continue }
      let key = String(tokens[0])
      switch section {
      case .pagesets:
        continue
      case .nodeStats:
        guard let node = current?.node else { continue }
        nodeCounters[node, default: [:]][key] = try number(tokens[1], key)
      case .zone:
        if fields.contains(key) {
          let v = try number(tokens[1], key)
          switch key {
          case "boost": current?.boost = v
          case "min": current?.min = v
          case "low": current?.low = v
          case "high": current?.high = v
          case "promo": current?.promo = v
          case "spanned": current?.spanned = v
          case "present": current?.present = v
          case "managed": current?.managed = v
          case "cma": current?.cma = v
          default: break
          }
        } else if tokens.count == 2, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
          current?.counters[key] = try number(tokens[1], key)
        }
      }
    }
    if let z = current { zones.append(z) }
    return ZoneInfo(zones: zones, nodeCounters: nodeCounters)
  }
}

extension Substring {
  func trimmingCharacters() -> String {
    var s = self
    while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
    while let c = s.last, c == " " || c == "\t" { s.removeLast() }
    return String(s)
  }
}

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
  /// Page cache pages on the zone's LRU lists (inactive + active file), which kswapd can drop
  /// without swapping; nil when the kernel prints no per-zone file counters.
  public var filePages: UInt64?
  /// Zone counters (`nr_free_pages`, `nr_zone_inactive_file`, `numa_hit`, …). Not part of the
  /// Codable form: snapshots stay small (fleet checks decode thousands of them).
  public var counters: [String: UInt64] = [:]

  enum CodingKeys: String, CodingKey {
    case node, name, free, boost, min, low, high, promo, spanned, present, managed, cma, protection, filePages
  }

  public init(node: Int, name: String) {
    self.node = node
    self.name = name
  }

  /// Pages the watermark code counts (managed, or present on kernels without it).
  public var managedPages: UInt64 { managed ?? present }
  public var populated: Bool { present > 0 }

  /// The file LRU counters: `nr_zone_*_file` since 4.8 (when the LRUs moved to the node), the
  /// zone's own `nr_*_file` before.
  static func filePages(_ counters: [String: UInt64]) -> UInt64? {
    for prefix in ["nr_zone_", "nr_"] {
      let inactive = counters[prefix + "inactive_file"]
      let active = counters[prefix + "active_file"]
      guard inactive != nil || active != nil else { continue }
      let (sum, overflow) = (inactive ?? 0).addingReportingOverflow(active ?? 0)
      return overflow ? .max : sum
    }
    return nil
  }
}

/// `/proc/zoneinfo` in the 2.6.32, 4.x and 6.x layouts (docs/KERNEL.md, /proc formats).
public struct ZoneInfo: Sendable, Hashable, Codable {
  public var zones: [ZoneStats]
  /// The `per-node stats` block of each node (4.8+). Not part of the Codable form.
  public var nodeCounters: [Int: [String: UInt64]]
  /// Counter lines that could not be read, skipped (not part of the Codable form). Zone headers
  /// and the fields watermarks use are errors instead: a guess there would mislead.
  public var skipped: [ParseError] = []

  enum CodingKeys: String, CodingKey { case zones }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    zones = try c.decode([ZoneStats].self, forKey: .zones)
    nodeCounters = [:]
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(zones, forKey: .zones)
  }

  public init(zones: [ZoneStats], nodeCounters: [Int: [String: UInt64]] = [:]) {
    self.zones = zones
    self.nodeCounters = nodeCounters
  }

  /// Whether the kernel printed a `promo` watermark (after 6.1).
  public var hasPromo: Bool { zones.contains { $0.promo != nil } }

  static let fields: Set<String> = [
    "boost", "min", "low", "high", "promo", "spanned", "present", "managed", "cma", "scanned",
  ]

  /// Parses zoneinfo text. Unknown lines are skipped; a known field with a malformed number is an
  /// error naming `source` and the line.
  public static func parse(_ text: String, source: String = "/proc/zoneinfo") throws(ParseError) -> ZoneInfo {
    var parser = ZoneInfoParser(source: source)
    try Bytes.forEachLine(text) { (lineNumber, raw) throws(ParseError) in
      try parser.read(raw, lineNumber: lineNumber)
    }
    return parser.finish()
  }
}

/// The state of one `/proc/zoneinfo` parse: the zones read so far, the zone being read and the
/// block of it that the lines belong to. Works on each line's bytes, as the other /proc parsers do.
private struct ZoneInfoParser {
  /// The block of a zone the current line belongs to.
  enum Section { case zone, nodeStats, pagesets }

  let source: String
  var zones: [ZoneStats] = []
  var nodeCounters: [Int: [String: UInt64]] = [:]
  var current: ZoneStats?
  var skipped: [ParseError] = []
  var section = Section.zone
  /// The line being read (1-based), for errors.
  var lineNumber = 0

  /// Reads one line (without its newline).
  mutating func read(_ raw: ArraySlice<UInt8>, lineNumber: Int) throws(ParseError) {
    self.lineNumber = lineNumber
    let tokens = Bytes.fields(raw)
    guard let first = tokens.first else { return }
    if Bytes.hasPrefix(raw, "Node ") { return try startZone(raw, tokens) }
    guard current != nil else { return }
    let key = Bytes.string(first)
    switch key {
    case "per-node": section = .nodeStats
    case "pagesets": section = .pagesets
    case "pages" where tokens.count >= 2 && tokens[1].elementsEqual("free".utf8): try readFreePages(tokens)
    case "protection:":
      let list = try protection(raw)
      current?.protection = list
    default:
      // Lines with a colon are pageset/cpu details, node_unreclaimable, start_pfn… (not counters).
      if raw.contains(0x3A) { return leavePagesets(at: key) }
      guard tokens.count >= 2 else { return }
      try readValue(key, tokens)
    }
  }

  /// The zones with the last one, once every line is read.
  mutating func finish() -> ZoneInfo {
    if let z = current { zones.append(z) }
    current = nil
    for i in zones.indices { zones[i].filePages = ZoneStats.filePages(zones[i].counters) }
    var info = ZoneInfo(zones: zones, nodeCounters: nodeCounters)
    info.skipped = skipped
    return info
  }

  /// "Node 0, zone      DMA": ends the zone being read and starts the named one.
  mutating func startZone(_ raw: ArraySlice<UInt8>, _ tokens: [ArraySlice<UInt8>]) throws(ParseError) {
    guard tokens.count >= 4, tokens[2].elementsEqual("zone".utf8), tokens[1].last == 0x2C,
      let node = Int(Bytes.string(tokens[1].dropLast()))
    else {
      throw malformed("expected 'Node N, zone NAME', got '\(Bytes.string(raw.prefix(60)))'")
    }
    if let z = current { zones.append(z) }
    current = ZoneStats(node: node, name: Bytes.string(tokens[3]))
    section = .zone
  }

  /// "pages free N": the zone's free pages; the watermarks and zone counters follow.
  mutating func readFreePages(_ tokens: [ArraySlice<UInt8>]) throws(ParseError) {
    guard tokens.count >= 3 else { throw malformed("'pages free' without a value") }
    let free = try number(tokens[2], "pages free")
    current?.free = free
    section = .zone
  }

  /// The list of "protection: (a, b, …)".
  func protection(_ raw: ArraySlice<UInt8>) throws(ParseError) -> [UInt64] {
    guard let open = raw.firstIndex(of: 0x28), let close = raw.firstIndex(of: 0x29), open < close else {
      throw malformed("protection: expected '(a, b, …)'")
    }
    var list: [UInt64] = []
    for item in raw[(open + 1)..<close].split(separator: 0x2C) {
      let t = Bytes.fields(item).first ?? item
      // lowmem_reserve is printed with %ld; a negative value never happens but must not crash.
      guard let v = Bytes.uint(t) ?? (t.first == 0x2D && Bytes.uint(t.dropFirst()) != nil ? 0 : nil) else {
        throw malformed("protection: '\(Bytes.string(t))' is not a number")
      }
      list.append(v)
    }
    return list
  }

  /// A line with a colon: the pagesets block ends at the zone's trailing `key: value` lines.
  mutating func leavePagesets(at key: String) {
    if section == .pagesets,
      key.hasPrefix("node_unreclaimable") || key.hasPrefix("all_unreclaimable") || key.hasPrefix("start_pfn")
    {
      section = .zone
    }
  }

  /// "key N": a node counter, a zone field or a zone counter, by the block it is in.
  mutating func readValue(_ key: String, _ tokens: [ArraySlice<UInt8>]) throws(ParseError) {
    switch section {
    case .pagesets:
      return
    case .nodeStats:
      guard let node = current?.node else { return }
      guard let v = counter(tokens[1], key) else { return }
      nodeCounters[node, default: [:]][key] = v
    case .zone:
      if ZoneInfo.fields.contains(key) {
        let v = try number(tokens[1], key)
        setField(key, v)
      } else if tokens.count == 2, Self.isCounterName(tokens[0]), let v = counter(tokens[1], key) {
        current?.counters[key] = v
      }
    }
  }

  /// Stores one of `ZoneInfo.fields` in the zone being read (`scanned` is dropped).
  mutating func setField(_ key: String, _ v: UInt64) {
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
  }

  /// Whether `name` is a counter name: ASCII letters, digits and `_` only.
  static func isCounterName(_ name: ArraySlice<UInt8>) -> Bool {
    name.allSatisfy {
      ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
    }
  }

  /// A counter's value, or nil after noting the line as skipped: counters are extra fields.
  mutating func counter(_ token: ArraySlice<UInt8>, _ key: String) -> UInt64? {
    if let n = Bytes.uint(token) { return n }
    skipped.append(malformed("\(key): '\(Bytes.string(token))' is not a number"))
    return nil
  }

  /// `token` as a number; `what` names the field in the error.
  func number(_ token: ArraySlice<UInt8>, _ what: String) throws(ParseError) -> UInt64 {
    guard let n = Bytes.uint(token) else { throw malformed("\(what): '\(Bytes.string(token))' is not a number") }
    return n
  }

  /// An error at the line being read.
  func malformed(_ message: String) -> ParseError {
    .malformed(path: source, line: lineNumber, message: message)
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces, tabs and line ends (`\n`, `\r`, `\r\n`): the one trim
  /// for /proc and /sys values, sysctl.d lines and profile scalars. ASCII only, no Foundation.
  public func trimmingWhitespace() -> SubSequence {
    // Byte by byte: every trimmed byte is ASCII, so both ends fall on character boundaries.
    let bytes = utf8
    var first: Index?
    var end = endIndex
    var i = bytes.startIndex
    while i != bytes.endIndex {
      let next = bytes.index(after: i)
      if !Bytes.isWhitespace(bytes[i]) {
        if first == nil { first = i }
        end = next
      }
      i = next
    }
    guard let first else { return self[endIndex...] }
    return self[first..<end]
  }
}

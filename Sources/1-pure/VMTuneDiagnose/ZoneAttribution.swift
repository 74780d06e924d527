import VMTuneHost

/// Which zones an allocation could use, from what its failure report printed: the zone modifier
/// bits of its gfp mask (the same four bits since 2.6.15: `__GFP_DMA` 0x01, `__GFP_HIGHMEM` 0x02,
/// `__GFP_DMA32` 0x04, `__GFP_MOVABLE` 0x08; `gfp_zone()`) and its nodemask. An allocation falls
/// back from its highest zone to the lower ones of the allowed nodes; the 16 MiB ISA DMA zone is
/// kept for `GFP_DMA` by lowmem_reserve, so only those count there (docs/KERNEL.md, Lowmem reserve).
enum ZoneAttribution {
  /// Zones in the kernel's order, lowest first.
  static let order = ["DMA", "DMA32", "Normal", "HighMem", "Movable"]

  /// The highest zone `mode` allows; nil when the mask is unknown.
  static func highestZone(mode: UInt64?) -> String? {
    guard let mode else { return nil }
    let bits = mode & 0xF
    if bits & 0x1 != 0 { return "DMA" }
    if bits & 0x4 != 0 { return "DMA32" }
    if bits & 0x2 != 0 { return bits & 0x8 != 0 ? "Movable" : "HighMem" }
    return "Normal"
  }

  /// The nodes of a printed nodemask (`0-1,3`); nil for all (`(null)`, absent, unreadable).
  static func nodes(_ nodemask: String?) -> Set<Int>? {
    guard let nodemask, !nodemask.isEmpty, nodemask != "(null)" else { return nil }
    var nodes: Set<Int> = []
    for part in nodemask.split(separator: ",") {
      let ends = part.split(separator: "-").map { Int($0) }
      guard let a = ends.first ?? nil else { return nil }
      let b = ends.count == 2 ? ends[1] ?? a : a
      guard b >= a, b - a < 4096 else { return nil }
      nodes.formUnion(a...b)
    }
    return nodes
  }

  /// Whether an allocation with `mode` and `nodemask` could take pages from `zone` of `node`.
  static func couldUse(mode: UInt64?, nodemask: String?, node: Int, zone: String) -> Bool {
    if let allowed = nodes(nodemask), !allowed.contains(node) { return false }
    if zone == "Device" { return false }
    let highest = highestZone(mode: mode)
    if zone == "DMA" { return highest == "DMA" || highest == nil }
    guard let rank = order.firstIndex(of: zone), let top = highest.flatMap({ order.firstIndex(of: $0) }) else {
      return true
    }
    return rank <= top
  }

  /// A failure, as far as attribution needs it.
  struct Claim: Hashable {
    var order: Int
    var zoneBits: UInt64?
    var nodemask: String?
  }

  /// Failures grouped by what decides their zones, with their counts.
  static func claims(_ tallies: [FailureTally]) -> [Claim: Int] {
    var out: [Claim: Int] = [:]
    for t in tallies where t.kind == .page {
      out[Claim(order: t.order, zoneBits: t.mode.map { $0 & 0xF }, nodemask: t.nodemask), default: 0] += t.count
    }
    return out
  }

  /// How many of `claims` at `order` could use `zone` of `node`.
  static func count(_ claims: [Claim: Int], order: Int, node: Int, zone: String) -> Int {
    claims.reduce(0) { sum, c in
      c.key.order == order && couldUse(mode: c.key.zoneBits, nodemask: c.key.nodemask, node: node, zone: zone)
        ? sum + c.value : sum
    }
  }
}

/// Free blocks per order of one zone (`/proc/buddyinfo`, or an OOM report's buddy line).
public struct FreeAreas: Sendable, Hashable, Codable {
  public var node: Int
  public var zone: String
  /// `counts[o]` = free blocks of 2^o pages.
  public var counts: [UInt64]

  public init(node: Int, zone: String, counts: [UInt64]) {
    self.node = node
    self.zone = zone
    self.counts = counts
  }

  /// Σ counts[o] << o (saturating: a garbage count must not trap).
  public var freePages: UInt64 {
    var sum: UInt64 = 0
    for (order, n) in counts.enumerated() {
      let (block, o1) = n.multipliedReportingOverflow(by: order < 64 ? UInt64(1) << UInt64(order) : .max)
      let (next, o2) = sum.addingReportingOverflow(block)
      if o1 || o2 { return .max }
      sum = next
    }
    return sum
  }
}

/// `/proc/buddyinfo` (docs/KERNEL.md, /proc formats): unchanged in shape since 2.6. Also accepts the
/// flattened form seen in pasted logs (several `Node N, zone X …` records on one line).
public enum BuddyInfo {
  public static func parse(_ text: String, source: String = "/proc/buddyinfo") throws(ParseError) -> [FreeAreas] {
    var result: [FreeAreas] = []
    try Bytes.forEachLine(text) { (lineNumber, line) throws(ParseError) in
      let tokens = Bytes.fields(line)
      var i = 0
      while i < tokens.count {
        // "Node" "0," "zone" "DMA32" n0 n1 …
        guard tokens[i].elementsEqual("Node".utf8) else {
          throw .malformed(
            path: source, line: lineNumber, message: "expected 'Node N, zone NAME', got '\(Bytes.string(tokens[i]))'")
        }
        guard i + 3 < tokens.count, tokens[i + 2].elementsEqual("zone".utf8),
          let raw = Bytes.uint(tokens[i + 1].last == 0x2C ? tokens[i + 1].dropLast() : tokens[i + 1]),
          let node = Int(exactly: raw), node <= 1 << 20
        else {
          throw .malformed(path: source, line: lineNumber, message: "expected 'Node N, zone NAME'")
        }
        var counts: [UInt64] = []
        var j = i + 4
        while j < tokens.count, !tokens[j].elementsEqual("Node".utf8) {
          guard let n = Bytes.uint(tokens[j]) else {
            throw .malformed(
              path: source, line: lineNumber, message: "free block count '\(Bytes.string(tokens[j]))' is not a number")
          }
          counts.append(n)
          j += 1
        }
        guard !counts.isEmpty else {
          throw .malformed(
            path: source, line: lineNumber, message: "zone \(Bytes.string(tokens[i + 3])) has no free block counts")
        }
        result.append(FreeAreas(node: node, zone: Bytes.string(tokens[i + 3]), counts: counts))
        i = j
      }
    }
    return result
  }
}

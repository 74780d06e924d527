/// A "page allocation failure" (or vmalloc failure) report.
public struct AllocationFailure: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable { case page, vmalloc }
  public var kind: Kind
  public var comm: String
  public var order: Int
  /// The gfp mask in hex as printed.
  public var mode: UInt64?
  /// The symbolic decode the kernel printed (4.5+), e.g. ["GFP_ATOMIC"]; empty when absent.
  public var flags: [String]
  public var nodemask: String?
  /// 1-based line of the input where the record starts.
  public var line: Int
}

/// `Out of memory: Killed process PID (comm)`.
public struct OOMKill: Sendable, Hashable, Codable {
  public var pid: Int
  public var comm: String
  public var line: Int
}

/// A Mem-Info buddy line: `Node 0 Normal: 1648026*4kB 0*8kB … = 6592104kB`.
public struct BuddyLine: Sendable, Hashable, Codable {
  public var node: Int?
  public var zone: String
  /// Free blocks per order (order = log2(size / page size)).
  public var counts: [UInt64]
  /// Migratetype letters per order when printed (`UME`), nil entries where none were.
  public var types: [String?]
  /// kB per page: the line's smallest block (order 0).
  public var pageKB: UInt64 = 4
  /// The printed total, when the line was not cut off.
  public var totalKB: UInt64?
  public var line: Int

  /// As ``FreeAreas`` for the fragmentation model.
  public var freeAreas: FreeAreas { FreeAreas(node: node ?? 0, zone: zone, counts: counts) }
}

/// Everything vmtune reads from a kernel log (dmesg, journalctl -k, /var/log/messages), in order.
public struct KernelLog: Sendable, Hashable, Codable {
  public var allocationFailures: [AllocationFailure] = []
  public var oomKills: [OOMKill] = []
  public var buddyLines: [BuddyLine] = []

  public init() {}

  /// Parses a log of any era (docs/KERNEL.md, Kernel log formats). Records flattened into one long line (as
  /// forum pastes do) are split at their syslog or printk prefixes first.
  public static func parse(_ text: String, source: String = "kernel log") throws(ParseError) -> KernelLog {
    var log = KernelLog()
    var lineNumber = 0
    for physical in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      for record in records(physical) {
        try log.scan(stripPrefix(record), line: lineNumber, source: source)
      }
    }
    return log
  }

  /// Splits one physical line at every syslog (`Nov 25 09:14:07 host kernel:`) or bracketed
  /// printk timestamp that is not at its start.
  static func records(_ line: Substring) -> [Substring] {
    // Swift Regex is slow on long lines: look for a second prefix cheaply first.
    guard line.utf8.count > 40, line.dropFirst(1).contains("kernel:") || line.dropFirst(1).contains("] ") else {
      return [line]
    }
    let starts = line.ranges(of: #/[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} \S+ kernel:/#).map(\.lowerBound)
    var cuts = starts.filter { $0 != line.startIndex }
    if cuts.isEmpty {
      cuts = line.ranges(of: #/\[ *\d+\.\d{6}\] /#).map(\.lowerBound).filter { $0 != line.startIndex }
    }
    var out: [Substring] = []
    var from = line.startIndex
    for cut in cuts {
      out.append(line[from..<cut])
      from = cut
    }
    out.append(line[from...])
    return out
  }

  /// Removes `<6>`, `[  12.345678]`, and `Mon DD hh:mm:ss host kernel: :` prefixes.
  static func stripPrefix(_ record: Substring) -> Substring {
    var s = record
    if let m = s.prefixMatch(of: #/[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} \S+ kernel: *(?:: )?/#) {
      s = s[m.range.upperBound...]
    } else if let m = s.prefixMatch(of: #/.*? kernel: *(?:: )?/#) {
      s = s[m.range.upperBound...]
    }
    if let m = s.prefixMatch(of: #/<\d+>/#) { s = s[m.range.upperBound...] }
    if let m = s.prefixMatch(of: #/\[ *\d+\.\d+\] */#) { s = s[m.range.upperBound...] }
    return s
  }

  static func number<T: FixedWidthInteger>(
    _ s: Substring, _ what: String, _ line: Int, _ source: String, radix: Int = 10
  ) throws(ParseError) -> T {
    let digits = radix == 16 && (s.hasPrefix("0x") || s.hasPrefix("0X")) ? s.dropFirst(2) : s
    guard let n = T(digits, radix: radix) else {
      throw .malformed(path: source, line: line, message: "\(what) '\(s)' is not a valid number")
    }
    return n
  }

  static func flagList(_ s: Substring?) -> [String] {
    guard let s, !s.isEmpty else { return [] }
    return s.split(separator: "|").map(String.init)
  }

  mutating func scan(_ r: Substring, line: Int, source: String) throws(ParseError) {
    // Cheap literal checks decide which (slow) regex to try.
    let failure = r.contains("page allocation failure")
    let vmalloc = !failure && r.contains("vmalloc")
    let kill = r.contains("Out of memory")
    let buddy = r.contains("kB")
    if !(failure || vmalloc || kill || buddy) { return }
    if failure,
      let m = r.firstMatch(
        of:
          #/
      ^(.+?):\ page\ allocation\ failure[.:]\ order:(\d+),\ mode:(0x[0-9a-fA-F]+)
      (?:\(([^)]*)\))?(?:,\ nodemask=(\(null\)|[0-9,\-]*))?
      /#)
    {
      allocationFailures.append(
        AllocationFailure(
          kind: .page, comm: String(m.1), order: try Self.number(m.2, "order", line, source),
          mode: try Self.number(m.3, "mode", line, source, radix: 16), flags: Self.flagList(m.4),
          nodemask: m.5.map(String.init), line: line))
      return
    }
    if vmalloc,
      let m = r.firstMatch(
        of:
          #/
      ^(.+?):\ vmalloc(?:\ error)?:
      \ (?:.*?mode:(0x[0-9a-fA-F]+)(?:\(([^)]*)\))?(?:,\ nodemask=(\(null\)|[0-9,\-]*))?)?
      /#)
    {
      allocationFailures.append(
        AllocationFailure(
          kind: .vmalloc, comm: String(m.1), order: 0,
          mode: try m.2.map { (s) throws(ParseError) -> UInt64 in
            try Self.number(s, "mode", line, source, radix: 16)
          },
          flags: Self.flagList(m.3), nodemask: m.4.map(String.init), line: line))
      return
    }
    if kill,
      let m = r.firstMatch(
        of:
          #/
      Out\ of\ memory(?:\ \(oom_kill_allocating_task\))?:\ Kill(?:ed)?\ process\ (\d+)\ \((.*?)\)
      /#)
    {
      oomKills.append(OOMKill(pid: try Self.number(m.1, "pid", line, source), comm: String(m.2), line: line))
      return
    }
    if buddy, r.contains("*") { try scanBuddyLines(r, line: line, source: source) }
  }

  /// Every `Node N Zone: count*sizekB … = totalkB` in the record (Mem-Info prints several per line).
  mutating func scanBuddyLines(_ r: Substring, line: Int, source: String) throws(ParseError) {
    for m in r.matches(
      of:
        #/
      (?:Node\ (\d+)\ )?([A-Za-z][A-Za-z0-9]*):\ ((?:\d+\*\d+kB(?:\ \([A-Z]*\))?\ ?)+)(?:=\ ?(\d+)kB)?
      /#)
    {
      let (counts, types, pageKB) = try Self.freeBlocks(m.3, line: line, source: source)
      buddyLines.append(
        BuddyLine(
          node: try m.1.map { (s) throws(ParseError) -> Int in try Self.number(s, "node", line, source) },
          zone: String(m.2), counts: counts, types: types, pageKB: pageKB,
          totalKB: try m.4.map { (s) throws(ParseError) -> UInt64 in try Self.number(s, "total", line, source) },
          line: line))
    }
  }

  /// Free blocks and migratetype letters per order from `count*sizekB (UME)` items; orders not
  /// printed count 0, and a repeated order keeps its first count. The kernel prints every order
  /// from 0, so the smallest block is one page: 4 kB on x86, 64 kB on a 64 KiB-page arm64.
  static func freeBlocks(
    _ items: Substring, line: Int, source: String
  ) throws(ParseError) -> (counts: [UInt64], types: [String?], pageKB: UInt64) {
    var counts: [UInt64] = []
    var types: [String?] = []
    let found = Array(items.matches(of: #/(\d+)\*(\d+)kB(?: \(([A-Z]*)\))?/#))
    var pageKB = UInt64.max
    for o in found {
      let size: UInt64 = try number(o.2, "block size", line, source)
      guard size >= 4, size.nonzeroBitCount == 1 else {
        throw .malformed(
          path: source, line: line, message: "block size \(size)kB is not a power-of-two multiple of 4 kB")
      }
      pageKB = min(pageKB, size)
    }
    for o in found {
      let size: UInt64 = try number(o.2, "block size", line, source)
      let order = (size / pageKB).trailingZeroBitCount
      while counts.count < order {
        counts.append(0)
        types.append(nil)
      }
      if counts.count == order {
        counts.append(try number(o.1, "free block count", line, source))
        types.append(o.3.map(String.init))
      }
    }
    return (counts, types, pageKB == .max ? 4 : pageKB)
  }
}

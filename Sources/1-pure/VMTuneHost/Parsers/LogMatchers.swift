/// The kernel messages vmtune reads, matched on a message's bytes (its prefix already removed):
/// allocation failures, the OOM killer's invocation, choice and kill, and Mem-Info buddy lines
/// (docs/KERNEL.md, Kernel log formats). Each returns nil for a message that is not its kind.
enum LogMatchers {
  /// A failure without its line, time and host.
  typealias Failure = (
    kind: AllocationFailure.Kind, comm: String, order: Int, mode: UInt64?, flags: [String], nodemask: String?
  )

  static func malformed(_ what: String, _ text: LogText, _ line: Int, _ source: String) -> ParseError {
    .malformed(path: source, line: line, message: "\(what) '\(text.string)' is not a valid number")
  }

  /// The decimal number at `i` (digits only): value and end; nil without digits.
  static func decimal(
    _ m: LogText, at i: Int, _ what: String, _ line: Int, _ source: String
  ) throws(ParseError) -> (UInt64, Int)? {
    let e = m.run(from: i, LogText.isDigit)
    guard e > i else { return nil }
    var v: UInt64 = 0
    for k in i..<e {
      let (a, o1) = v.multipliedReportingOverflow(by: 10)
      let (b, o2) = a.addingReportingOverflow(UInt64(m[k] - 0x30))
      if o1 || o2 { throw malformed(what, m.slice(i, e), line, source) }
      v = b
    }
    return (v, e)
  }

  /// A decimal that must fit an Int (orders, pids, nodes).
  static func int(_ m: LogText, at i: Int, _ what: String, _ line: Int, _ source: String) throws(ParseError) -> (
    Int, Int
  )? {
    guard let (v, e) = try decimal(m, at: i, what, line, source) else { return nil }
    guard v <= UInt64(Int32.max) else { throw malformed(what, m.slice(i, e), line, source) }
    return (Int(v), e)
  }

  /// The hex number at `i` (`0x` optional): value and end.
  static func hex(_ m: LogText, at i: Int, _ line: Int, _ source: String) throws(ParseError) -> (UInt64, Int)? {
    var s = i
    if m.has("0x", at: s) || m.has("0X", at: s) { s += 2 }
    let e = m.run(from: s, LogText.isHex)
    guard e > s else { return nil }
    guard e - s <= 16 else { throw malformed("mode", m.slice(i, e), line, source) }
    var v: UInt64 = 0
    for k in s..<e {
      let b = m[k] | 0x20
      v = v << 4 | UInt64(b <= 0x39 ? b - 0x30 : b - 0x61 + 10)
    }
    return (v, e)
  }

  /// `mode:0xHEX(FLAGS), nodemask=…` after `from`: the mask, its decoded flags and the nodemask.
  static func mode(
    _ m: LogText, from: Int, _ line: Int, _ source: String
  ) throws(ParseError) -> (UInt64?, [String], String?) {
    guard let at = m.find("mode:", from: from), let (mode, e) = try hex(m, at: at + 5, line, source) else {
      return (nil, [], nil)
    }
    var flags: [String] = []
    var i = e
    if i < m.count, m[i] == 0x28, let close = m.index(of: 0x29, from: i) {
      let inside = m.slice(i + 1, close).string
      flags = inside.isEmpty ? [] : inside.split(separator: "|").map(String.init)
      i = close + 1
    }
    var nodemask: String?
    if let n = m.find("nodemask=", from: i) {
      let v = n + 9
      if m.has("(null)", at: v) {
        nodemask = "(null)"
      } else {
        var end = m.run(from: v) { LogText.isDigit($0) || $0 == 0x2C || $0 == 0x2D }
        while end > v, m[end - 1] == 0x2C { end -= 1 }
        nodemask = m.slice(v, end).string
      }
    }
    return (mode, flags, nodemask)
  }

  /// `COMM: page allocation failure[.:] order:N, mode:…`, 2.4's `__alloc_pages: N-order
  /// allocation failed (gfp=0xHEX/N)`, and vmalloc's `COMM: vmalloc error: …` (5.x+) or
  /// `COMM: vmalloc: allocation failure: …` (4.x).
  static func failure(_ m: LogText, _ line: Int, _ source: String) throws(ParseError) -> Failure? {
    if let f = m.find("page allocation failure") {
      guard let o = m.find("order:", from: f + 23, before: f + 40),
        let (order, e) = try int(m, at: o + 6, "order", line, source)
      else { return nil }
      let (mode, flags, nodemask) = try self.mode(m, from: e, line, source)
      return (.page, comm(m.prefix(f)), order, mode, flags, nodemask)
    }
    if m.has("__alloc_pages: "), let (order, e) = try int(m, at: 15, "order", line, source),
      m.has("-order allocation failed", at: e)
    {
      var mode: UInt64?
      if let g = m.find("gfp=", from: e) { mode = try hex(m, at: g + 4, line, source)?.0 }
      return (.page, "", order, mode, [], nil)
    }
    if let v = m.find(": vmalloc"), v > 0, m.has(" error:", at: v + 9) || m.has(":", at: v + 9) {
      let (mode, flags, nodemask) = try self.mode(m, from: v, line, source)
      return (.vmalloc, m.prefix(v).trimmed().string, 0, mode, flags, nodemask)
    }
    return nil
  }

  /// The process name before `: page allocation failure`.
  static func comm(_ before: LogText) -> String {
    var c = before.trimmingTrailing()
    if c.count > 0, c[c.count - 1] == 0x3A { c = c.prefix(c.count - 1) }
    return c.trimmed().string
  }

  /// `COMM invoked oom-killer: gfp_mask=0xHEX[(FLAGS)], order=N, …`.
  static func invocation(
    _ m: LogText, _ line: Int, _ source: String
  ) throws(ParseError) -> (comm: String, order: Int?, mode: UInt64?)? {
    guard let at = m.find(" invoked oom-killer:") else { return nil }
    var mode: UInt64?
    if let g = m.find("gfp_mask=", from: at) { mode = try hex(m, at: g + 9, line, source)?.0 }
    var order: Int?
    if let o = m.find("order=", from: at), o + 6 < m.count, m[o + 6] != 0x2D {
      order = try int(m, at: o + 6, "order", line, source)?.0
    }
    return (m.prefix(at).trimmed().string, order, mode)
  }

  /// An OOM line: the choice (`Out of memory: Kill process P (C) score S or sacrifice child`,
  /// 2.6's `kill process … or a child`), the kill (`Out of memory: Killed process P (C) …`,
  /// 2.4's `Out of Memory: Killed process`), or the bare `Killed process P (C)` after a choice.
  enum OOMLine {
    case choice(pid: Int, comm: String, cgroup: Bool)
    case kill(pid: Int, comm: String, cgroup: Bool)
    case bareKill(pid: Int, comm: String)
  }

  static func oom(_ m: LogText, _ line: Int, _ source: String) throws(ParseError) -> OOMLine? {
    if m.has("Killed process ") {
      guard let (pid, comm) = try process(m, at: 15, line, source) else { return nil }
      return .bareKill(pid: pid, comm: comm)
    }
    let cgroup = m.has("Memory cgroup out of memory")
    guard cgroup || m.has("Out of memory") || m.has("Out of Memory"), let colon = m.find(": ") else { return nil }
    let rest = colon + 2
    if m.has("Killed process ", at: rest) {
      guard let (pid, comm) = try process(m, at: rest + 15, line, source) else { return nil }
      return .kill(pid: pid, comm: comm, cgroup: cgroup)
    }
    if m.has("Kill process ", at: rest) || m.has("kill process ", at: rest) {
      guard let (pid, comm) = try process(m, at: rest + 13, line, source) else { return nil }
      return .choice(pid: pid, comm: comm, cgroup: cgroup)
    }
    return nil
  }

  /// `PID (COMM)`: the name runs to the first `)` followed by a space, comma, period or the end.
  static func process(_ m: LogText, at i: Int, _ line: Int, _ source: String) throws(ParseError) -> (Int, String)? {
    guard let (pid, e) = try int(m, at: i, "pid", line, source), m.has(" (", at: e) else { return nil }
    var close = e + 2
    while let c = m.index(of: 0x29, from: close) {
      if c + 1 == m.count || [0x20, 0x2C, 0x2E].contains(m[c + 1]) { return (pid, m.slice(e + 2, c).string) }
      close = c + 1
    }
    return nil
  }

  /// Every `[Node N ]Zone: count*sizekB [(UME)] … [= totalkB]` in the message (a flattened Mem-Info
  /// holds several), with whether the last one ran to the end without its total (more may follow
  /// on the next line).
  static func buddyLines(
    _ m: LogText, _ line: Int, _ source: String
  ) throws(ParseError) -> (lines: [BuddyLine], open: Bool) {
    var out: [BuddyLine] = []
    var open = false
    var from = 0
    while let colon = m.find(": ", from: from) {
      from = colon + 2
      let items = from
      guard items < m.count, LogText.isDigit(m[items]) else { continue }
      // The zone name before the colon, and `Node N ` before that.
      var z = colon
      while z > 0, LogText.isLetter(m[z - 1]) || LogText.isDigit(m[z - 1]) { z -= 1 }
      guard z < colon, LogText.isLetter(m[z]) else { continue }
      var node: Int?
      if z >= 7, m[z - 1] == 0x20 {
        var d = z - 1
        while d > 0, LogText.isDigit(m[d - 1]) { d -= 1 }
        if d < z - 1, d >= 5, m.has("Node ", at: d - 5) { node = try int(m, at: d, "node", line, source)?.0 }
      }
      var counts: [(UInt64, UInt64, String?)] = []
      var i = items
      while i < m.count, LogText.isDigit(m[i]) {
        guard let (count, e) = try decimal(m, at: i, "free block count", line, source), m.has("*", at: e),
          let (size, f) = try decimal(m, at: e + 1, "block size", line, source), m.has("kB", at: f)
        else { break }
        i = f + 2
        var type: String?
        if m.has(" (", at: i), let close = m.index(of: 0x29, from: i + 2),
          (i + 2..<close).allSatisfy({ LogText.isUpper(m[$0]) })
        {
          type = m.slice(i + 2, close).string
          i = close + 1
        }
        counts.append((count, size, type))
        i = m.run(from: i) { $0 == 0x20 }
      }
      guard !counts.isEmpty else { continue }
      var total: UInt64?
      if m.has("=", at: i) {
        let t = m.run(from: i + 1) { $0 == 0x20 }
        if let (v, e) = try decimal(m, at: t, "total", line, source), m.has("kB", at: e) {
          total = v
          i = e + 2
        }
      }
      open = total == nil && i >= m.trimmingTrailing().count
      let (c, types, pageKB) = try freeBlocks(counts, line, source)
      out.append(
        BuddyLine(
          node: node, zone: m.slice(z, colon).string, counts: c, types: types, pageKB: pageKB, totalKB: total,
          line: line))
      from = i
    }
    return (out, open)
  }

  /// Free blocks and migratetype letters per order from `count*sizekB (UME)` items; orders not
  /// printed count 0, and a repeated order keeps its first count. The kernel prints every order
  /// from 0, so the smallest block is one page: 4 kB on x86, 64 kB on a 64 KiB-page arm64.
  static func freeBlocks(
    _ items: [(count: UInt64, size: UInt64, type: String?)], _ line: Int, _ source: String
  ) throws(ParseError) -> (counts: [UInt64], types: [String?], pageKB: UInt64) {
    var pageKB = UInt64.max
    for o in items {
      guard o.size >= 4, o.size.nonzeroBitCount == 1 else {
        throw .malformed(
          path: source, line: line, message: "block size \(o.size)kB is not a power-of-two multiple of 4 kB")
      }
      pageKB = min(pageKB, o.size)
    }
    var counts: [UInt64] = []
    var types: [String?] = []
    for o in items {
      let order = (o.size / pageKB).trailingZeroBitCount
      guard order < 64 else { continue }
      while counts.count < order {
        counts.append(0)
        types.append(nil)
      }
      if counts.count == order {
        counts.append(o.count)
        types.append(o.type)
      }
    }
    return (counts, types, pageKB == .max ? 4 : pageKB)
  }

  /// A piece of a buddy line that journald stored on its own: counts (`2210*4kB`), migratetype
  /// letters (`(UME)`) or the total (`= 30184kB`, 2.4's `= 36kB)`), any number of them.
  static func isContinuation(_ m: LogText) -> Bool {
    let t = m.trimmed()
    guard !t.isEmpty else { return false }
    var i = 0
    while i < t.count {
      let b = t[i]
      if LogText.isDigit(b) {
        let e = t.run(from: i, LogText.isDigit)
        if t.has("*", at: e) {
          let f = t.run(from: e + 1, LogText.isDigit)
          guard f > e + 1, t.has("kB", at: f) else { return false }
          i = f + 2
        } else {
          guard t.has("kB", at: e) else { return false }
          i = e + 2
          if t.has(")", at: i) { i += 1 }
        }
      } else if b == 0x28 {
        let e = t.run(from: i + 1, LogText.isUpper)
        guard t.has(")", at: e) else { return false }
        i = e + 1
      } else if b == 0x3D {
        i += 1
      } else {
        return false
      }
      i = t.run(from: i) { $0 == 0x20 }
    }
    return true
  }

  /// The release in `CPU: 3 PID: 2291 Comm: x Not tainted 5.4.0-42-generic #46-Ubuntu` or
  /// `Pid: 168, comm: x Tainted: GF ---- 2.6.32-358.el5 #1`: the word before ` #`.
  static func kernelRelease(_ m: LogText) -> String? {
    guard let t = m.find("ainted"), let hash = m.find(" #", from: t) else { return nil }
    var s = hash
    while s > t, m[s - 1] != 0x20 { s -= 1 }
    guard s < hash, LogText.isDigit(m[s]) else { return nil }
    return m.slice(s, hash).string
  }

  /// The start of a buddy line stored on its own: `Node 0`, `DMA32:` or `Node 0 DMA32:`.
  static func isStart(_ m: LogText) -> Bool {
    let t = m.trimmed()
    guard t.count >= 2, t.count <= 32 else { return false }
    var i = 0
    if t.has("Node ") {
      let e = t.run(from: 5, LogText.isDigit)
      guard e > 5 else { return false }
      if e == t.count { return true }
      guard t[e] == 0x20 else { return false }
      i = e + 1
    }
    guard i < t.count, LogText.isLetter(t[i]) else { return false }
    let e = t.run(from: i) { LogText.isLetter($0) || LogText.isDigit($0) }
    return e == t.count - 1 && t[e] == 0x3A
  }
}

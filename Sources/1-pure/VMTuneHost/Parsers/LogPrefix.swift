/// The prefixes log sources put before a kernel message, and where a line pasted without its
/// newlines holds several records (docs/KERNEL.md, Log sources and prefixes):
///
/// - dmesg: `[ 8123.000137] `, `dmesg -T`: `[Mon Apr 20 15:08:07 2020] `, `dmesg -r`: `<4>`;
/// - syslog and `journalctl -k` (short, short-precise): `Apr 20 15:08:07[.123456] host kernel: `;
///   short-iso and rsyslog: `2020-04-20T15:08:07+0200 host kernel: `; short-monotonic:
///   `[ 8123.000137] host kernel: `; cat: nothing. Syslog may add the printk time after `kernel:`
///   (and RHEL 5 a stray `: `).
enum LogPrefix {
  /// A message with what its prefix said.
  struct Record {
    var message: LogText
    var time: LogText?
    var host: LogText?
  }

  /// What one pass over a line found: which matchers may apply, and whether the line holds
  /// more than one record.
  struct Triggers {
    var alloc = false
    var kill = false
    var star = false
    var kB = false
    var kernelColons = 0
    var firstKernelColon = -1
    var timestamps = 0
    var firstTimestampEnd = -1

    /// Whether the line may hold several records (a flattened paste).
    var mayHoldSeveral: Bool {
      kernelColons >= 2 || timestamps >= 2 || (timestamps == 1 && kernelColons == 0 && firstTimestampEnd > 40)
    }
  }

  /// One pass over `t`: the cheap literal checks that decide which matchers run.
  static func triggers(_ t: LogText) -> Triggers {
    var r = Triggers()
    let n = t.count
    var i = 0
    while i < n {
      switch t[i] {
      case 0x61:  // a: alloc
        if t.has("lloc", at: i + 1) { r.alloc = true }
      case 0x69:  // i: kill, Kill, Killed, killer
        if i + 2 < n, t[i + 1] == 0x6C, t[i + 2] == 0x6C { r.kill = true }
      case 0x6B:  // k: kB, kernel:
        if i + 1 < n, t[i + 1] == 0x42 {
          r.kB = true
        } else if t.has("ernel:", at: i + 1) {
          if r.kernelColons == 0 { r.firstKernelColon = i }
          r.kernelColons += 1
        }
      case 0x2A: r.star = true
      case 0x5D:  // ]: after a printk time or a dmesg -T date
        if isTimestampEnd(t, i) {
          if r.timestamps == 0 { r.firstTimestampEnd = i }
          r.timestamps += 1
        }
      default: break
      }
      i += 1
    }
    return r
  }

  /// Whether the `]` at `i` closes `[ 123.456789` or `[Mon Apr 20 15:08:07 2020`.
  static func isTimestampEnd(_ t: LogText, _ i: Int) -> Bool {
    guard i >= 7 else { return false }
    if t[i - 7] == 0x2E, (1...6).allSatisfy({ LogText.isDigit(t[i - $0]) }) { return true }
    return i >= 20 && t[i - 5] == 0x20 && (1...4).allSatisfy { LogText.isDigit(t[i - $0]) } && t[i - 8] == 0x3A
      && t[i - 11] == 0x3A
  }

  /// The records of a line: itself, or the pieces between its prefixes when it was flattened.
  static func records(_ t: LogText, _ triggers: Triggers) -> [LogText] {
    guard triggers.mayHoldSeveral else { return [t] }
    var cuts: [Int] = []
    var from = 0
    while let k = t.find("kernel:", from: from) {
      if let s = syslogStart(t, kernelColon: k) { cuts.append(s) }
      from = k + 7
    }
    if cuts.isEmpty {
      // dmesg and short-monotonic: cut before each bracketed time (and its `<N>`).
      var i = 0
      while let close = t.index(of: 0x5D, from: i) {
        if isTimestampEnd(t, close), let open = openingBracket(t, close) {
          var s = open
          if s >= 3, t[s - 1] == 0x3E, LogText.isDigit(t[s - 2]), t[s - 3] == 0x3C { s -= 3 }
          cuts.append(s)
        }
        i = close + 1
      }
    }
    cuts = cuts.filter { $0 > 0 }
    guard !cuts.isEmpty else { return [t] }
    var out: [LogText] = []
    var start = 0
    for c in cuts where c > start {
      out.append(t.slice(start, c))
      start = c
    }
    out.append(t.slice(start, t.count))
    return out
  }

  /// The `[` that opens the timestamp closed at `close`.
  static func openingBracket(_ t: LogText, _ close: Int) -> Int? {
    var i = close - 1
    while i >= 0, close - i <= 40 {
      if t[i] == 0x5B { return i }
      i -= 1
    }
    return nil
  }

  /// Where the syslog prefix ending in the `kernel:` at `k` starts: `TIME HOST kernel:` with a
  /// BSD (`Apr  2 15:08:07[.123]`) or ISO 8601 time.
  static func syslogStart(_ t: LogText, kernelColon k: Int) -> Int? {
    guard k >= 2, t[k - 1] == 0x20 else { return nil }
    var h = k - 1
    while h > 0, t[h - 1] != 0x20 { h -= 1 }
    guard h >= 2, h < k - 1 else { return nil }
    var e = h - 1  // the space before the host; the time ends before it
    var s = e
    while s > 0, t[s - 1] != 0x20 { s -= 1 }
    let token = t.slice(s, e)
    if isISOTime(token) { return s }
    guard isClock(token) else { return nil }
    // `Apr 20 ` or `Apr  2 `.
    e = s - 1
    guard e >= 1, t[e] == 0x20 else { return nil }
    var d = e
    while d > 0, LogText.isDigit(t[d - 1]) { d -= 1 }
    guard e - d >= 1, e - d <= 2 else { return nil }
    var m = d - 1
    if m >= 1, t[m] == 0x20, t[m - 1] == 0x20 { m -= 1 }
    guard m >= 3, t[m] == 0x20, LogText.isUpper(t[m - 3]), LogText.isLetter(t[m - 2]), LogText.isLetter(t[m - 1])
    else { return nil }
    return m - 3
  }

  /// `15:08:07` or `15:08:07.123456`.
  static func isClock(_ t: LogText) -> Bool {
    guard t.count >= 8, t[2] == 0x3A, t[5] == 0x3A else { return false }
    for i in [0, 1, 3, 4, 6, 7] where !LogText.isDigit(t[i]) { return false }
    return t.count == 8 || t[8] == 0x2E
  }

  /// `2020-04-20T15:08:07…` (any fraction and zone).
  static func isISOTime(_ t: LogText) -> Bool {
    t.count >= 19 && LogText.isDigit(t[0]) && t[4] == 0x2D && t[7] == 0x2D && t[10] == 0x54 && isClock(t.slice(11, 19))
  }

  /// The message of a record and what its prefixes said.
  /// `kernelColon` is where the line's first `kernel:` is, when `known`; otherwise it is searched.
  static func strip(_ record: LogText, kernelColon: Int?, known: Bool) -> Record {
    var r = record.trimmingLeading()
    var time: LogText?
    var host: LogText?
    var dropped = record.count - r.count
    r = dropLevel(r, &dropped)
    if let (t, rest) = bracketedTime(r) {
      time = t
      dropped += r.count - rest.count
      r = rest
    }
    // `TIME HOST kernel: ` (syslog, journalctl short*) or `HOST kernel: ` after a monotonic time.
    let k = known ? kernelColon.map { $0 - dropped } : r.find("kernel:", before: 200)
    if let k, k >= 2, k < 200, r.has("kernel:", at: k), r[k - 1] == 0x20 {
      let before = r.prefix(k - 1)
      var words = 0
      var inWord = false
      for i in 0..<before.count {
        let blank = before[i] == 0x20
        if !blank && !inWord { words += 1 }
        inWord = !blank
      }
      if (1...6).contains(words) {
        var h = before.count
        while h > 0, before[h - 1] != 0x20 { h -= 1 }
        host = before.slice(h, before.count)
        if time == nil, h > 0 { time = before.prefix(h).trimmed() }
        r = r.dropFirst(k + 7).trimmingLeading()
        // RHEL 5's `kernel: : [69229257.683658]`.
        if r.has(":") { r = r.dropFirst(1).trimmingLeading() }
        var ignored = 0
        r = dropLevel(r, &ignored)
        if let (t, rest) = bracketedTime(r) {
          if time == nil { time = t }
          r = rest
        }
      }
    }
    return Record(message: r, time: time, host: host)
  }

  /// Without a leading `<N>` printk level.
  static func dropLevel(_ r: LogText, _ dropped: inout Int) -> LogText {
    guard r.count >= 3, r[0] == 0x3C else { return r }
    let e = r.run(from: 1, LogText.isDigit)
    guard e > 1, e < r.count, r[e] == 0x3E else { return r }
    dropped += e + 1
    return r.dropFirst(e + 1)
  }

  /// A leading `[ 8123.000137]` or `[Mon Apr 20 15:08:07 2020]`: its content and what follows.
  static func bracketedTime(_ r: LogText) -> (LogText, LogText)? {
    guard r.count >= 3, r[0] == 0x5B else { return nil }
    var i = 1
    var digit = false
    while i < r.count, i <= 40 {
      let b = r[i]
      if b == 0x5D { break }
      if LogText.isDigit(b) {
        digit = true
      } else if !(LogText.isLetter(b) || b == 0x20 || b == 0x2E || b == 0x3A || b == 0x2C || b == 0x2B || b == 0x2D) {
        return nil
      }
      i += 1
    }
    guard digit, i < r.count, r[i] == 0x5D else { return nil }
    return (r.slice(1, i).trimmed(), r.dropFirst(i + 1).trimmingLeading())
  }
}

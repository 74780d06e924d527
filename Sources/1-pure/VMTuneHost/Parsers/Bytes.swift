/// Byte-level helpers for /proc tables: they are ASCII, and Character-level String processing
/// (grapheme breaking) dominated the agent's cycle time.
enum Bytes {
  static let space: UInt8 = 0x20, tab: UInt8 = 0x09, newline: UInt8 = 0x0A, cr: UInt8 = 0x0D

  /// Calls `body(lineNumber, line)` for every line (1-based), without the newline.
  static func forEachLine(
    _ text: String, _ body: (Int, ArraySlice<UInt8>) throws(ParseError) -> Void
  ) throws(ParseError) {
    let bytes = Array(text.utf8)
    var start = 0
    var number = 0
    while start <= bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != newline { end += 1 }
      number += 1
      if end == bytes.count && start == end { break }
      try body(number, bytes[start..<end])
      start = end + 1
    }
  }

  /// Whitespace-separated fields.
  static func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
    var out: [ArraySlice<UInt8>] = []
    var i = line.startIndex
    while i < line.endIndex {
      while i < line.endIndex, isSpace(line[i]) { i += 1 }
      let s = i
      while i < line.endIndex, !isSpace(line[i]) { i += 1 }
      if s < i { out.append(line[s..<i]) }
    }
    return out
  }

  static func isSpace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr }

  /// A space, tab, `\r` or `\n`.
  static func isWhitespace(_ b: UInt8) -> Bool { isSpace(b) || b == newline }

  /// A decimal unsigned number, nil on anything else or overflow.
  static func uint(_ s: ArraySlice<UInt8>) -> UInt64? {
    guard !s.isEmpty else { return nil }
    var v: UInt64 = 0
    for b in s {
      guard b >= 0x30, b <= 0x39 else { return nil }
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
      if o1 || o2 { return nil }
      v = a
    }
    return v
  }

  static func string(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }

  static func hasPrefix(_ s: ArraySlice<UInt8>, _ p: StaticString) -> Bool {
    let n = p.utf8CodeUnitCount
    guard s.count >= n else { return false }
    return p.withUTF8Buffer { pb in
      var i = s.startIndex
      for b in pb {
        if s[i] != b { return false }
        i += 1
      }
      return true
    }
  }
}

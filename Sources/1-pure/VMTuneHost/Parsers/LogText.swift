/// A view of one kernel-log line's bytes, without a copy: the log parser's unit of text. Indexes
/// are relative to the view. Kernel messages are ASCII where the parser looks; other bytes pass
/// through untouched.
struct LogText {
  let base: UnsafeBufferPointer<UInt8>
  private(set) var start: Int
  private(set) var end: Int

  init(_ base: UnsafeBufferPointer<UInt8>) {
    self.base = base
    start = 0
    end = base.count
  }

  private init(_ base: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
    self.base = base
    self.start = start
    self.end = end
  }

  var count: Int { end - start }
  var isEmpty: Bool { end <= start }

  @inline(__always) subscript(_ i: Int) -> UInt8 { base[start + i] }

  /// The bytes from `from` (relative) to `to` (relative, exclusive), clamped to the view.
  func slice(_ from: Int, _ to: Int) -> LogText {
    let a = Swift.min(Swift.max(0, from), count)
    let b = Swift.min(Swift.max(a, to), count)
    return LogText(base, start + a, start + b)
  }

  func dropFirst(_ n: Int) -> LogText { slice(n, count) }
  func prefix(_ n: Int) -> LogText { slice(0, n) }

  /// Without leading and trailing spaces, tabs and carriage returns.
  func trimmed() -> LogText { trimmingLeading().trimmingTrailing() }

  func trimmingLeading() -> LogText {
    var s = start
    while s < end, Self.isBlank(base[s]) { s += 1 }
    return LogText(base, s, end)
  }

  func trimmingTrailing() -> LogText {
    var e = end
    while e > start, Self.isBlank(base[e - 1]) { e -= 1 }
    return LogText(base, start, e)
  }

  static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }
  static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
  static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
  static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || (b >= 0x61 && b <= 0x7A) }
  static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }

  /// Whether `p` is at `at`.
  func has(_ p: StaticString, at i: Int = 0) -> Bool {
    let n = p.utf8CodeUnitCount
    guard i >= 0, i + n <= count else { return false }
    let q = p.utf8Start
    for k in 0..<n where base[start + i + k] != q[k] { return false }
    return true
  }

  /// The first index of `needle` at or after `from`, starting before `limit` (default: anywhere).
  func find(_ needle: StaticString, from: Int = 0, before limit: Int = Int.max) -> Int? {
    let n = needle.utf8CodeUnitCount
    let q = needle.utf8Start
    let first = q[0]
    var i = Swift.max(0, from)
    let last = Swift.min(count - n, limit - 1)
    while i <= last {
      if base[start + i] == first {
        var k = 1
        while k < n, base[start + i + k] == q[k] { k += 1 }
        if k == n { return i }
      }
      i += 1
    }
    return nil
  }

  /// The index of the first `byte` at or after `from`.
  func index(of byte: UInt8, from: Int = 0) -> Int? {
    var i = Swift.max(0, from)
    while i < count {
      if base[start + i] == byte { return i }
      i += 1
    }
    return nil
  }

  /// The end of the run of bytes from `from` that satisfy `test`.
  func run(from: Int, _ test: (UInt8) -> Bool) -> Int {
    var i = from
    while i < count, test(self[i]) { i += 1 }
    return i
  }

  var string: String { String(decoding: UnsafeBufferPointer(rebasing: base[start..<end]), as: UTF8.self) }
  var bytes: [UInt8] { Array(base[start..<end]) }
}

/// The digest a journal carries over its own bytes: SHA-256 of the file with the 64 hex digits of
/// its `"digest"` field set to `0`. Computed over the bytes as written (not a re-encoding), so it
/// does not depend on how a later encoder would format the same journal. It detects corruption
/// and edits that did not recompute it; it is not a signature (whoever can write the journal
/// directory can recompute it), which is why rollback also checks what a journal would write.
enum JournalDigest {
  /// What ``Journal/digest`` holds while the digest is computed.
  static let placeholder = String(repeating: "0", count: 64)
  private static let key = Array("\"digest\"".utf8)

  /// The digest field recorded in `bytes`, when there is exactly one.
  static func digest(of bytes: [UInt8]) -> String? {
    digestRange(bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
  }

  /// The digest `bytes` should carry (their digest field zeroed, hashed); nil without exactly one
  /// digest field.
  static func expected(_ bytes: [UInt8]) -> String? {
    guard let range = digestRange(bytes) else { return nil }
    var zeroed = bytes
    zeroed.replaceSubrange(range, with: Array(placeholder.utf8))
    return SHA256.hex(zeroed)
  }

  /// `bytes` with their digest field filled in; nil without exactly one digest field.
  static func seal(_ bytes: [UInt8]) -> [UInt8]? {
    guard let range = digestRange(bytes), let digest = expected(bytes) else { return nil }
    var sealed = bytes
    sealed.replaceSubrange(range, with: Array(digest.utf8))
    return sealed
  }

  /// Why `bytes` fail the check (nil when the recorded digest matches).
  static func verify(_ bytes: [UInt8]) -> String? {
    guard let recorded = digest(of: bytes), let expected = expected(bytes) else {
      return "it has no digest field of 64 hex digits"
    }
    if recorded == expected { return nil }
    return "its digest does not match its content (recorded \(recorded.prefix(12))…, content \(expected.prefix(12))…): "
      + "it was changed after vmtune wrote it"
  }

  /// The range of the 64 hex digits of the one `"digest" : "…"` member in `bytes`, nil when there
  /// is none or more than one. The key cannot occur inside a JSON string, where quotes are escaped.
  private static func digestRange(_ bytes: [UInt8]) -> Range<Int>? {
    var found: Range<Int>?
    var start = 0
    while let at = firstIndex(of: key, in: bytes, from: start) {
      start = at + 1
      var i = at + key.count
      func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[i]) { i += 1 } }
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { continue }  // a value "digest", not the key
      i += 1
      skipSpace()
      let digits = i + 1..<i + 65
      guard digits.upperBound < bytes.count, bytes[i] == UInt8(ascii: "\""),
        bytes[digits.upperBound] == UInt8(ascii: "\""), bytes[digits].allSatisfy(isHex)
      else { return nil }
      if found != nil { return nil }
      found = digits
    }
    return found
  }

  private static func isHex(_ b: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
  }

  private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
    guard needle.count <= bytes.count else { return nil }
    var i = from
    while i + needle.count <= bytes.count {
      if bytes[i] == needle[0], bytes[i..<i + needle.count].elementsEqual(needle) { return i }
      i += 1
    }
    return nil
  }
}

import VMTuneHost

/// Strict readers for YAML scalars in profiles. Each returns a message and a hint on failure.
enum ScalarDecoding {
  struct Failure: Error {
    var message: String
    var hint: String?
  }

  /// A decimal integer as the kernel will read it. Refuses forms the kernel would read
  /// differently (`010` is octal 8 to the kernel) or not at all (`+5`, `1_000`, `1e3`).
  static func integer(_ node: YAMLNode) throws(Failure) -> Int64 {
    guard case .scalar(let text, let plain) = node.content else {
      throw Failure(message: "expected an integer, got a \(node.kindName)")
    }
    if !plain {
      if let n = Int64(text) {
        throw Failure(
          message: "expected an integer, got the quoted string \"\(text)\"",
          hint: "remove the quotes: \(n)")
      }
      throw Failure(message: "expected an integer, got the string \"\(text)\"")
    }
    return try integer(text: text)
  }

  static func integer(text: String) throws(Failure) -> Int64 {
    let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    if digits.hasPrefix("0x") || digits.hasPrefix("0X") || digits.hasPrefix("0o") {
      throw Failure(
        message: "'\(text)' is not a decimal integer",
        hint: "write the value in decimal; vmtune always writes canonical decimal")
    }
    if digits.count > 1, digits.hasPrefix("0"), digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
      let octal = Int64(digits, radix: 8).map { " (octal \($0))" } ?? " (not even valid octal)"
      throw Failure(
        message: "'\(text)' has a leading zero: the kernel reads it as octal\(octal)",
        hint: "drop the leading zeros, or write the octal value in decimal")
    }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      if text.isEmpty || text == "~" || text == "null" {
        throw Failure(message: "expected an integer, got nothing")
      }
      throw Failure(message: "expected an integer, got '\(text)'")
    }
    guard let n = Int64(text) else {
      throw Failure(message: "'\(text)' does not fit in a 64-bit integer")
    }
    return n
  }

  /// A percentage with up to three decimals, in thousandths: `1.5` → 1500.
  static func milliPercent(_ node: YAMLNode, of whole: String = "RAM") throws(Failure) -> Int64 {
    guard case .scalar(let text, true) = node.content else {
      throw Failure(message: "expected a number like 1 or 0.5, got a \(node.kindName)")
    }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let wholePart = Int64(parts[0]), wholePart >= 0, !parts[0].hasPrefix("+")
    else {
      throw Failure(message: "expected a non-negative number like 1 or 0.5, got '\(text)'")
    }
    var fraction: Int64 = 0
    if parts.count == 2 {
      let f = parts[1]
      guard !f.isEmpty, f.count <= 3, f.allSatisfy({ $0.isASCII && $0.isNumber }),
        let n = Int64(f)
      else {
        throw Failure(message: "'\(text)' has more than three decimals or is malformed")
      }
      fraction = n * [1, 100, 10, 1][f.count]
    }
    guard wholePart <= 100 else {
      throw Failure(message: "\(text)% of \(whole) is more than all of it", hint: "use 0 … 100")
    }
    return wholePart * 1000 + fraction
  }

  /// A share of something in per mille, written as a fraction (`0.9`) or a percentage (`90%`,
  /// `90.5%`): 900, 905. Between 0 and 1 (100 %).
  static func share(_ node: YAMLNode) throws(Failure) -> Int64 {
    guard case .scalar(let raw, true) = node.content else {
      throw Failure(message: "expected a share like 0.9 or 90%, got a \(node.kindName)")
    }
    let percent = raw.hasSuffix("%")
    let text = percent ? String(raw.dropLast()) : raw
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    let digits: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    guard parts.count <= 2, parts.allSatisfy(digits), let whole = Int64(parts[0]) else {
      throw Failure(message: "expected a share like 0.9 or 90%, got '\(raw)'")
    }
    let fraction = parts.count == 2 ? String(parts[1]) : ""
    // Per mille = value × 1000 (fraction) or × 10 (percent), from at most 3 / 1 decimals.
    let scale = percent ? 10 : 1000
    let places = percent ? 1 : 3
    guard fraction.count <= places, let f = Int64(fraction.isEmpty ? "0" : fraction) else {
      throw Failure(message: "'\(raw)' has more decimals than per mille can hold")
    }
    var tail = f
    for _ in fraction.count..<places { tail *= 10 }
    let (value, overflow) = whole.multipliedReportingOverflow(by: Int64(scale))
    guard !overflow, value + tail <= 1000 else {
      throw Failure(message: "'\(raw)' is more than all of it", hint: "use 0 … 1 or 0% … 100%")
    }
    return value + tail
  }

  /// A size with a binary unit, in kB: `64GiB`, `512M`, `1T`.
  static func kilobytes(_ text: Substring) throws(Failure) -> Int64 {
    let trimmed = text.trimmingWhitespace()
    let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
    let unit = trimmed.dropFirst(digits.count).trimmingWhitespace().lowercased()
    guard let n = Int64(digits) else {
      throw Failure(message: "expected a size like 64GiB, got '\(text)'")
    }
    let factors: [String: Int64] = [
      "k": 1, "kb": 1, "kib": 1, "m": 1024, "mb": 1024, "mib": 1024,
      "g": 1 << 20, "gb": 1 << 20, "gib": 1 << 20, "t": 1 << 30, "tb": 1 << 30, "tib": 1 << 30,
    ]
    guard let factor = factors[unit] else {
      throw Failure(
        message: "'\(text)' needs a unit", hint: "write sizes like 512MiB, 64GiB or 1TiB")
    }
    let (product, overflow) = n.multipliedReportingOverflow(by: factor)
    guard !overflow else { throw Failure(message: "'\(text)' is too large") }
    return product
  }

  /// A duration: `30s`, `15m`, `6h`, `1d`, or combinations like `1h30m` (see ``Interval``), at
  /// most a year and not zero. A bare number is refused: `every: 15` is more likely minutes.
  static func interval(_ node: YAMLNode) throws(Failure) -> Interval {
    guard let text = node.scalar, !text.isEmpty else {
      throw Failure(message: "expected a duration like 15m, got a \(node.kindName)")
    }
    if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
      throw Failure(message: "'\(text)' has no unit", hint: "write 900s or 15m, not a bare number")
    }
    let interval: Interval
    do {
      interval = try Interval.parse(text)
    } catch  where error.reason == .tooLarge {
      interval = Interval(seconds: .max)
    } catch {
      throw Failure(message: error.message, hint: error.hint)
    }
    guard interval <= .longest else {
      throw Failure(message: "'\(text)' is longer than a year", hint: "schedules and intervals go up to 366d")
    }
    guard interval > .zero else { throw Failure(message: "a duration of 0 never fires") }
    return interval
  }

  /// ``interval(_:)`` in seconds.
  static func seconds(_ node: YAMLNode) throws(Failure) -> Int64 { try interval(node).seconds }

  /// `true`/`false` (YAML 1.1's yes/no/on/off are refused as ambiguous).
  static func bool(_ node: YAMLNode) throws(Failure) -> Bool {
    switch node.scalar {
    case "true"?, "True"?: return true
    case "false"?, "False"?: return false
    default:
      throw Failure(message: "expected true or false, got '\(node.scalar ?? node.kindName)'")
    }
  }

  /// A comparison such as `>=2`, `< 5.9`, `== 2`, or a bare value (meaning `==`).
  static func comparison(_ text: String) -> (Comparison, Substring) {
    let trimmed = Substring(text).trimmingWhitespace()
    for op in [Comparison.ge, .le, .ne, .eq, .gt, .lt] where trimmed.hasPrefix(op.rawValue) {
      return (op, trimmed.dropFirst(op.rawValue.count).trimmingWhitespace())
    }
    return (.eq, trimmed)
  }
}

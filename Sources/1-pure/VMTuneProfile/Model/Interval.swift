/// A length of time in whole seconds, written `90` (seconds), `30s`, `5m`, `6h`, `2d` or combined
/// like `1h30m`. The one duration type of vmtune: profile schedules (`every:`, `min_interval:`,
/// `jitter:`), the agent's `--interval` and every duration printed.
///
/// Parsing is overflow-checked: `99999999999999999h` is an error, not a trap. ``description``
/// writes the canonical form (`1h30m`, `0s`), which parses back to the same value.
public struct Interval: Sendable, Hashable, Codable, Comparable, CustomStringConvertible,
  LosslessStringConvertible
{
  /// Never negative.
  public let seconds: Int64

  public init(seconds: Int64) {
    precondition(seconds >= 0, "an interval is never negative")
    self.seconds = seconds
  }

  public static let zero = Interval(seconds: 0)
  /// The longest schedule or interval vmtune accepts: 366 days.
  public static let longest = Interval(seconds: 366 * 86400)

  /// The same length as a `Swift.Duration`, for clocks and sleeps.
  public var duration: Swift.Duration { .seconds(seconds) }

  /// Why a text is not an interval.
  public struct ParseError: Error, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
      case empty, negative, malformed, tooLarge
    }
    public var text: String
    public var reason: Reason

    public init(text: String, reason: Reason) {
      self.text = text
      self.reason = reason
    }

    public var message: String {
      switch reason {
      case .empty: return "expected a duration like 30s, 5m or 1h30m, got nothing"
      case .negative: return "'\(text)' is negative"
      case .malformed: return "'\(text)' is not a duration"
      case .tooLarge: return "'\(text)' is too large"
      }
    }

    public var hint: String {
      switch reason {
      case .empty, .negative, .malformed:
        return "write seconds (90) or use units s, m, h, d: 30s, 15m, 6h, 1h30m, 2d"
      case .tooLarge: return "durations go up to \(Interval(seconds: .max))"
      }
    }

    public var description: String { "\(message) (\(hint))" }
  }

  /// Units in the order ``description`` writes them.
  static let units: [(Character, Int64)] = [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)]

  /// Parses `90`, `30s`, `5m`, `1h30m`, `2d`: a bare number of seconds, or numbers each followed
  /// by a unit s, m, h or d (summed). No signs, spaces or fractions.
  public static func parse(_ text: String) throws(ParseError) -> Interval {
    func fail(_ reason: ParseError.Reason) -> ParseError { ParseError(text: text, reason: reason) }
    guard !text.isEmpty else { throw fail(.empty) }
    if text.hasPrefix("-") { throw fail(.negative) }
    let isDigit = { (c: Character) in c.isASCII && c.isNumber }
    if text.allSatisfy(isDigit) {
      guard let n = Int64(text) else { throw fail(.tooLarge) }
      return Interval(seconds: n)
    }
    var total: Int64 = 0
    var rest = Substring(text)
    while !rest.isEmpty {
      let digits = rest.prefix(while: isDigit)
      rest = rest.dropFirst(digits.count)
      guard !digits.isEmpty, let unit = rest.first, let factor = units.first(where: { $0.0 == unit })?.1 else {
        throw fail(.malformed)
      }
      rest = rest.dropFirst()
      guard let n = Int64(digits) else { throw fail(.tooLarge) }
      let (part, o1) = n.multipliedReportingOverflow(by: factor)
      let (sum, o2) = total.addingReportingOverflow(part)
      guard !o1, !o2 else { throw fail(.tooLarge) }
      total = sum
    }
    return Interval(seconds: total)
  }

  /// `1h30m`, `15m`, `2d`, `0s`.
  public var description: String {
    var s = seconds
    var out = ""
    for (unit, size) in Self.units where s >= size {
      out += "\(s / size)\(unit)"
      s %= size
    }
    return out.isEmpty ? "0s" : out
  }

  public init?(_ description: String) {
    guard let parsed = try? Self.parse(description) else { return nil }
    self = parsed
  }

  public static func < (a: Interval, b: Interval) -> Bool { a.seconds < b.seconds }

  /// Encoded as its text (`"1h30m"`); decodes that or a number of seconds.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let n = try? container.decode(Int64.self) {
      guard n >= 0 else {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "negative interval \(n)")
      }
      self.init(seconds: n)
      return
    }
    let text = try container.decode(String.self)
    do {
      self = try Self.parse(text)
    } catch {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

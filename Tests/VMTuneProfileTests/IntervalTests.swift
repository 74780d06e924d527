import Foundation
import Testing
import VMTuneProfile

@Suite struct IntervalTests {
  @Test(
    arguments: [
      ("90", 90), ("0", 0), ("30s", 30), ("5m", 300), ("6h", 21600), ("1d", 86400), ("2d", 172_800),
      ("1h30m", 5400), ("1d2h3m4s", 93784), ("0s", 0), ("9223372036854775807", Int64.max),
      ("106751991167300d15h30m7s", Int64.max),
    ] as [(String, Int64)])
  func parsesValidForms(text: String, seconds: Int64) throws {
    #expect(try Interval.parse(text) == Interval(seconds: seconds))
    #expect(Interval(text)?.seconds == seconds)
  }

  @Test(
    arguments: [
      ("", Interval.ParseError.Reason.empty), ("1x", .malformed), ("h", .malformed),
      ("-5m", .negative), ("-1", .negative), ("1.5h", .malformed), ("1h30", .malformed), (" 5m", .malformed),
      ("5m ", .malformed), ("+5m", .malformed), ("1H", .malformed), ("٣s", .malformed),
      ("99999999999999999h", .tooLarge), ("9223372036854775808", .tooLarge),
      ("99999999999999999999s", .tooLarge), ("106751991167300d15h30m8s", .tooLarge),
    ] as [(String, Interval.ParseError.Reason)])
  func refusesBadAndTooLargeInput(text: String, reason: Interval.ParseError.Reason) {
    #expect(Interval(text) == nil)
    #expect(throws: Interval.ParseError(text: text, reason: reason)) { try Interval.parse(text) }
  }

  @Test func errorMessagesSayWhatIsWrong() {
    #expect(
      Interval.ParseError(text: "99999999999999999h", reason: .tooLarge).description
        == "'99999999999999999h' is too large (durations go up to 106751991167300d15h30m7s)")
    #expect(Interval.ParseError(text: "1x", reason: .malformed).message == "'1x' is not a duration")
    #expect(Interval.ParseError(text: "-5m", reason: .negative).message == "'-5m' is negative")
    #expect(Interval.ParseError(text: "", reason: .empty).message.hasSuffix("got nothing"))
  }

  @Test(arguments: [0, 1, 59, 60, 61, 3599, 3600, 5400, 86399, 86400, 90061, 366 * 86400, Int64.max] as [Int64])
  func descriptionRoundTrips(seconds: Int64) throws {
    let interval = Interval(seconds: seconds)
    #expect(try Interval.parse(interval.description) == interval)
    #expect(Interval(interval.description) == interval)
  }

  @Test func describesLikeThePlan() {
    #expect(Interval(seconds: 0).description == "0s")
    #expect(Interval(seconds: 5400).description == "1h30m")
    #expect(Interval(seconds: 900).description == "15m")
    #expect(Interval(seconds: 90061).description == "1d1h1m1s")
    #expect("\(Interval(seconds: 86400))" == "1d")
  }

  @Test func comparesConvertsAndCodes() throws {
    #expect(Interval(seconds: 59) < Interval(seconds: 60))
    #expect(Interval.longest == Interval(seconds: 366 * 86400))
    #expect(Interval(seconds: 90).duration == .seconds(90))
    #expect(Interval(seconds: Int64.max).duration == .seconds(Int64.max))
    let json = try JSONEncoder().encode([Interval(seconds: 5400)])
    #expect(String(decoding: json, as: UTF8.self) == "[\"1h30m\"]")
    #expect(try JSONDecoder().decode([Interval].self, from: json) == [Interval(seconds: 5400)])
    #expect(try JSONDecoder().decode([Interval].self, from: Data("[90]".utf8)) == [Interval(seconds: 90)])
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([Interval].self, from: Data("[\"1x\"]".utf8)) }
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([Interval].self, from: Data("[-1]".utf8)) }
  }
}

@Suite struct ProfileDurationTests {
  func action(_ fields: String) throws -> Action {
    let p = try load(["p.yaml": "apiVersion: vmtune/v1\nname: p\nactions:\n  compact: { \(fields) }\n"])
    return try #require(p.actions.first)
  }

  @Test func profileDurationsParseThroughInterval() throws {
    let a = try action("every: 1h30m, min_interval: 1d, jitter: 90s")
    #expect(a.everySeconds == 5400)
    #expect(a.minIntervalSeconds == 86400)
    #expect(a.jitterSeconds == 90)
    #expect(try action("every: 366d").everySeconds == Interval.longest.seconds)
  }

  @Test func profileDurationErrorsKeepTheirPlace() throws {
    let bad = errors("actions:\n  compact: { every: 1x }\n")
    #expect(bad.first?.message == "'1x' is not a duration")
    #expect(bad.first?.hint == "write seconds (90) or use units s, m, h, d: 30s, 15m, 6h, 1h30m, 2d")
    #expect(bad.first?.key == "actions.compact")
    #expect(bad.first?.mark?.line == 3)
    #expect(errors("actions:\n  compact: { every: -5m }\n").first?.message == "'-5m' is negative")
    #expect(errors("actions:\n  compact: { every: 0s }\n").first?.message == "a duration of 0 never fires")
    #expect(errors("actions:\n  compact: { every: 367d }\n").first?.message == "'367d' is longer than a year")
    #expect(
      errors("actions:\n  compact: { every: 1h, jitter: 99999999999999999h }\n").first?.message
        == "'99999999999999999h' is longer than a year")
    #expect(
      errors("actions:\n  compact: { every: 1h, min_interval: 99999999999999999999s }\n").first?.message
        == "'99999999999999999999s' is longer than a year")
  }
}

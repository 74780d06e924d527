import VMTuneProfile

/// Reads the agent's clocks and notices when the wall clock was stepped between two readings:
/// the wall clock moved by more (or less) than the monotonic clock did.
struct ClockWatch {
  let clock: any AgentClock
  private var last: (wall: Int64, monotonic: Swift.Duration)?

  /// Differences up to this many seconds are reading noise (the wall clock is read in whole
  /// seconds) or NTP slewing, not a step.
  static let tolerance: Int64 = 2

  init(clock: any AgentClock) { self.clock = clock }

  /// The wall clock now, and how far it was stepped since the previous reading: negative when
  /// it was set back, 0 when it kept pace with the monotonic clock (or on the first reading).
  mutating func read() -> (now: Int64, step: Int64) {
    let wall = clock.now()
    let monotonic = clock.monotonic()
    defer { last = (wall, monotonic) }
    guard let last else { return (wall, 0) }
    let (seconds, attoseconds) = (monotonic - last.monotonic).components
    let elapsed = seconds + (attoseconds >= 500_000_000_000_000_000 ? 1 : 0)
    let (expected, o1) = last.wall.addingReportingOverflow(elapsed)
    let (step, o2) = wall.subtractingReportingOverflow(expected)
    guard !o1, !o2, abs(step) > Self.tolerance else { return (wall, 0) }
    return (wall, step)
  }

  /// The log line for a step: `the wall clock stepped back by 1d; …`.
  static func stepLine(_ step: Int64) -> AgentLine {
    let direction = step < 0 ? "back" : "forward"
    return AgentLine(
      level: .warning,
      message: "the wall clock stepped \(direction) by \(Interval(seconds: Int64(clamping: step.magnitude))); "
        + "schedules, rate limits and hold-offs keep the time they had left (measured on the monotonic clock)")
  }
}

extension Int64 {
  /// Moves a time by `step` seconds, saturating (a hand-edited state file cannot make it trap).
  mutating func shift(by step: Int64) {
    let (sum, overflow) = addingReportingOverflow(step)
    self = overflow ? (step < 0 ? .min : .max) : sum
  }
}

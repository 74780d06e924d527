import VMTuneKernel

/// The agent's two clocks. The wall clock (the same ``WallClock`` the applier stamps journals
/// with) gives the epoch seconds that run history is stored in, so it holds across restarts and
/// `--once` runs; the monotonic clock measures how much time really passed between two cycles of
/// one process, so a wall clock that is stepped (by an operator or NTP) is detected and neither
/// suspends nor hurries schedules, rate limits and hold-offs. Injectable so tests move both.
public protocol AgentClock: WallClock {
  /// Time on a clock that never steps and counts suspend (only differences are meaningful).
  func monotonic() -> Swift.Duration
}

/// The real clocks: `time(2)` and the standard library's `ContinuousClock`.
public struct SystemClock: AgentClock {
  private let origin = ContinuousClock.now

  public init() {}

  public func now() -> Int64 { SystemWallClock().now() }

  public func monotonic() -> Swift.Duration { origin.duration(to: .now) }
}

/// Deterministic jitter: a value in 0 … max for each action, from a seed (fleet hosts use their
/// hostname, so each host keeps its own offset across restarts).
public struct Jitter: Sendable {
  public var seed: UInt64

  public init(seed: UInt64) { self.seed = seed }

  public init(seedText: String) {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
    for b in seedText.utf8 {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    self.init(seed: h)
  }

  public func offset(_ maxSeconds: Int64, salt: String) -> Int64 {
    guard maxSeconds > 0 else { return 0 }
    var h = seed
    for b in salt.utf8 {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    return Int64(h % UInt64(maxSeconds + 1))
  }
}

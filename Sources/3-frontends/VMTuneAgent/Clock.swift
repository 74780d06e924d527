import VMTuneKernel

/// The agent's wall clock for schedules, rate limits and backoff (run history is stored as epoch
/// seconds, so it must be the wall clock) is the same injectable ``WallClock`` the applier stamps
/// journals with; durations it measures use the monotonic `ContinuousClock`.
public typealias AgentClock = WallClock

/// The real clock.
public typealias SystemClock = SystemWallClock

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

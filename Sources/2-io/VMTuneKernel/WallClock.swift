#if canImport(Glibc)
  import Glibc
#endif

/// Wall-clock time in whole seconds since the epoch: journal timestamps, agent schedules that
/// must hold across runs. Injectable so tests control it; monotonic intervals use the standard
/// library's `ContinuousClock` instead.
public protocol WallClock: Sendable {
  func now() -> Int64
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
  public init() {}
  public func now() -> Int64 { Int64(time(nil)) }
}

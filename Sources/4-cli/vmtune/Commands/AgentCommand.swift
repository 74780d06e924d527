import ArgumentParser
import Synchronization
import VMTuneAgent
import VMTuneFrontend
import VMTuneKernel
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

/// Set from signal handlers (lock-free atomics are async-signal-safe).
private let stopRequested = Atomic<Bool>(false)
private let reloadRequested = Atomic<Bool>(false)

struct AgentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agent",
    abstract: "Keep a profile applied and run its compaction / drop_caches actions.",
    discussion: """
      Every --interval it re-reads the host, logs sysctls that drifted (and who changed them:
      vmtune or someone else) and applies the profile back (journaled, like apply). Then it
      runs each action whose schedule (every:) is due or whose condition (when:) holds now:
      conditions are evaluated every cycle, per node or zone, from /proc/buddyinfo (free
      blocks and bytes of an order, the unusable share), /proc/zoneinfo (headroom, the
      kernel's fragmentation score) and /proc/vmstat (stalls and kswapd scanning since the
      previous cycle). min_interval bounds how often an action runs, whatever starts it.
      Each run logs the numbers that started it and its measured effect (free blocks before →
      after, vmstat compact_* deltas). A run that changed nothing is logged as a warning and
      the action is held off (twice min_interval or 1 min, doubling, at most 1 h) until then
      or until free memory changes by a tenth.

      Logs are plain lines on standard error; under systemd (JOURNAL_STREAM set) each carries
      a <N> priority prefix for journald. SIGTERM or SIGINT stop it after the current step;
      SIGHUP reloads the profile (an invalid profile is logged and the old one keeps running).
      --once runs a single cycle, for cron or a systemd timer, and exits 1 when anything in it
      failed (reading the host, enforcing the profile, an action), so the unit shows failed;
      each action's history (last run, futile runs, hold-off, last effect) is kept in
      DIR/var/lib/vmtune/agent-state.json so schedules, rate limits and hold-offs hold across
      runs. Schedules count on the monotonic clock: a wall clock stepped back or forward is
      logged and moves nothing that was due.
      """)

  @OptionGroup var host: HostOptions

  @Argument(help: "Profile name or path.", completion: Completions.profile)
  var profile: String

  @Option(
    help: ArgumentHelp(
      """
      Time between cycles: seconds (90) or with units s, m, h, d (30s, 5m, 1h30m, 1d); \
      \(Self.shortest) to \(Interval.longest) (default: \(Self.defaultInterval)).
      """,
      valueName: "DURATION"),
    transform: Interval.argument)
  var interval = Self.defaultInterval

  @Flag(help: "Run one cycle and exit (for timers and cron).")
  var once = false

  @Flag(name: .customLong("no-enforce"), help: "Log drift but do not apply the profile back.")
  var noEnforce = false

  /// Stop after N cycles (benchmarks: bench/agent-cycle.py runs `--interval 0 --cycles 1000`).
  @Option(name: .long, help: .hidden)
  var cycles: Int?

  static let defaultInterval = Interval(seconds: 60)
  /// The shortest --interval: each cycle re-reads the host, so 0 would be a busy loop (allowed
  /// only with the hidden --cycles, which bounds the loop).
  static let shortest = Interval(seconds: 1)

  func validate() throws {
    if let cycles, cycles < 1 { throw ValidationError("--cycles must be at least 1") }
    guard interval >= Self.shortest || cycles != nil else {
      throw ValidationError(
        "--interval \(interval) is too short: cycles must be at least \(Self.shortest) apart")
    }
    guard interval <= .longest else {
      throw ValidationError("--interval \(interval) is longer than a year: use at most \(Interval.longest)")
    }
  }

  static func emit(_ line: AgentLine) {
    let journal = getenv("JOURNAL_STREAM") != nil
    let text = journal ? "<\(line.level.rawValue)>\(line.message)" : "vmtune agent: \(line.message)"
    Terminal.error(text)
  }

  func run() throws {
    let frontend = try host.frontend()
    let loaded = try frontend.loadProfile(profile)
    let files = frontend.files
    let agent = Agent(
      profile: loaded, files: files,
      executor: KernelActionExecutor(files: files),
      clock: SystemClock(), jitter: Jitter(seedText: (try? files.readText("proc/sys/kernel/hostname")) ?? "vmtune"),
      enforce: !noEnforce)
    // A compaction with `until:` raises compaction_proactiveness for its duration; one a crash
    // interrupted is put back before anything else.
    if let restored = try? TargetedCompaction(files: files).restorePending() {
      Self.emit(
        AgentLine(
          level: .warning,
          message: "compaction_proactiveness was left raised by an interrupted compaction; restored \(restored)"))
    }
    if !once && cycles == nil {
      signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
      signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
      signal(SIGHUP) { _ in reloadRequested.store(true, ordering: .relaxed) }
      let source = loaded.files.first ?? ""
      Self.emit(
        AgentLine(
          level: .info,
          message: "started: profile \(loaded.name) (\(source)), \(loaded.actions.count) action(s), "
            + "every \(interval), root \(files.rootDescription)"))
    }
    var done = 0
    while true {
      for line in agent.cycle() { Self.emit(line) }
      done += 1
      if once, agent.lastCycleFailed { throw ExitCode.failure }
      if once || done >= (cycles ?? Int.max) { return }
      Self.sleep(interval.duration)
      if stopRequested.load(ordering: .relaxed) {
        Self.emit(AgentLine(level: .info, message: "stopping on signal after \(agent.cycles) cycle(s)"))
        return
      }
      if reloadRequested.exchange(false, ordering: .relaxed) {
        do {
          let next = try frontend.loadProfile(profile)
          agent.replace(profile: next)
          Self.emit(
            AgentLine(
              level: .notice,
              message:
                "reloaded profile \(next.name): \(next.settings.count) sysctl(s), \(next.actions.count) action(s)"))
        } catch {
          Self.emit(
            AgentLine(
              level: .error, message: "reload failed, keeping profile \(agent.profile.name): \(ErrorText.render(error))"
            ))
        }
      }
    }
  }

  /// Sleeps for `length` on the monotonic clock (a wall-clock step neither shortens nor
  /// stretches it), in steps of at most 100 ms so that a signal ends it promptly.
  static func sleep(_ length: Duration) {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: length)
    while !stopRequested.load(ordering: .relaxed), !reloadRequested.load(ordering: .relaxed) {
      let left = clock.now.duration(to: deadline)
      guard left > .zero else { return }
      let (seconds, attoseconds) = min(left, .milliseconds(100)).components
      var step = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
      _ = nanosleep(&step, nil)
    }
  }
}

extension Interval: ExpressibleByArgument {
  public init?(argument: String) { self.init(argument) }

  public var defaultValueDescription: String { description }

  /// Parses an option value; the error says what is wrong (printed after "The value … is invalid").
  @Sendable static func argument(_ text: String) throws -> Interval {
    do {
      return try Interval.parse(text)
    } catch  where error.reason == .tooLarge {
      throw ValidationError("'\(text)' is too large (use at most \(Interval.longest))")
    } catch {
      throw ValidationError(error.description)
    }
  }
}

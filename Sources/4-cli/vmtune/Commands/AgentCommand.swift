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
      vmtune or someone else) and applies the profile back (journaled, like apply); then it
      runs each action whose schedule (every:) or condition (when:, evaluated per zone from
      /proc/buddyinfo and /proc/zoneinfo) is due, within min_interval, and logs the numbers
      that triggered it and the effect (free blocks before → after, vmstat compact_* deltas).

      Logs are plain lines on standard error; under systemd (JOURNAL_STREAM set) each carries
      a <N> priority prefix for journald. SIGTERM or SIGINT stop it after the current step;
      SIGHUP reloads the profile (an invalid profile is logged and the old one keeps running).
      --once runs a single cycle, for cron or a systemd timer; action history is kept in
      DIR/var/lib/vmtune/agent-state.json so schedules and rate limits hold across runs.
      """)

  @OptionGroup var host: HostOptions

  @Argument(help: "Profile name or path.")
  var profile: String

  @Option(help: ArgumentHelp("Seconds between cycles (also 30s, 5m).", valueName: "DURATION"))
  var interval: String = "60s"

  @Flag(help: "Run one cycle and exit (for timers and cron).")
  var once = false

  @Flag(name: .customLong("no-enforce"), help: "Log drift but do not apply the profile back.")
  var noEnforce = false

  @Option(name: .long, help: .hidden)
  var cycles: Int?

  func intervalSeconds() throws -> Int64 {
    let text = interval.allSatisfy(\.isNumber) ? interval + "s" : interval
    var total: Int64 = 0
    var number = ""
    for ch in text {
      if ch.isNumber { number.append(ch); continue }
      guard let n = Int64(number), let unit = ["s": Int64(1), "m": 60, "h": 3600][String(ch)] else {
        throw ValidationError("--interval takes a duration like 30s, 5m or 1h")
      }
      total += n * unit
      number = ""
    }
    guard number.isEmpty else { throw ValidationError("--interval takes a duration like 30s, 5m or 1h") }
    return total
  }

  func validate() throws { _ = try intervalSeconds() }

  static func emit(_ line: AgentLine) {
    let journal = getenv("JOURNAL_STREAM") != nil
    let text = journal ? "<\(line.level.rawValue)>\(line.message)" : "vmtune agent: \(line.message)"
    Terminal.error(text)
  }

  func run() throws {
    let frontend = try host.frontend()
    let loaded = try frontend.loadProfile(profile)
    let files = frontend.files
    let seconds = try intervalSeconds()
    let agent = Agent(
      profile: loaded, files: files,
      executor: KernelActionExecutor(files: files, monotonic: { Self.monotonic() }),
      clock: SystemClock(), jitter: Jitter(seedText: (try? files.readText("proc/sys/kernel/hostname")) ?? "vmtune"),
      enforce: !noEnforce)
    if !once && cycles == nil {
      signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
      signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
      signal(SIGHUP) { _ in reloadRequested.store(true, ordering: .relaxed) }
      Self.emit(AgentLine(level: .info, message: "started: profile \(loaded.name) (\(loaded.files.first ?? "")), \(loaded.actions.count) action(s), every \(seconds)s, root \(files.rootDescription)"))
    }
    var done = 0
    while true {
      for line in agent.cycle() { Self.emit(line) }
      done += 1
      if once || done >= (cycles ?? Int.max) { return }
      // Sleep in short steps so signals take effect promptly.
      var slept: Int64 = 0
      while slept < seconds * 10, !stopRequested.load(ordering: .relaxed), !reloadRequested.load(ordering: .relaxed) {
        usleep(100_000)
        slept += 1
      }
      if stopRequested.load(ordering: .relaxed) {
        Self.emit(AgentLine(level: .info, message: "stopping on signal after \(agent.cycles) cycle(s)"))
        return
      }
      if reloadRequested.exchange(false, ordering: .relaxed) {
        do {
          let next = try frontend.loadProfile(profile)
          agent.replace(profile: next)
          Self.emit(AgentLine(level: .notice, message: "reloaded profile \(next.name): \(next.settings.count) sysctl(s), \(next.actions.count) action(s)"))
        } catch {
          Self.emit(AgentLine(level: .error, message: "reload failed, keeping profile \(agent.profile.name): \(ErrorText.render(error))"))
        }
      }
    }
  }

  static func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}

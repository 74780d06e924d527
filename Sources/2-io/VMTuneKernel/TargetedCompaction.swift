import VMTuneHost

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Compaction through kcompactd's proactive mode, which stops at a target instead of compacting
/// every zone through (docs/KERNEL.md, Proactive compaction): `compaction_proactiveness` is raised
/// to 100 minus the target share, the write wakes kcompactd on every node (5.15+; within 500 ms
/// before), kcompactd compacts each zone of a node whose score is above the target plus 10 until the
/// zone's score is at most the target, and the previous value is written back once the compaction
/// counters have stopped moving.
///
/// The previous value is kept in `var/lib/vmtune/proactiveness-restore` from before the raise until
/// it is written back, so a crash in between is repaired by ``restorePending()`` (the agent calls it
/// when it starts and before each proactive compaction).
public struct TargetedCompaction: Sendable {
  public let files: HostFiles
  /// How long the counters must stand still before kcompactd counts as done (it re-checks a node
  /// every 500 ms while the node stays above the target).
  public var settle: Duration
  /// At most this long in all, whatever kcompactd does.
  public var limit: Duration

  static let knob = "proc/sys/vm/compaction_proactiveness"
  static let restoreFile = "var/lib/vmtune/proactiveness-restore"
  static let work = ["compact_migrate_scanned", "compact_free_scanned"]

  public init(files: HostFiles, settle: Duration = .milliseconds(1500), limit: Duration = .seconds(60)) {
    self.files = files
    self.settle = settle
    self.limit = limit
  }

  /// Whether this kernel has proactive compaction (5.9+).
  public var isAvailable: Bool { files.kind(Self.knob) == .file }

  /// Writes back a value a crashed run left raised; returns it (nil when nothing was pending).
  @discardableResult
  public func restorePending() throws(KernelError) -> Int? {
    guard let text = try? files.readText(Self.restoreFile), let value = Int(text.trimmingWhitespace()),
      (0...100).contains(value)
    else { return nil }
    try files.overwrite(Self.knob, Array("\(value)\n".utf8))
    try files.remove(Self.restoreFile)
    return value
  }

  /// Compacts until at most `percent` % of each fragmented zone's free memory is in blocks smaller
  /// than a huge page, then writes the previous `compaction_proactiveness` back.
  public func run(untilUnusablePercent percent: Int) throws(KernelError) {
    try restorePending()
    let previous = try files.readText(Self.knob).trimmingWhitespace()
    try files.secureStateDirectory("var/lib/vmtune")
    try files.writeAtomically(Self.restoreFile, Array("\(previous)\n".utf8))
    var failure: KernelError?
    do {
      try files.overwrite(Self.knob, Array("\(100 - percent)\n".utf8))
      waitForKcompactd()
    } catch {
      failure = error
    }
    try files.overwrite(Self.knob, Array("\(previous)\n".utf8))
    try files.remove(Self.restoreFile)
    if let failure { throw failure }
  }

  /// Polls the compaction counters until they stand still for ``settle`` (or ``limit`` passes).
  func waitForKcompactd() {
    let clock = ContinuousClock()
    let start = clock.now
    var lastChange = start
    var last = scanned()
    let step = settle / 6
    while clock.now - start < limit {
      sleep(step)
      let now = clock.now
      let current = scanned()
      if current != last {
        last = current
        lastChange = now
      } else if now - lastChange >= settle {
        return
      }
    }
  }

  /// Pages scanned by compaction so far (nil when /proc/vmstat is unreadable).
  func scanned() -> UInt64? {
    guard let text = try? files.readText("proc/vmstat"), let stats = try? VMStat.parse(text, source: "proc/vmstat")
    else { return nil }
    return Self.work.reduce(UInt64(0)) { $0 + (stats[$1] ?? 0) }
  }

  func sleep(_ d: Duration) {
    let (seconds, attoseconds) = d.components
    var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    _ = nanosleep(&ts, nil)  // a signal cuts one poll short; the loop polls again
  }
}

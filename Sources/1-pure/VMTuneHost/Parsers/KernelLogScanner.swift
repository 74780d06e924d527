/// Reads a kernel log one line at a time, keeping only what it found: the log reader streams
/// a file of any size through it with flat memory. Lines are split at the prefixes of records
/// pasted without their newlines, prefixes are removed (``LogPrefix``), the printk fragments of a
/// buddy line that journald stored one per line are joined again, an OOM choice and the kill that
/// follows it count once, and each Mem-Info dump becomes a ``MemoryReport`` tied to the failure or
/// OOM it followed.
public struct KernelLogScanner: Sendable {
  /// Named in parse errors.
  public let source: String
  private var log = KernelLog()
  private var lineNumber = 0
  /// A buddy line being joined from fragments, with its first line, time and host.
  private var fragments: [UInt8] = []
  private var fragmentsLine = 0
  private var fragmentsTime: String?
  private var fragmentsHost: String?
  /// The latest `invoked oom-killer` not yet matched with its kill.
  private var invocation: (comm: String, order: Int?, mode: UInt64?)?
  /// An OOM choice waiting for its `Killed process` line.
  private var choice: OOMKill?
  /// The failure or invocation the next Mem-Info dump belongs to.
  private var cause: ReportCause?
  private var report: MemoryReport?
  /// Where each (kind, order, mask, nodemask) is in ``KernelLog/failureTallies``.
  private var tallyIndex: [TallyKey: Int] = [:]

  private struct TallyKey: Hashable {
    var kind: AllocationFailure.Kind
    var order: Int
    var mode: UInt64?
    var nodemask: String?
  }

  public init(source: String = "kernel log") { self.source = source }

  /// Reads one line (without its newline); `continuing`: another piece of the line before it
  /// (a line longer than the reader holds), which keeps its number.
  public mutating func feed(_ line: UnsafeBufferPointer<UInt8>, continuing: Bool = false) throws(ParseError) {
    if !continuing { lineNumber += 1 }
    let t = LogText(line).trimmingTrailing()
    if t.isEmpty { return }
    let triggers = LogPrefix.triggers(t)
    let pieces = LogPrefix.records(t, triggers)
    for piece in pieces {
      let whole = pieces.count == 1
      let r = LogPrefix.strip(
        piece, kernelColon: triggers.firstKernelColon >= 0 ? triggers.firstKernelColon : nil,
        known: whole)
      try record(r, triggers, whole: whole)
    }
  }

  /// Reads one line of text.
  public mutating func feed(_ line: some StringProtocol) throws(ParseError) {
    var copy = String(line)
    var failure: ParseError?
    copy.withUTF8 { buffer in
      do throws(ParseError) { try feed(buffer) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  /// Everything found, after the last line.
  public mutating func finish() throws(ParseError) -> KernelLog {
    try joinFragments()
    flushChoice()
    closeReport()
    return log
  }

  // MARK: Records

  private mutating func record(_ r: LogPrefix.Record, _ triggers: LogPrefix.Triggers, whole: Bool) throws(ParseError) {
    let m = r.message
    if !fragments.isEmpty {
      // `Node 0` then `DMA32:`, or counts, letters and the total.
      let zoneAfterNode = !fragments.contains(0x3A) && LogMatchers.isStart(m) && !m.trimmed().has("Node ")
      if zoneAfterNode || LogMatchers.isContinuation(m) {
        fragments.append(0x20)
        fragments.append(contentsOf: m.trimmed().bytes)
        if m.trimmed().has("=") { try joinFragments() }
        return
      }
      try joinFragments()
    }
    if m.count <= 40, LogMatchers.isStart(m) {
      startFragments(m.trimmed().bytes, r)
      return
    }
    // Between a failure or OOM and its Mem-Info: the kernel release of the report's header.
    if cause != nil, report == nil, cause?.kernelRelease == nil, let release = LogMatchers.kernelRelease(m) {
      cause?.kernelRelease = release
      return
    }
    // A piece of a flattened line was not seen by the line's triggers alone: check it fully.
    let may = whole ? triggers : LogPrefix.triggers(m)
    if may.alloc, let f = try LogMatchers.failure(m, lineNumber, source) {
      closeReport()
      let time = r.time?.string
      let host = r.host?.string
      note(host)
      tally(f)
      if log.allocationFailures.count < KernelLog.maxListed {
        log.allocationFailures.append(
          AllocationFailure(
            kind: f.kind, comm: f.comm, order: f.order, mode: f.mode, flags: f.flags, nodemask: f.nodemask,
            line: lineNumber, time: time, host: host))
      }
      if f.kind == .page {
        cause = ReportCause(
          kind: .allocationFailure, comm: f.comm, order: f.order, mode: f.mode, nodemask: f.nodemask,
          line: lineNumber, time: time, host: host)
      }
      return
    }
    if may.kill {
      if let i = try LogMatchers.invocation(m, lineNumber, source) {
        closeReport()
        invocation = i
        note(r.host?.string)
        cause = ReportCause(
          kind: .oom, comm: i.comm, order: i.order, mode: i.mode, nodemask: nil, line: lineNumber,
          time: r.time?.string, host: r.host?.string)
        return
      }
      if let o = try LogMatchers.oom(m, lineNumber, source) {
        oom(o, r)
        return
      }
    }
    if may.star, may.kB {
      let (lines, open) = try LogMatchers.buddyLines(m, lineNumber, source)
      if open, lines.count == 1 {
        // Journald may have cut the line: later fragments continue it.
        startFragments(m.trimmed().bytes, r)
        return
      }
      add(lines, time: r.time?.string, host: r.host?.string)
    }
  }

  private mutating func oom(_ o: LogMatchers.OOMLine, _ r: LogPrefix.Record) {
    let time = r.time?.string
    let host = r.host?.string
    note(host)
    var kill: OOMKill
    switch o {
    case .choice(let pid, let comm, let cgroup):
      flushChoice()
      choice = OOMKill(pid: pid, comm: comm, line: lineNumber, cgroup: cgroup, time: time, host: host)
      return
    case .kill(let pid, let comm, let cgroup):
      flushChoice()
      kill = OOMKill(pid: pid, comm: comm, line: lineNumber, cgroup: cgroup, time: time, host: host)
    case .bareKill(let pid, let comm):
      if let c = choice {
        // The choice names the process scored; a child may be the one killed.
        kill = c
        kill.pid = pid
        kill.comm = comm
        choice = nil
      } else {
        kill = OOMKill(pid: pid, comm: comm, line: lineNumber, time: time, host: host)
      }
    }
    append(kill)
  }

  private mutating func flushChoice() {
    if let c = choice {
      choice = nil
      append(c)
    }
  }

  private mutating func append(_ kill: OOMKill) {
    var k = kill
    if let i = invocation {
      k.order = i.order
      k.mode = i.mode
      k.invoker = i.comm
      invocation = nil
    }
    log.oomKillCount += 1
    if log.oomKills.count < KernelLog.maxListed { log.oomKills.append(k) }
  }

  /// Counts a failure with the others of its kind, order, mask and nodemask.
  private mutating func tally(_ f: LogMatchers.Failure) {
    let key = TallyKey(kind: f.kind, order: f.order, mode: f.mode, nodemask: f.nodemask)
    if let i = tallyIndex[key] {
      log.failureTallies[i].count += 1
      if log.failureTallies[i].processes.count < KernelLog.maxProcesses, !f.comm.isEmpty,
        !log.failureTallies[i].processes.contains(f.comm)
      {
        log.failureTallies[i].processes.append(f.comm)
      }
      return
    }
    tallyIndex[key] = log.failureTallies.count
    log.failureTallies.append(
      FailureTally(
        kind: f.kind, order: f.order, mode: f.mode, flags: f.flags, nodemask: f.nodemask, count: 1,
        firstLine: lineNumber, processes: f.comm.isEmpty ? [] : [f.comm]))
  }

  // MARK: Mem-Info reports

  private mutating func add(_ lines: [BuddyLine], time: String?, host: String?) {
    for b in lines {
      // A zone printed twice starts another dump.
      if let open = report, open.buddyLines.contains(where: { $0.node == b.node && $0.zone == b.zone }) {
        closeReport()
      }
      if report == nil {
        note(host)
        report = MemoryReport(line: b.line, cause: cause, buddyLines: [], time: time, host: host)
        cause = nil
      }
      report?.buddyLines.append(b)
    }
  }

  private mutating func closeReport() {
    guard let r = report else { return }
    report = nil
    log.reports.append(r)
    if log.reports.count > KernelLog.maxReports {
      log.reports.removeFirst()
      log.reportsDropped += 1
    }
  }

  private mutating func note(_ host: String?) {
    if let host, log.hosts.last != host, !log.hosts.contains(host), log.hosts.count < 16 { log.hosts.append(host) }
  }

  // MARK: Fragments of a buddy line

  private mutating func startFragments(_ bytes: [UInt8], _ r: LogPrefix.Record) {
    fragments = bytes
    fragmentsLine = lineNumber
    fragmentsTime = r.time?.string
    fragmentsHost = r.host?.string
  }

  /// Reads the joined fragments as one buddy line, numbered by its first.
  private mutating func joinFragments() throws(ParseError) {
    guard !fragments.isEmpty else { return }
    let joined = fragments
    fragments = []
    var failure: ParseError?
    var found: [BuddyLine] = []
    joined.withUnsafeBufferPointer { buffer in
      do throws(ParseError) { found = try LogMatchers.buddyLines(LogText(buffer), fragmentsLine, source).lines } catch {
        failure = error
      }
    }
    if let failure { throw failure }
    add(found, time: fragmentsTime, host: fragmentsHost)
  }
}

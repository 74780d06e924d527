import ArgumentParser
import VMTuneDiagnose
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTuneProfile

struct DiagnoseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diagnose",
    abstract: "Explain this host's memory: fragmentation, watermarks, reclaim, with advice.",
    discussion: """
      Reads /proc/buddyinfo, /proc/zoneinfo, /proc/vmstat and /proc/meminfo (under --root) and,
      with --log, a kernel log ('-' reads standard input). For each zone it shows free memory by order, the kernel's fragmentation and
      unusable-free-space indexes for the orders that failed (default 4 and 9), watermark
      headroom, and what compaction_suitable() would decide. It ends with advice — compact,
      drop caches, raise or lower min_free_kbytes to a computed value, check KSM — and the
      profile lines that encode it. Read-only.

      A zone where more than half of the free memory sits in blocks too small for an order of
      interest is a finding even while blocks of that order are left (the fragmentation index is
      then -1.000 and compaction_suitable() sees nothing): the unusable free space index, above
      0.5 a finding and above 0.8 a strong one (docs/KERNEL.md, Fragmentation indexes). On hosts
      with several nodes each node's zones are also judged together, as 'per: node' conditions
      count them. The compaction advice's profile lines use those conditions.

      With --profile NAME-or-PATH, the orders the profile's action conditions protect are
      analysed too, and each action is forecast on this host as 'plan' does: the advice names an
      action that would run now ("the profile's compact action would run now: ...").

      The log may come from another host and need not be the live host's: each Mem-Info report in
      it (the buddy lines the kernel printed at an allocation failure or OOM) is analysed as the
      memory state of the host that wrote it, titled with that host, the time, the failure and
      the kernel, and shown apart from this host's /proc/buddyinfo. Under a --root without
      proc/meminfo the log alone is diagnosed. Logs may be dmesg (also -T), journalctl -k (short,
      short-precise, short-iso, short-monotonic, cat), syslog files or pastes without newlines,
      of any kernel from 2.4 to 6.x, and gzipped; they are read as a stream.
      """)

  @OptionGroup var host: HostOptions

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A kernel log to scan for allocation failures and OOM reports ('-' for stdin).", valueName: "FILE"),
    completion: .file())
  var log: String?

  @Option(
    name: .long, parsing: .upToNextOption,
    help: ArgumentHelp(
      "Allocation orders to analyse (default: the orders that failed in the log, else 4 and 9).", valueName: "N"))
  var order: [Int] = []

  @Option(
    help: ArgumentHelp(
      "A profile whose action conditions add their orders and whose actions are forecast on this host.",
      valueName: "NAME-or-PATH"),
    completion: Completions.profile)
  var profile: String?

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Flag(name: .customLong("no-color"), help: "Never colour the output.")
  var noColor = false

  @Flag(
    name: .long,
    help: """
      Print only the fragmentation and unusable indexes of every order, as debugfs extfrag/extfrag_index and \
      extfrag/unusable_index print them.
      """
  )
  var debugfs = false

  func validate() throws {
    if let bad = order.first(where: { !(0...Int(MemoryCondition.maxOrder)).contains($0) }) {
      throw ValidationError("--order \(bad) is outside 0 … \(MemoryCondition.maxOrder)")
    }
  }

  func run() throws {
    let frontend = try host.frontend()
    var kernelLog: KernelLog?
    if let log {
      do { kernelLog = try LogFile.read(log) } catch {
        // A file the user named: missing is "no such file", not a knob this kernel lacks.
        let reason = error == .noSuchFile(path: log) ? "no such file" : error.description
        throw VMTuneError.file(path: log, what: "the log", reason: reason)
      }
    }
    // With a log, no live host is needed: a root without /proc (another machine's log read
    // anywhere) diagnoses the log alone.
    var snap: HostSnapshot?
    if kernelLog == nil || frontend.files.kind("proc/meminfo") != .missing { snap = try frontend.readHost() }
    if debugfs {
      print(DebugfsText.render(snap?.buddyInfo ?? []), terminator: "")
      return
    }
    let loaded = try profile.map { (p: String) throws(VMTuneError) in try frontend.loadProfile(p) }
    let d: Diagnosis
    if let snap {
      d = Diagnoser.diagnose(snap, log: kernelLog, orders: order, profile: loaded)
    } else {
      d = Diagnoser.diagnose(
        log: kernelLog ?? KernelLog(), orders: order, profile: loaded,
        noHost: "\(frontend.files.rootDescription) has no proc/meminfo")
    }
    let pages = d.pages
    if let bad = order.first(where: { !pages.has(order: $0) }) {
      throw VMTuneError.other(
        "--order \(bad): this host has buddy orders 0 … \(pages.orderCount - 1) (\(pages.pageSize) pages)",
        hint: "order \(pages.hugePageOrder) is a huge page here")
    }
    switch format {
    case .json: print(try JSONFile.string(d))
    case .text: print(DiagnosisText(terminal: .detect(forceOff: noColor)).render(d), terminator: "")
    }
  }
}

import ArgumentParser
import VMTuneDiagnose
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel

struct DiagnoseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diagnose",
    abstract: "Explain this host's memory: fragmentation, watermarks, reclaim, with advice.",
    discussion: """
      Reads /proc/buddyinfo, /proc/zoneinfo, /proc/vmstat and /proc/meminfo (under --root) and,
      with --log, a kernel log (dmesg, journalctl -k, /var/log/messages; '-' reads standard
      input). For each zone it shows free memory by order, the kernel's fragmentation and
      unusable-free-space indexes for the orders that failed (default 4 and 9), watermark
      headroom, and what compaction_suitable() would decide. It ends with advice — compact,
      drop caches, raise or lower min_free_kbytes to a computed value, check KSM — and the
      profile lines that encode it. Read-only.

      Offline: with --log and a root that has no buddyinfo, the buddy lines of the log's OOM
      reports are analysed instead.
      """)

  @OptionGroup var host: HostOptions

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A kernel log to scan for allocation failures and OOM reports ('-' for stdin).", valueName: "FILE"))
  var log: String?

  @Option(
    name: .long, parsing: .upToNextOption,
    help: ArgumentHelp(
      "Allocation orders to analyse (default: the orders that failed in the log, else 4 and 9).", valueName: "N"))
  var order: [Int] = []

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
    if let bad = order.first(where: { !(0...10).contains($0) }) {
      throw ValidationError("--order \(bad) is outside 0 … 10")
    }
  }

  func run() throws {
    let snap = try host.frontend().readHost()
    var kernelLog: KernelLog?
    if let log {
      let text: String
      do { text = log == "-" ? Self.readStdin() : try HostFiles.plain.readText(log, limit: 256 << 20) } catch {
        throw VMTuneError.file(path: log, what: "the log", reason: error.description)
      }
      do { kernelLog = try KernelLog.parse(text, source: log == "-" ? "<stdin>" : log) } catch {
        throw VMTuneError.file(path: log, what: "the log", reason: error.description)
      }
    }
    if debugfs {
      print(DebugfsText.render(snap.buddyInfo ?? []), terminator: "")
      return
    }
    let d = Diagnoser.diagnose(snap, log: kernelLog, orders: order)
    switch format {
    case .json: print(try JSONFile.string(d))
    case .text: print(DiagnosisText(terminal: .detect(forceOff: noColor)).render(d), terminator: "")
    }
  }

  static func readStdin() -> String {
    var lines: [String] = []
    while let line = readLine(strippingNewline: false) { lines.append(line) }
    return lines.joined()
  }
}

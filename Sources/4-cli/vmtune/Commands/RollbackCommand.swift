import ArgumentParser
import VMTuneApply
import VMTuneFrontend
import VMTuneKernel

struct RollbackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback",
    abstract: "Restore the values an apply replaced.",
    discussion: """
      Without options, undoes the newest applied journal. --to N undoes every
      applied generation from the newest back to N. Values are compared first and
      only those that differ are written; each is read back. A journal left
      'in-progress' by a crash is recovered first. Journals live in
      DIR/var/lib/vmtune/journal/.
      """)

  @OptionGroup var host: HostOptions

  @Flag(name: .long, help: "List journal generations and exit.")
  var list = false

  @Option(name: .long, help: ArgumentHelp("Roll back to before generation N.", valueName: "N"))
  var to: Int?

  @Flag(name: .long, help: "Do not ask for confirmation.")
  var yes = false

  @Option(help: "Output format for --list: text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let applier = Applier(files: try host.frontend().files)
    if list {
      let journals: [Journal]
      do { journals = try applier.journals.all() } catch { throw VMTuneError.apply(error) }
      if format == .json {
        print(try JSONFile.string(journals))
        return
      }
      if journals.isEmpty {
        print("No journals under \(host.files.path(JournalStore.directory)).")
        return
      }
      print("\(pad("GEN", 5)) \(pad("CREATED (UTC)", 20)) \(pad("PROFILE", 16)) \(pad("STATE", 12)) KEYS")
      for j in journals {
        let keys = j.entries.filter { $0.desired != nil }.map(\.key).joined(separator: ",")
        print(
          "\(pad(String(j.generation), 5)) \(pad(UTC.text(j.createdAt), 20)) \(pad(j.profile, 16)) "
            + "\(pad(j.state.rawValue, 12)) \(keys)"
        )
      }
      return
    }
    if !yes, Terminal.stdinIsTerminal {
      let what = to.map { "generations \($0) and newer" } ?? "the newest apply"
      guard Terminal.confirm("Roll back \(what) on \(host.files.rootDescription)?") else {
        throw VMTuneError.other("cancelled; nothing was written")
      }
    }
    let report: RollbackReport
    do { report = try applier.rollback(to: to) } catch { throw VMTuneError.apply(error) }
    for r in report.restore.restored { print("  ↺ \(r.key): \(r.from) → \(r.to)") }
    for k in report.restore.untouched { print("  = \(k): already at its original value") }
    print(
      "Rolled back generation(s) \(report.generations.map(String.init).joined(separator: ", ")): "
        + "\(report.restore.restored.count) value(s) restored."
    )
  }
}

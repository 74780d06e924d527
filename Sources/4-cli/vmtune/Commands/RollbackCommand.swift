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

      Before any write: each journal's digest is verified and what it would write
      is checked (catalog knobs, no triggers, only keys the apply changed, values
      this kernel accepts); a value changed since vmtune wrote it (by someone
      else) refuses the rollback unless --force. A journal applied on another
      kernel release is rolled back with a warning. A running 'vmtune agent'
      stands down until the next 'vmtune apply'.

      The sysctl.d file an apply --persist wrote is put back as it was before
      (or removed when there was none); rolling back 'vmtune off' restores the
      released values and the file it removed. A switch of profiles is undone
      like any apply: the released keys get the old profile's values back.
      """)

  @OptionGroup var host: HostOptions

  @Flag(name: .long, help: "List journal generations and exit.")
  var list = false

  @Option(name: .long, help: ArgumentHelp("Roll back to before generation N.", valueName: "N"))
  var to: Int?

  @Flag(name: .long, help: "Do not ask for confirmation.")
  var yes = false

  @Flag(name: .long, help: "Restore originals even over values changed since the apply (by someone else).")
  var force = false

  @Option(help: "Output format for --list: text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let applier = Applier(files: try host.frontend().files)
    if list {
      try printList(applier.journals.scan())
      return
    }
    if !yes, Terminal.stdinIsTerminal {
      let what = to.map { "generations \($0) and newer" } ?? "the newest apply"
      guard Terminal.confirm("Roll back \(what) on \(host.files.rootDescription)?") else {
        throw VMTuneError.other("cancelled; nothing was written")
      }
    }
    let report: RollbackReport
    do { report = try applier.rollback(to: to, force: force) } catch { throw VMTuneError.apply(error) }
    for w in report.warnings { Terminal.error("warning: \(w)") }
    for r in report.restore.restored { print("  ↺ \(r.key): \(r.from) → \(r.to)") }
    for k in report.restore.untouched { print("  = \(k): already at its original value") }
    print(
      "Rolled back generation(s) \(report.generations.map(String.init).joined(separator: ", ")): "
        + "\(report.restore.restored.count) value(s) restored."
    )
  }

  /// `--list`: every generation, oldest first; a journal that cannot be used is shown as
  /// `corrupt` with the reason.
  func printList(_ scan: (journals: [Journal], corrupt: [CorruptJournal])) throws {
    let rows = (scan.journals.map { ListedJournal.journal($0) } + scan.corrupt.map { ListedJournal.corrupt($0) })
      .sorted { $0.generation < $1.generation }
    if format == .json {
      print(try JSONFile.string(rows))
      return
    }
    if rows.isEmpty {
      print("No journals under \(host.files.path(JournalStore.directory)).")
      return
    }
    print("\(pad("GEN", 5)) \(pad("CREATED (UTC)", 20)) \(pad("PROFILE", 16)) \(pad("STATE", 12)) KEYS")
    for row in rows {
      switch row {
      case .journal(let j):
        let keys = j.entries.filter { $0.desired != nil }.map(\.key).joined(separator: ",")
        let generation = j.through.map { "\(j.generation)…\($0)" } ?? String(j.generation)
        print(
          "\(pad(generation, 5)) \(pad(UTC.text(j.createdAt), 20)) \(pad(j.profile, 16)) "
            + "\(pad(j.state.rawValue, 12)) \(keys)")
      case .corrupt(let c):
        print("\(pad(String(c.generation), 5)) \(pad("-", 20)) \(pad("-", 16)) \(pad("corrupt", 12)) \(c.reason)")
      }
    }
  }
}

/// A row of `rollback --list`: a journal, or a file that cannot be used (in JSON:
/// `{"generation", "state": "corrupt", "path", "reason"}`).
enum ListedJournal: Encodable {
  case journal(Journal)
  case corrupt(CorruptJournal)

  var generation: Int {
    switch self {
    case .journal(let j): return j.generation
    case .corrupt(let c): return c.generation
    }
  }

  private enum Keys: String, CodingKey { case generation, state, path, reason }

  func encode(to encoder: any Encoder) throws {
    switch self {
    case .journal(let j): try j.encode(to: encoder)
    case .corrupt(let c):
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode(c.generation, forKey: .generation)
      try container.encode("corrupt", forKey: .state)
      try container.encode(c.path, forKey: .path)
      try container.encode(c.reason, forKey: .reason)
    }
  }
}

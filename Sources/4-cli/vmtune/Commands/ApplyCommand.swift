import ArgumentParser
import VMTuneApply
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

struct ApplyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Apply a profile (or a saved plan) to this host.",
    discussion: """
      Steps: take the lock (DIR/run/vmtune.lock); undo any apply a crash left half
      done; plan; refuse blocked, guard-violating (unless --force) or stale plans;
      check every file is writable; write the journal of original values (fsync,
      rename) before the first write; write in dependency order; read every value
      back. If any write or read-back fails, every value written is restored in
      reverse order and the exit status is 1. Nothing is written when nothing
      differs. On a terminal it asks first unless --yes.

      Switching profiles: keys an earlier apply changed that this profile does not
      set (or lists under unmanage:) are released, written back to the host's
      baseline, the value before vmtune first changed them:
        - min_free_kbytes  131072 → 67584 (released)
      Several profiles merge in order, later wins: 'vmtune apply base latency'.

      --persist also writes DIR/etc/sysctl.d/90-vmtune.conf (--persist-file NAME or
      the profile's persist.file choose another name, e.g. 99-zz-vmtune.conf to be
      read after Debian's 99-sysctl.conf). The file is part of the journaled change:
      staged before the first sysctl write (a read-only /etc/sysctl.d refuses the
      apply with nothing written), left alone when identical, and put back by
      'vmtune rollback'. percent_of_ram values are not frozen in it: a boot-time
      'vmtune apply' (examples/systemd/vmtune-apply.service) recomputes them.

      Exit status: 0 applied or nothing to do (2 with --detailed-exitcode when
      values changed), 1 failed (the host is restored), 64 usage error.
      """)

  @OptionGroup var host: HostOptions

  @Argument(
    help: ArgumentHelp(
      "Profile names or paths (omit with --plan); several merge in order, later wins.", valueName: "profile"),
    completion: Completions.profile)
  var profiles: [String] = []

  @Option(
    name: .long, help: ArgumentHelp("Apply a plan saved by 'vmtune plan --out FILE'.", valueName: "FILE"),
    completion: .file(extensions: ["json"]))
  var plan: String?

  @Flag(name: .long, help: "Do not ask for confirmation.")
  var yes = false

  @Flag(name: .long, help: "Apply even when a guard (e.g. guards.max_min_free_percent) refuses the plan.")
  var force = false

  @Flag(name: .long, help: "Also write DIR/etc/sysctl.d/90-vmtune.conf so the values survive a reboot.")
  var persist = false

  @Option(
    name: .customLong("persist-file"),
    help: ArgumentHelp(
      "Persist to this file in /etc/sysctl.d instead (implies --persist), e.g. 99-zz-vmtune.conf.",
      valueName: "NAME"))
  var persistFile: String?

  @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when values were changed.")
  var detailedExitcode = false

  @Option(
    name: .customLong("lock-timeout"), help: ArgumentHelp("Seconds to wait for another vmtune.", valueName: "SECONDS"))
  var lockTimeout: Int = 10

  @Option(name: .customLong("inject-fault"), help: .hidden)
  var injectFault: String?

  @Flag(name: .customLong("unsafe-skip-validation"), help: .hidden)
  var skipValidation = false

  @Flag(name: .customLong("no-color"), help: "Never colour the output.")
  var noColor = false

  func validate() throws {
    if profiles.isEmpty == (plan == nil) {
      throw ValidationError("give a profile or --plan FILE (exactly one)")
    }
    if let name = persistFile, let problem = PersistFileName.problem(name) {
      throw ValidationError("--persist-file: \(problem)")
    }
    if let f = injectFault, Fault(parsing: f) == nil {
      throw ValidationError("--inject-fault takes write:N, key:NAME, crash:N or space:BYTES")
    }
  }

  func run() throws {
    let terminal = Terminal.detect(forceOff: noColor)
    let frontend = try host.frontend()
    let report = try apply(frontend, renderer: PlanText(terminal: terminal))
    print(summary(report, terminal: terminal))
    for c in report.skipped {
      Terminal.error(
        "warning: skipped journal \(c.path): \(c.reason); if it recorded an interrupted apply, that apply was not "
          + "undone (see 'vmtune rollback --list')")
    }
    if let p = report.persisted, !p.recomputedAtBoot.isEmpty {
      Terminal.error(
        "note: \(p.recomputedAtBoot.joined(separator: ", ")) (percent_of_ram) not frozen in \(p.path): a boot-time "
          + "'vmtune apply' recomputes them from the RAM the host boots with (examples/systemd/vmtune-apply.service)")
    }
    for o in report.persisted?.overrides ?? [] {
      let effect =
        o.defeats == o.key
        ? "so it wins" : "so the kernel zeroes the profile's vm.\(o.defeats) (they are an exclusive pair)"
      Terminal.error(
        "warning: \(o.file):\(o.line) sets vm.\(o.key) = \(o.value) and is read after \(report.persisted?.path ?? "") "
          + "at boot, \(effect); remove it or fold it into the profile")
    }
    if report.persisted == nil, let plan = report.plan, let stale = Self.staleFile(plan, frontend.files) {
      Terminal.error("warning: \(stale)")
    }
    if detailedExitcode, report.generation != nil { throw ExitCode(2) }
  }

  /// Applies a saved plan exactly, or a profile: planned and shown first on a terminal (then
  /// applied exactly as shown), otherwise planned under the lock after any crash recovery, so
  /// concurrent applies serialize.
  func apply(_ frontend: Frontend, renderer: PlanText) throws -> ApplyReport {
    let fault = injectFault.flatMap(Fault.init(parsing:))
    var files = frontend.files
    files.spaceLimit = fault?.spaceLimit
    let store: any SysctlAccess =
      fault.map { FaultInjectingSysctl(base: SysctlStore(files: files), fault: $0) } ?? SysctlStore(files: files)
    let applier = Applier(files: files, store: store)
    let sources = try profiles.map { name throws(VMTuneError) in Self.absolute(try frontend.locate(name)) }
    let options = ApplyOptions(
      force: force, persist: persist || persistFile != nil, lockTimeoutSeconds: lockTimeout,
      skipValidation: skipValidation, persistFile: persistFile, sources: sources.isEmpty ? nil : sources)
    let interactive = !yes && Terminal.stdinIsTerminal
    if plan != nil || interactive {
      let shown =
        try plan.map { path throws(VMTuneError) in try frontend.reassessed(Frontend.loadPlan(path), path: path) }
        ?? frontend.plan(profiles)
      print(renderer.render(shown), terminator: "")
      try confirm(shown, interactive)
      return try run(applier) { () throws(ApplyError) in try applier.apply(shown, options: options) }
    }
    let loaded = try frontend.loadProfiles(profiles)
    let report = try run(applier) { () throws(ApplyError) in
      try applier.apply(options: options) { () throws(ApplyError) -> Plan in
        do throws(VMTuneError) { return try frontend.plan(loaded) } catch { throw .planning(error.message) }
      }
    }
    if let applied = report.plan { print(renderer.render(applied), terminator: "") }
    return report
  }

  /// What happened, after the plan: recovery, each write, the generation, persistence.
  func summary(_ report: ApplyReport, terminal: Terminal) -> String {
    var lines = [""]
    if let r = report.recovered {
      lines.append(
        "Recovered an interrupted apply (journal \(r.generation)): \(r.report.restored.count) value(s) restored.")
    }
    if let g = report.generation {
      lines += report.writes.map {
        "  \(terminal.paint("✓", .green)) \($0.key): \($0.from) → \($0.to)\($0.released ? " (released)" : "")"
      }
      lines.append("Applied \(report.writes.count) change(s); journal generation \(g). Undo with: vmtune rollback")
    } else {
      lines.append(
        "Nothing to do: the host already matches \(report.plan?.profile ?? profiles.joined(separator: "+")).")
    }
    if let p = report.persisted {
      let generation = report.generation.map { " (journal generation \($0))" } ?? ""
      lines.append(
        p.unchanged
          ? "\(p.path) already holds these \(p.keys.count) key(s); not rewritten."
          : "Persisted \(p.keys.count) key(s) to \(p.path)\(generation).")
    }
    return lines.joined(separator: "\n")
  }

  /// The sysctl.d file an earlier `apply --persist` left that contradicts what was just written.
  static func staleFile(_ plan: Plan, _ files: HostFiles) -> String? {
    guard let stale = Persistence.staleFile(after: plan, files: files) else { return nil }
    return "\(stale.path), written by an earlier 'vmtune apply --persist', still sets "
      + "\(stale.settings.joined(separator: ", ")): those values come back at boot; apply with --persist to update "
      + "it, or 'vmtune off' to release every key and remove it"
  }

  /// `path` from the working directory, for the journal (`vmtune status` runs anywhere).
  static func absolute(_ path: String) -> String {
    guard !path.hasPrefix("/"), let cwd = getcwd(nil, 0) else { return path }
    defer { free(cwd) }
    return String(cString: cwd) + "/" + path
  }

  func confirm(_ plan: Plan, _ interactive: Bool) throws {
    if !plan.changes.isEmpty, interactive {
      guard Terminal.confirm("\nApply \(plan.changes.count) change(s) to \(host.files.rootDescription)?") else {
        throw VMTuneError.other("cancelled; nothing was written")
      }
    }
  }

  func run(_ applier: Applier, _ body: () throws(ApplyError) -> ApplyReport) throws(VMTuneError) -> ApplyReport {
    do { return try body() } catch { throw .apply(error) }
  }
}

import ArgumentParser
import VMTuneCheck
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

extension CheckFormat: ExpressibleByArgument {}

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Report drift between a profile and this host, for CI. Never writes.",
    discussion: """
      A key drifts when its live value does not satisfy the profile (or the kernel
      would refuse the profile's value). Skipped keys (condition false, knob
      absent) are not drift.

      Formats: text (default), json, junit (a testsuite per host, a testcase per
      key with errors counted: what Jenkins, GitLab and GitHub's reporters read),
      prometheus (textfile collector: vmtune_check_success, vmtune_drift{key=...},
      vmtune_drifted_keys, vmtune_last_check_timestamp_seconds).

      --output FILE writes the report to FILE atomically (a temporary beside it,
      then rename), for node_exporter's textfile collector: a scrape never reads
      a half-written file. When the check cannot run (no profile, host
      unreadable), junit and prometheus still write a report that says so
      (a testcase with an <error>, vmtune_check_success 0).

      Fleets: --snapshot DIR checks every *.json snapshot ('vmtune snapshot > DIR/HOST.json')
      in the directory, on all cores, and ends with a rollup ('3/120 hosts drifted');
      JUnit gets one testsuite per snapshot, Prometheus host and snapshot labels (the
      file name keeps two snapshots of one hostname apart). A snapshot that cannot be
      read is an error row, a testcase with an <error> and
      vmtune_snapshot_checked{snapshot=...} 0.

      Exit status: 0 in sync, 2 drift (any host), 1 error (including unreadable snapshots).
      """)

  @OptionGroup var host: HostOptions

  @OptionGroup var input: PlanInput

  @Option(help: "Output format: text, json, junit or prometheus.")
  var format: CheckFormat = .text

  @Option(
    name: .long,
    help: ArgumentHelp("Write the report to FILE atomically instead of to stdout.", valueName: "FILE"))
  var output: String?

  func run() throws {
    let timestamp = Int64(time(nil))
    var profileName = input.profiles.map(ProfilePath.stem).joined(separator: "+")
    let results: CheckResults
    var failure: VMTuneError?
    do {
      results = try check(timestamp: timestamp) { profileName = $0 }
    } catch {
      failure = error
      results = .failed(profile: profileName, message: error.message, timestamp: timestamp)
    }
    if failure == nil || format == .junit || format == .prometheus {
      let terminal = Terminal.detect(forceOff: input.noColor || output != nil)
      try emit(try results.render(format, terminal: terminal))
    }
    for u in results.unreadable { Terminal.error("vmtune: error: cannot check \(u.path): \(u.error)") }
    if let failure { throw failure }
    if let why = results.failure { throw VMTuneError.other(why) }
    if results.exitStatus != 0 { throw ExitCode(results.exitStatus) }
  }

  /// Checks the live host, one snapshot, or a directory of snapshots; `loaded` learns the
  /// profile's name as soon as it is known, for the report of a check that fails after that.
  func check(timestamp: Int64, loaded: (String) -> Void) throws(VMTuneError) -> CheckResults {
    let frontend = try host.frontend()
    let profile = try frontend.loadProfiles(input.profiles)
    loaded(profile.name)
    if let dir = input.snapshot, HostFiles.plain.kind(dir) == .directory {
      return FleetCheck.check(profile, directory: dir, timestamp: timestamp)
    }
    let plan: Plan
    if let path = input.snapshot {
      plan = Planner.plan(profile, on: try Frontend.loadSnapshot(path))
    } else {
      plan = try frontend.plan(profile)
    }
    return CheckResults(CheckReport(plan: plan, timestamp: timestamp))
  }

  /// Prints the report, or replaces `--output FILE` with it in one rename.
  func emit(_ text: String) throws(VMTuneError) {
    guard let output else {
      print(text, terminator: "")
      return
    }
    do { try HostFiles.plain.writeAtomically(output, Array(text.utf8), mode: 0o644) } catch {
      throw .other("cannot write the report to \(output): \(error)")
    }
  }
}

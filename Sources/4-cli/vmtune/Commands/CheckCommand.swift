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

      Formats: text (default), json, junit (one testcase per key; CI systems
      render it), prometheus (textfile collector: vmtune_drift{key=...},
      vmtune_last_check_timestamp_seconds).

      Fleets: --snapshot DIR checks every *.json snapshot ('vmtune snapshot > DIR/HOST.json')
      in the directory, on all cores, and ends with a rollup ('3/120 hosts drifted'); JUnit
      gets one testsuite per host, Prometheus a host label.

      Exit status: 0 in sync, 2 drift (any host), 1 error (including unreadable snapshots).
      """)

  @OptionGroup var host: HostOptions

  @OptionGroup var input: PlanInput

  @Option(help: "Output format: text, json, junit or prometheus.")
  var format: CheckFormat = .text

  func run() throws {
    if let dir = input.snapshot, HostFiles.plain.kind(dir) == .directory {
      let status = try FleetCheck.run(
        profile: try host.frontend().loadProfiles(input.profiles), directory: dir, format: format,
        terminal: .detect(forceOff: input.noColor), timestamp: Int64(time(nil)))
      if status != 0 { throw ExitCode(status) }
      return
    }
    let plan = try input.plan(host)
    let report = CheckReport(plan: plan, timestamp: Int64(time(nil)))
    switch format {
    case .text: print(report.text(Terminal.detect(forceOff: input.noColor)), terminator: "")
    case .json: print(try JSONFile.string(report))
    case .junit: print(CheckReport.junit([report]), terminator: "")
    case .prometheus: print(CheckReport.prometheus([report], fleet: false), terminator: "")
    }
    if report.drifted > 0 { throw ExitCode(2) }
  }
}

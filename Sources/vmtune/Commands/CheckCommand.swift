import ArgumentParser
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, junit, prometheus
}

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

      Exit status: 0 in sync, 2 drift, 1 error.
      """)

  @OptionGroup var host: HostOptions

  @OptionGroup var input: PlanInput

  @Option(help: "Output format: text, json, junit or prometheus.")
  var format: CheckFormat = .text

  func run() throws {
    let plan = try input.plan(host)
    let report = CheckReport(plan: plan, timestamp: Int64(time(nil)))
    switch format {
    case .text: print(report.text(Terminal.detect(forceOff: input.noColor)), terminator: "")
    case .json: print(try JSONOutput.string(report))
    case .junit: print(report.junit(), terminator: "")
    case .prometheus: print(report.prometheus(), terminator: "")
    }
    if report.drifted > 0 { throw ExitCode(2) }
  }
}

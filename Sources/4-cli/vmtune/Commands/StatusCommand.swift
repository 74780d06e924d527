import ArgumentParser
import VMTuneFrontend

#if canImport(Glibc)
  import Glibc
#endif

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "What vmtune applied here, and whether the host still matches it. Never writes.",
    discussion: """
      Like 'tuned-adm active' and 'tuned-adm verify' in one: the profile in force
      (the newest applied journal: when, by which command — apply, agent, off — and
      from which profile files), the journal's generations (corrupt and folded ones
      named), the keys vmtune manages, the persist file (whether it holds what
      'apply --persist' would write now), the agent (last cycle, each action's last
      run and effect, a stand-down marker left by rollback or off), and drift now:
      the applied profile planned again, releases of keys it no longer sets included.

      Exit status: 0 in sync (or nothing applied, or off), 2 drift, 1 error
      (the applied profile cannot be loaded or the host read) — as 'vmtune check'.
      """)

  @OptionGroup var host: HostOptions

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Flag(name: .customLong("no-color"), help: "Never colour the output.")
  var noColor = false

  func run() throws {
    let report = StatusReport(frontend: try host.frontend(), timestamp: Int64(time(nil)))
    switch format {
    case .json: print(try JSONFile.string(report))
    case .text: print(report.text(Terminal.detect(forceOff: noColor)), terminator: "")
    }
    if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
  }
}

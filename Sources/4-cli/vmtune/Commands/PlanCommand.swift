import ArgumentParser
import VMTuneFrontend

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show what applying a profile would change on this host. Never writes.",
    discussion: """
      Lines read like a Terraform plan:
        ~ key   old → new     will be written
        = key   value         already as the profile wants
        ! key   skipped: …    not applicable (condition false, knob absent)
        ✗ key   blocked: …    this kernel would refuse it; apply won't run

      Exit status: 0 nothing to change, 2 changes pending that apply would make, 1 error
      or a plan apply would refuse (blocked entries, guards: apply --force overrides a
      guard). Save the plan with --out and apply exactly it later with
      'vmtune apply --plan FILE'; apply refuses a saved plan whose observed values
      have changed since (stale).
      """)

  @OptionGroup var host: HostOptions

  @OptionGroup var input: PlanInput

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Option(
    name: .long, help: ArgumentHelp("Save the plan as JSON for 'vmtune apply --plan FILE'.", valueName: "FILE"),
    completion: .file(extensions: ["json"]))
  var out: String?

  /// The parsed options as plain values.
  var request: PlanRequest {
    PlanRequest(
      root: host.root, profileDirs: host.profileDirs, profiles: input.profiles, snapshot: input.snapshot,
      noColor: input.noColor, format: format, out: out)
  }

  func run() throws { try request.run() }
}

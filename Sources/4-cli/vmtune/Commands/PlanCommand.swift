import ArgumentParser
import VMTuneFrontend
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

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

  func run() throws {
    let plan = try input.plan(host)
    if let out {
      do {
        try HostFiles.plain.writeAtomically(out, try JSONFile.bytes(plan), mode: 0o644)
      } catch {
        throw VMTuneError.other("cannot save the plan to \(out): \(error)")
      }
    }
    switch format {
    case .json: print(try JSONFile.string(plan))
    case .text: print(PlanText(terminal: .detect(forceOff: input.noColor)).render(plan, savedTo: out), terminator: "")
    }
    if plan.wouldBeRefused { throw ExitCode.failure }
    if !plan.changes.isEmpty { throw ExitCode(2) }
  }
}

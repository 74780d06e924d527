import ArgumentParser
import VMTuneAnsible
import VMTuneFrontend
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

struct VMTune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vmtune",
    abstract: "Declarative tuning of Linux virtual-memory sysctls (/proc/sys/vm).",
    discussion: """
      Describe the vm settings a role needs in a YAML profile; vmtune shows what
      would change on this host, applies it with a journal it can roll back, and
      checks drift in CI.

        vmtune plan kvm-host             what would change (0 in sync, 2 changes, 1 refused)
        sudo vmtune apply kvm-host       verified, journaled, undone on failure
        sudo vmtune rollback             restore what the last apply replaced
        vmtune status                    what is applied here, persist file, agent, drift now
        sudo vmtune apply base latency   switch profiles: merged in order, old keys released
        sudo vmtune off                  release every managed key to its baseline
        vmtune check kvm-host --format junit > drift.xml
        vmtune explain min_free_kbytes   what a knob does, what the kernel accepts

      Exit codes: 0 success / in sync, 2 changes or drift, 1 error, 64 usage
      error. Colour is used only on a terminal, and never when NO_COLOR is set.
      Every command takes --root DIR to work on a fixture tree instead of the real
      host.
      """,
    version: "0.1.0",
    subcommands: [
      PlanCommand.self, ApplyCommand.self, RollbackCommand.self, CheckCommand.self,
      ValidateCommand.self, ProfilesCommand.self, ExplainCommand.self, SnapshotCommand.self,
      DiagnoseCommand.self, WatermarksCommand.self, AgentCommand.self, SchemaCommand.self, ImportCommand.self,
      RecommendCommand.self, StatusCommand.self, OffCommand.self,
    ])
}

/// Entry point: Ansible runs a binary module as `vmtune ARGS_FILE`; everything else is the CLI.
@main
enum Main {
  static func main() {
    let args = CommandLine.arguments
    if args.count == 2, let module = AnsibleModule(argsPath: args[1]) {
      exit(module.run())
    }
    do {
      if let request = PlanRequest(fastPath: Array(args.dropFirst())) {
        try request.run()
      } else {
        var command = try VMTune.parseAsRoot()
        try command.run()
      }
    } catch let code as ExitCode {
      exit(code.rawValue)
    } catch let error as VMTuneError {
      // The one place a failure is printed; every command throws errors as values.
      Terminal.error(ErrorText.render(error))
      exit(1)
    } catch {
      if let hint = unknownSubcommandHint(args) {
        // swift-argument-parser's error line, the nearest subcommand, then its usage lines.
        var lines = VMTune.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
        lines.insert("  hint: \(hint)", at: min(1, lines.count))
        Terminal.error(lines.joined(separator: "\n"))
        exit(VMTune.exitCode(for: error).rawValue)
      }
      VMTune.exit(withError: error)
    }
  }

  /// "did you mean 'apply'?" when the first argument is not a subcommand but is near one.
  static func unknownSubcommandHint(_ args: [String]) -> String? {
    guard args.count > 1, let word = args.dropFirst().first, !word.hasPrefix("-") else { return nil }
    let names = VMTune.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    guard !names.contains(word) else { return nil }
    return NameSuggestion.hint(for: word, among: names)
  }
}

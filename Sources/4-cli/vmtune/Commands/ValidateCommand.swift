import ArgumentParser
import VMTuneFrontend
import VMTuneProfile

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check profiles for errors without reading the host.",
    discussion: """
      Loads each profile with its includes and reports every problem as
      FILE:LINE:COLUMN: error: KEY: message, with a hint. Exit status: 0 valid, 1
      errors.
      """)

  @OptionGroup var host: HostOptions

  @Argument(help: "Profile names or paths.", completion: Completions.profile)
  var profiles: [String]

  func validate() throws {
    if profiles.isEmpty { throw ValidationError("give at least one profile") }
  }

  func run() throws {
    var failed = false
    let frontend = try host.frontend()
    for name in profiles {
      do throws(VMTuneError) {
        let p = try frontend.loadProfile(name)
        print(
          "ok: \(p.files.first ?? name): \(p.name), \(p.settings.count) sysctl(s), \(p.actions.count) "
            + "action(s)\(p.files.count > 1 ? ", includes \(p.files.dropFirst().joined(separator: ", "))" : "")"
        )
      } catch {
        Terminal.error(ErrorText.render(error))
        failed = true
      }
    }
    if failed { throw ExitCode.failure }
  }
}

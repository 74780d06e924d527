import ArgumentParser
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTuneProfile

/// Options every command shares: where the host is and where profiles are.
struct HostOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Treat DIR as the host's /: sysctls at DIR/proc/sys/vm, state at DIR/var/lib/vmtune.",
      discussion: "Point it at a fixture tree to test without touching the real kernel.",
      valueName: "DIR"),
    completion: .directory)
  var root: String = "/"

  @Option(
    name: .customLong("profile-dir"),
    help: ArgumentHelp("Also look for profiles by name in DIR (repeatable; searched first).", valueName: "DIR"),
    completion: .directory)
  var profileDirs: [String] = []

  /// The frontend for these options; a missing or non-directory `--root` is an error here.
  func frontend() throws(VMTuneError) -> Frontend {
    try Frontend(root: root, profileDirs: profileDirs)
  }

  /// The host's files (the root is checked by ``frontend()``).
  var files: HostFiles { HostFiles(root: root) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

/// The profile to plan and the host to plan it on (live, or a snapshot file).
struct PlanInput: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "Profile names (see 'vmtune profiles') or paths to YAML files; several merge in order, later wins.",
      valueName: "profile"),
    completion: Completions.profile)
  var profiles: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Use a snapshot from 'vmtune snapshot' instead of the live host (check: or a directory of them).",
      valueName: "FILE"),
    completion: .file())
  var snapshot: String?

  @Flag(name: .customLong("no-color"), help: "Never colour the output.")
  var noColor = false

  func validate() throws {
    if profiles.isEmpty { throw ValidationError("give a profile name or path") }
  }
}

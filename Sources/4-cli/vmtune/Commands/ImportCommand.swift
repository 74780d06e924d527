import ArgumentParser
import VMTuneFrontend
import VMTuneProfile

struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Turn sysctl.conf files or a tuned profile into a vmtune profile (printed on stdout).",
    discussion: """
      Only /proc/sys/vm settings are imported. Each one is checked against vmtune's
      knob catalog as a profile would be: values the kernel would refuse are
      reported, not written; a vm knob the catalog lacks goes under 'unchecked:'.
      Every other line is listed as skipped, with its file and line, on stderr and
      in comments at the end of the profile. The profile is loaded once with
      vmtune's own loader before it is printed.

        vmtune import sysctl /etc/sysctl.conf /etc/sysctl.d/*.conf > site.yaml
        vmtune import tuned virtual-host > kvm-site.yaml
        vmtune validate kvm-site.yaml && vmtune plan kvm-site.yaml
      """,
    subcommands: [ImportSysctlCommand.self, ImportTunedCommand.self])
}

/// Prints an import: the profile on stdout, what was skipped or noted on stderr, and a count.
func printImport(_ imported: ProfileImport) throws {
  let yaml = try Frontend.loadableYAML(imported)
  print(yaml, terminator: "")
  for finding in imported.findings { Terminal.error(finding.description) }
  let skipped = imported.findings.filter { $0.kind == .skipped }.count
  Terminal.error(
    "vmtune: imported \(imported.entries.count) vm setting(s) from \(imported.sources.count) file(s); "
      + "\(skipped) line(s) not imported")
}

struct ImportSysctlCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sysctl",
    abstract: "Import the vm settings of sysctl.conf / sysctl.d files.",
    discussion: """
      Reads the files in the order given; a later file's value wins, as with
      'sysctl -p a b'. Understands 'vm.x = v', 'vm/x=v', a leading '-' (ignore
      failures), '#' and ';' comments and any whitespace. Of the dirty and
      overcommit pairs, the one written last is kept (writing it zeroes the other).
      Values the kernel would read differently (010 is octal) are reported.

        vmtune import sysctl /etc/sysctl.d/90-vm.conf
        vmtune import sysctl --name db /etc/sysctl.conf /etc/sysctl.d/*.conf > db.yaml
      """)

  @Argument(
    help: ArgumentHelp("sysctl.conf or sysctl.d files, in the order they apply.", valueName: "FILE"),
    completion: .file())
  var files: [String]

  @Option(help: ArgumentHelp("The profile's name (default: the first file's name).", valueName: "NAME"))
  var name: String?

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one sysctl file") }
  }

  func run() throws {
    try printImport(try Frontend(root: "/").importSysctl(files, name: name))
  }
}

struct ImportTunedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tuned",
    abstract: "Import the vm settings of a tuned profile and the profiles it includes.",
    discussion: """
      PROFILE is a profile directory, its tuned.conf, or a name looked up like tuned
      does: /etc/tuned/profiles, /etc/tuned, /usr/lib/tuned/profiles, /usr/lib/tuned
      (under --root DIR; --tuned-dir searched first). include= chains are followed
      and merged as tuned merges them. Imported: [sysctl] vm.* keys ('>N' becomes
      at_least, '<N' at_most). Noted: [vm] transparent_hugepages (it is not a
      /proc/sys/vm setting). Reported, never guessed: values and includes using
      ${variables} or ${f:functions}, and units that apply only where a
      uname_regex or cpuinfo_regex matches.

        vmtune import tuned virtual-host
        vmtune import tuned /usr/lib/tuned/throughput-performance/tuned.conf
        vmtune import tuned ./my-tuned-profile --tuned-dir ./tuned-profiles
      """)

  @OptionGroup var host: HostOptions

  @Argument(
    help: ArgumentHelp("A tuned profile directory, its tuned.conf, or a profile name.", valueName: "PROFILE"),
    completion: .file())
  var profile: String

  @Option(
    name: .customLong("tuned-dir"),
    help: ArgumentHelp("Also look for included tuned profiles in DIR (repeatable; searched first).", valueName: "DIR"),
    completion: .directory)
  var tunedDirs: [String] = []

  func run() throws {
    try printImport(try host.frontend().importTuned(profile, tunedDirs: tunedDirs))
  }
}

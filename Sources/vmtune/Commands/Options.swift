import ArgumentParser
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// Options every command shares: where the host is and where profiles are.
struct HostOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Treat DIR as the host's /: sysctls at DIR/proc/sys/vm, state at DIR/var/lib/vmtune.",
      discussion: "Point it at a fixture tree to test without touching the real kernel.",
      valueName: "DIR"))
  var root: String = "/"

  @Option(
    name: .customLong("profile-dir"),
    help: ArgumentHelp("Also look for profiles by name in DIR (repeatable; searched first).", valueName: "DIR"))
  var profileDirs: [String] = []

  var files: HostFiles { HostFiles(root: root) }

  /// Where profile names are looked up: --profile-dir, ./profiles, <root>/etc/vmtune/profiles,
  /// then the shipped profiles next to the binary.
  var searchPath: [String] {
    var dirs = profileDirs + ["profiles", files.path("etc/vmtune/profiles")]
    dirs += ShippedProfiles.directories()
    var seen: Set<String> = []
    return dirs.filter { seen.insert($0).inserted }
  }

  var loader: ProfileLoader { ProfileLoader(reader: DiskProfileReader(), searchPath: searchPath) }

  /// Loads a profile by name or path, printing errors as `file:line:col: error: …`.
  func loadProfile(_ nameOrPath: String) throws -> Profile {
    let loader = self.loader
    guard let path = loader.locate(nameOrPath) else {
      Terminal.error("vmtune: error: no profile '\(nameOrPath)' (looked in \(searchPath.joined(separator: ", ")))\n  hint: give a path, or a name from 'vmtune profiles'")
      throw ExitCode.failure
    }
    do {
      return try loader.load(path: path)
    } catch {
      Terminal.error(error.description)
      throw ExitCode.failure
    }
  }

  /// Reads the host, or exits 1 with the reason.
  func snapshot() throws -> HostSnapshot {
    do {
      return try HostSnapshot.read(files, triggers: KnobCatalog.triggers)
    } catch {
      Terminal.error("vmtune: error: cannot read the host under \(files.rootDescription): \(error)")
      throw ExitCode.failure
    }
  }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

/// Profiles from disk, through the kernel layer's file access.
struct DiskProfileReader: ProfileReader {
  func read(_ path: String) throws -> [UInt8] { try HostFiles.plain.read(path, limit: ProfileLoader.maxFileBytes + 1) }
  func exists(_ path: String) -> Bool { HostFiles.plain.kind(path) == .file }
}

/// Where the profiles shipped with vmtune live.
enum ShippedProfiles {
  static func directories() -> [String] {
    var dirs = ["/usr/share/vmtune/profiles", "/usr/local/share/vmtune/profiles"]
    if let exe = HostFiles.executablePath() {
      // Installed: <prefix>/bin/vmtune → <prefix>/share/vmtune/profiles.
      var parts = exe.split(separator: "/").dropLast()
      dirs.insert("/" + parts.dropLast().joined(separator: "/") + "/share/vmtune/profiles", at: 0)
      // Development: <repo>/.build/<triple>/debug/vmtune → <repo>/profiles.
      while !parts.isEmpty {
        if parts.last == ".build" || parts.last?.hasPrefix(".build") == true {
          dirs.insert("/" + parts.dropLast().joined(separator: "/") + "/profiles", at: 0)
          break
        }
        parts = parts.dropLast()
      }
    }
    return dirs
  }
}

/// The profile to plan and the host to plan it on (live, or a snapshot file).
struct PlanInput: ParsableArguments {
  @Argument(help: "Profile name (see 'vmtune profiles') or path to a YAML file.")
  var profile: String

  @Option(name: .long, help: ArgumentHelp("Use a snapshot from 'vmtune snapshot' instead of the live host (check: or a directory of them).", valueName: "FILE"))
  var snapshot: String?

  @Flag(name: .customLong("no-color"), help: "Never colour the output.")
  var noColor = false

  /// Loads the profile and the host, and plans.
  func plan(_ host: HostOptions) throws -> Plan {
    let loaded = try host.loadProfile(profile)
    let snap = try snapshot.map(SnapshotCommand.load) ?? host.snapshot()
    return Planner.plan(loaded, on: snap)
  }
}

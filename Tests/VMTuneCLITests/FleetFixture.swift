import Foundation
import VMTuneTestSupport

/// A directory of snapshots for fleet checks: hosts taken from one fixture tree with their
/// hostname replaced, in sync (swappiness 10) or drifted (60), and files that are not snapshots.
struct FleetFixture {
  let host: FixtureHost
  let directory: String
  let profile: String

  init() throws {
    host = try FixtureHost()
    directory = host.root + "/snapshots"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    profile = try writeProfile(host, "sysctl:\n  swappiness: { at_most: 10 }\n  max_map_count: 65530\n")
  }

  /// Writes `file` as a snapshot of a host called `hostname`, drifted or in sync.
  func snapshot(_ file: String, hostname: String, drifted: Bool) throws {
    try host.set("swappiness", drifted ? "60" : "10")
    let text = try runVMTune(["snapshot", "--root", host.root]).stdout
    try text.replacingOccurrences(of: "\"hostname\" : \"fixture\"", with: "\"hostname\" : \"\(hostname)\"")
      .write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8)
  }

  /// Writes `file` with content that is not a snapshot.
  func garbage(_ file: String, _ text: String = "{broken") throws {
    try text.write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8)
  }

  /// `vmtune check PROFILE --snapshot DIR extra…`.
  func check(_ extra: [String] = []) throws -> RunResult {
    try runVMTune(["check", profile, "--snapshot", directory] + extra)
  }
}

/// Writes `text` to a new file under the fixture root and returns its path.
func scratchFile(_ host: FixtureHost, _ name: String, _ text: String) throws -> String {
  let path = host.root + "/" + name
  try text.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

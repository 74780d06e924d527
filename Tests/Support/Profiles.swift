import Foundation
import VMTuneProfile

/// Loads a profile from `body` (everything after `apiVersion` and `name`), as if from p.yaml.
public func loadProfile(_ body: String, name: String = "p") throws -> Profile {
  try ProfileLoader(reader: MemoryProfileReader(["p.yaml": "apiVersion: vmtune/v1\nname: \(name)\n" + body]))
    .load(path: "p.yaml")
}

/// A profile named `t` with the given `sysctl:` block (indented lines) after `extra`
/// (top-level keys such as `guards:` or `when:`).
public func profile(_ sysctl: String, extra: String = "") throws -> Profile {
  try loadProfile("\(extra)sysctl:\n\(sysctl)", name: "t")
}

/// Writes `profiles/<name>.yaml` under the fixture's root (for the CLI) and returns its path.
public func writeProfile(_ host: FixtureHost, _ body: String, name: String = "t") throws -> String {
  try host.write("profiles/\(name).yaml", "apiVersion: vmtune/v1\nname: \(name)\ndescription: test\n" + body)
  return host.root + "/profiles/\(name).yaml"
}

/// Reads profiles from disk (the shipped ones under profiles/).
private struct DiskProfileReader: ProfileReader {
  func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
  func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

/// A shipped profile (profiles/NAME.yaml in the repository), loaded with its includes.
public func shippedProfile(_ name: String) throws -> Profile {
  let dir = repositoryRoot() + "/profiles"
  return try ProfileLoader(reader: DiskProfileReader(), searchPath: [dir]).load(path: "\(dir)/\(name).yaml")
}

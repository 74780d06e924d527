import VMTuneHost

/// Why a tuned profile could not be imported at all (it or an include it needs is missing or
/// unreadable).
public struct TunedImportError: Error, Sendable, CustomStringConvertible {
  public var description: String
  public var hint: String?

  public init(_ description: String, hint: String? = nil) {
    self.description = description
    self.hint = hint
  }
}

/// Reads a tuned profile the way tuned's loader does and imports its vm settings: `include=` names
/// (split at `,` and `;`, `-name` optional) are looked up in tuned's profile directories, each
/// included profile is loaded before the one that includes it and a file already loaded is
/// skipped; units merge by section name (later options replace earlier ones in place, `replace=1`
/// drops the earlier unit, `drop=` removes named options). Then every `sysctl` unit's vm keys are
/// imported, `vm` units' huge-page settings noted, other plugins listed as not imported.
public struct TunedImporter: Sendable {
  public var reader: any ProfileReader
  /// tuned's profile directories, highest priority first (`/etc/tuned` before `/usr/lib/tuned`).
  public var profileDirectories: [String]

  /// tuned's own directories, highest priority first: `/etc/tuned/profiles` and
  /// `/usr/lib/tuned/profiles` are newer tuned's layout, `/etc/tuned` and `/usr/lib/tuned` older.
  public static let standardDirectories = [
    "etc/tuned/profiles", "etc/tuned", "usr/lib/tuned/profiles", "usr/lib/tuned",
  ]

  /// Unit options that configure the unit, not its plugin.
  static let unitOptions: Set<String> = [
    "type", "enabled", "replace", "drop", "devices", "devices_udev_regex", "cpuinfo_regex", "uname_regex",
    "script_pre", "script_post", "priority",
  ]

  public init(reader: any ProfileReader, profileDirectories: [String]) {
    self.reader = reader
    self.profileDirectories = profileDirectories
  }

  /// The tuned.conf that `nameOrPath` means: a tuned.conf file, a profile directory, or a
  /// profile name looked up in the profile directories.
  public func locate(_ nameOrPath: String) throws(TunedImportError) -> String {
    let trimmed = nameOrPath.hasSuffix("/") ? String(nameOrPath.dropLast()) : nameOrPath
    if reader.exists(trimmed) { return trimmed }
    if reader.exists(ProfilePath.join(trimmed, "tuned.conf")) { return ProfilePath.join(trimmed, "tuned.conf") }
    if !trimmed.contains("/"), let found = find(trimmed) { return found }
    throw TunedImportError(
      "no tuned profile at \(nameOrPath)",
      hint: "give a profile directory, its tuned.conf, or a profile name from \(directoryList)")
  }

  var directoryList: String { profileDirectories.joined(separator: ", ") }

  /// `name`'s tuned.conf in the first profile directory that has it.
  func find(_ name: String) -> String? {
    let base = name.split(separator: "/").last.map(String.init) ?? name
    for dir in profileDirectories {
      let path = ProfilePath.join(ProfilePath.join(dir, base), "tuned.conf")
      if reader.exists(path) { return path }
    }
    return nil
  }

  /// Imports the profile `nameOrPath` names, with its includes.
  public func importProfile(at nameOrPath: String) throws(TunedImportError) -> ProfileImport {
    let path = try locate(nameOrPath)
    var order: [TunedINI] = []
    var read: [String] = []
    var findings: [ImportFinding] = []
    try load(path, order: &order, read: &read, findings: &findings)
    let merged = TunedMerge(order)
    let dir = ProfilePath.directory(of: path)
    let name = ProfilePath.stem(dir.isEmpty ? path : dir)
    let summary = merged.main["summary"].map { ImportFinding.oneLine($0.value) }
    var result = ProfileImport(
      name: name, description: "Imported from tuned profile \(name)" + (summary.map { ": \($0)" } ?? ""),
      origin: "vmtune import tuned")
    for file in read { result.addSource(file) }
    for finding in findings + order.flatMap(\.findings) { result.report(finding) }
    for unit in merged.units { unit.importSettings(into: &result) }
    return result
  }

  /// tuned's `_load_profile`: `path` is marked read, then each profile it includes is loaded
  /// (unless already read), then `path` itself is appended to `order`, so parents merge first.
  func load(
    _ path: String, order: inout [TunedINI], read: inout [String], findings: inout [ImportFinding]
  ) throws(TunedImportError) {
    let bytes: [UInt8]
    do { bytes = try reader.read(path) } catch { throw TunedImportError("cannot read \(path): \(error)") }
    read.append(path)
    let ini = TunedINI.parse(String(decoding: bytes, as: UTF8.self), file: path)
    if let include = ini.section("main")?.option("include") {
      for name in try includeNames(include, findings: &findings) {
        guard let file = find(name.name) else {
          if name.optional {
            findings.append(
              ImportFinding(
                .note, include.source, "include of '\(name.name)' skipped: it is optional (-) and not installed"))
            continue
          }
          throw TunedImportError(
            "\(include.source): include of '\(name.name)': no such tuned profile in \(directoryList)",
            hint: "install the profile, or give its directory with --tuned-dir")
        }
        if !read.contains(file) { try load(file, order: &order, read: &read, findings: &findings) }
      }
    }
    order.append(ini)
  }

  /// The names an `include=` option lists (split at `,` and `;`); none when it uses a variable.
  func includeNames(_ include: TunedINI.Option, findings: inout [ImportFinding]) throws(TunedImportError) -> [(
    name: String, optional: Bool
  )] {
    guard ProfileImport.variable(in: include.value) == nil else {
      findings.append(
        ImportFinding(
          .skipped, include.source,
          "\(include.text): uses a tuned variable or function; vmtune does not guess which profile it names: "
            + "import that profile instead"))
      return []
    }
    return include.value.split(whereSeparator: { $0 == "," || $0 == ";" }).compactMap { raw in
      let name = raw.trimmingWhitespace()
      let optional = name.hasPrefix("-")
      let bare = String(optional ? name.dropFirst() : name)
      return bare.isEmpty ? nil : (bare, optional)
    }
  }
}

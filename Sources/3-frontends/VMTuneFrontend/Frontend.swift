import FoundationEssentials
import Synchronization
import VMTuneApply
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// The one road every program takes: find and load profiles, read the host (live or from a
/// snapshot), plan. The CLI commands, the Ansible module, the fleet check and the agent all go
/// through it, so they agree on lookup order, error text and what a plan is.
public struct Frontend: Sendable {
  /// The host's files, under a root checked once at construction.
  public let files: HostFiles
  /// Directories searched for profile names, in order.
  public let searchPath: [String]

  /// Checks that `root` is a directory and builds the profile search path: `profileDirs`,
  /// `<root>/etc/vmtune/profiles`, then the shipped profiles. A file under `./profiles` is used
  /// only when named as a path: a name must not mean something else in another directory.
  public init(root: String = "/", profileDirs: [String] = []) throws(VMTuneError) {
    switch HostFiles.plain.kind(root) {
    case .directory: break
    case .symlink where HostFiles.plain.isDirectory(following: root): break
    case .missing: throw .noRoot(path: root, reason: "no such directory")
    default: throw .noRoot(path: root, reason: "not a directory")
    }
    files = HostFiles(root: root)
    var dirs = profileDirs + [files.path("etc/vmtune/profiles")]
    dirs += ShippedProfiles.directories()
    var seen: Set<String> = []
    searchPath = dirs.filter { seen.insert($0).inserted }
  }

  /// A frontend over files whose root a caller has already checked (the agent, tests), with only
  /// `profileDirs` as its search path.
  public init(checked files: HostFiles, profileDirs: [String] = []) {
    self.files = files
    self.searchPath = profileDirs
  }

  /// The profile loader over this search path.
  public var loader: ProfileLoader { ProfileLoader(reader: DiskProfileReader(), searchPath: searchPath) }

  /// The file a profile name or path refers to. A name not found gets a hint: the nearest
  /// name in the search path, or the path to give when it is a file under `./profiles`.
  public func locate(_ nameOrPath: String) throws(VMTuneError) -> String {
    guard let path = loader.locate(nameOrPath) else {
      var hint = NameSuggestion.hint(for: nameOrPath, among: loader.names(in: searchPath))
      if !nameOrPath.contains("/") {
        for file in [nameOrPath + ".yaml", nameOrPath + ".yml"] where HostFiles.plain.kind("profiles/" + file) == .file
        {
          hint = "profiles/\(file) is in the working directory; name it as a path: profiles/\(file)"
        }
      }
      throw .noProfile(name: nameOrPath, searched: searchPath, hint: hint)
    }
    return path
  }

  /// Every profile file in the search path by name, in lookup order: the first of each name is
  /// the one used, the others are shadowed by it.
  public func profileFiles() -> [(name: String, path: String, shadowed: [String])] {
    var found: [(name: String, path: String, shadowed: [String])] = []
    var index: [String: Int] = [:]
    for dir in searchPath {
      for file in HostFiles.plain.list(dir) where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
        let name = ProfilePath.stem(file)
        let path = ProfilePath.join(dir, file)
        if let i = index[name] {
          found[i].shadowed.append(path)
        } else {
          index[name] = found.count
          found.append((name, path, []))
        }
      }
    }
    return found
  }

  /// Loads a profile by name or path, includes merged.
  public func loadProfile(_ nameOrPath: String) throws(VMTuneError) -> Profile {
    let path = try locate(nameOrPath)
    do { return try loader.load(path: path) } catch { throw .profile(error) }
  }

  /// Reads the live host (or the fixture tree under the root): every sysctl, or only `keys`.
  /// Lines of /proc tables that could not be read are skipped and said on stderr, once per
  /// process (the agent reads every cycle).
  public func readHost(keys: Set<String>? = nil, tables: HostSnapshot.Tables = .all) throws(VMTuneError) -> HostSnapshot
  {
    let snapshot: HostSnapshot
    do { snapshot = try HostSnapshot.read(files, keys: keys, tables: tables) } catch {
      throw .host(root: files.rootDescription, error)
    }
    for w in snapshot.parseWarnings where SkippedLines.first(w) { Terminal.error("warning: \(w) (line skipped)") }
    return snapshot
  }

  /// Reads a snapshot saved by `vmtune snapshot`.
  public static func loadSnapshot(_ path: String) throws(VMTuneError) -> HostSnapshot {
    let snap: HostSnapshot = try JSONFile.decode(path, what: "snapshot")
    guard snap.formatVersion == HostSnapshot.formatVersion else {
      throw .file(
        path: path, what: "snapshot",
        reason: "snapshot format \(snap.formatVersion); this vmtune reads \(HostSnapshot.formatVersion)",
        hint: "take it again with this vmtune's 'vmtune snapshot'")
    }
    return snap
  }

  /// Loads `profile` and plans it against a snapshot file, or the live host when `snapshot` is nil.
  public func plan(_ profile: String, snapshot: String? = nil) throws(VMTuneError) -> Plan {
    try plan([profile], snapshot: snapshot)
  }

  /// Loads `profiles`, merged in order (later wins), and plans them against a snapshot file, or
  /// the live host when `snapshot` is nil (then keys vmtune manages here that they do not set
  /// are released to their baseline).
  public func plan(_ profiles: [String], snapshot: String? = nil) throws(VMTuneError) -> Plan {
    let loaded = try loadProfiles(profiles)
    guard let snapshot else { return try plan(loaded) }
    return Planner.plan(loaded, on: try Self.loadSnapshot(snapshot))
  }

  /// Plans a loaded profile against the live host, releasing managed keys it does not set.
  public func plan(_ profile: Profile) throws(VMTuneError) -> Plan {
    let managed = managedKeys()
    return Planner.plan(profile, on: try readHost(for: profile, managed: managed), managed: managed)
  }

  /// Loads several profiles and merges them in order, as `include:` does (tuned's `profile a b`).
  public func loadProfiles(_ namesOrPaths: [String]) throws(VMTuneError) -> Profile {
    var loaded: [Profile] = []
    for name in namesOrPaths { loaded.append(try loadProfile(name)) }
    return ProfileLoader.combine(loaded)
  }

  /// What vmtune manages on this host and each key's baseline, from its applied journals
  /// (unreadable journals are skipped; `vmtune rollback --list` shows them).
  public func managedKeys() -> ManagedKeys {
    Journal.managed(JournalStore(files: files).scan().journals)
  }

  /// Reads what a plan of `profile` needs: its sysctls (and the managed keys it would release)
  /// and the tables the plan looks at.
  public func readHost(for profile: Profile, managed: ManagedKeys = ManagedKeys()) throws(VMTuneError)
    -> HostSnapshot
  {
    try readHost(keys: Planner.keysRead(by: profile, releasing: managed), tables: Planner.tablesRead(by: profile))
  }
}

/// Profiles from disk, through the kernel layer's file access.
public struct DiskProfileReader: ProfileReader {
  public init() {}
  public func read(_ path: String) throws -> [UInt8] {
    try HostFiles.plain.read(path, limit: ProfileLoader.maxFileBytes + 1)
  }
  public func exists(_ path: String) -> Bool { HostFiles.plain.kind(path) == .file }
  public func list(_ dir: String) -> [String] { HostFiles.plain.list(dir.isEmpty ? "." : dir) }
}

/// Where the profiles shipped with vmtune live.
public enum ShippedProfiles {
  public static func directories() -> [String] {
    var dirs = ["/usr/share/vmtune/profiles", "/usr/local/share/vmtune/profiles"]
    if let exe = HostFiles.executablePath() {
      // Installed: <prefix>/bin/vmtune → <prefix>/share/vmtune/profiles.
      var parts = exe.split(separator: "/").dropLast()
      dirs.insert("/" + parts.dropLast().joined(separator: "/") + "/share/vmtune/profiles", at: 0)
      // Development: <repo>/.build/<triple>/debug/vmtune → <repo>/profiles.
      while !parts.isEmpty {
        if parts.last?.hasPrefix(".build") == true {
          dirs.insert("/" + parts.dropLast().joined(separator: "/") + "/profiles", at: 0)
          break
        }
        parts = parts.dropLast()
      }
    }
    return dirs
  }
}

/// JSON files the user names (saved plans, snapshots) and JSON output.
public enum JSONFile {
  /// Pretty, sorted, without escaped slashes: stable output for diffs and CI.
  public static func bytes<T: Encodable>(_ value: T) throws(VMTuneError) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do { return Array(try encoder.encode(value)) } catch { throw .other("cannot encode JSON: \(error)") }
  }

  public static func string<T: Encodable>(_ value: T) throws(VMTuneError) -> String {
    String(decoding: try bytes(value), as: UTF8.self)
  }

  public static func decode<T: Decodable>(_ path: String, what: String) throws(VMTuneError) -> T {
    let bytes: [UInt8]
    do { bytes = try HostFiles.plain.read(path) } catch {
      throw .file(path: path, what: what, reason: error.description)
    }
    do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
      throw .file(path: path, what: what, reason: DecodingText.describe(error))
    }
  }
}

extension Frontend {
  /// A saved plan made ready to apply here: refused when it was made on another host, kernel or
  /// boot; otherwise judged again against the live host (guards, watermark forecast).
  public func reassessed(_ plan: Plan, path: String) throws(VMTuneError) -> Plan {
    let live = try readHost(keys: Planner.keysRead(by: plan), tables: Planner.tablesRead)
    if let made = plan.identity, let why = made.mismatch(HostIdentity(live)) {
      throw .other(
        "the plan \(path) \(why); nothing was written",
        hint: "make the plan on this host: vmtune plan \(plan.profile) --out \(path)")
    }
    return Planner.reassess(plan, on: live)
  }

  /// Reads a plan saved by `vmtune plan --out`.
  public static func loadPlan(_ path: String) throws(VMTuneError) -> Plan {
    struct Header: Decodable { var formatVersion: Int }
    func otherFormat(_ version: Int) -> VMTuneError {
      .file(
        path: path, what: "plan", reason: "plan format \(version); this vmtune reads \(Plan.formatVersion)",
        hint: "make it again with this vmtune's 'vmtune plan PROFILE --out \(path)'")
    }
    let plan: Plan
    do { plan = try JSONFile.decode(path, what: "plan") } catch {
      // A plan of another format fails to decode; say which format it is rather than what broke.
      if let header: Header = try? JSONFile.decode(path, what: "plan"), header.formatVersion != Plan.formatVersion {
        throw otherFormat(header.formatVersion)
      }
      guard case .file(let p, let what, let reason, _) = error else { throw error }
      throw .file(path: p, what: what, reason: reason, hint: "make one with 'vmtune plan PROFILE --out \(path)'")
    }
    guard plan.formatVersion == Plan.formatVersion else { throw otherFormat(plan.formatVersion) }
    return plan
  }
}

/// The skipped-line warnings already said in this process.
enum SkippedLines {
  private static let said = Mutex<Set<String>>([])

  /// True the first time `warning` is seen.
  static func first(_ warning: String) -> Bool { said.withLock { $0.insert(warning).inserted } }
}

import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// The sysctl.d file apply --persist wrote (or found identical, or `vmtune off` removed), and
/// later files that override it at boot.
public struct PersistResult: Sendable, Hashable, Codable {
  public struct Override: Sendable, Hashable, Codable {
    /// The key the later file sets.
    public var key: String
    public var file: String
    public var line: Int
    public var value: String
    /// The persisted key it defeats: itself, or its exclusive partner that the kernel zeroes when
    /// `key` is written (vm.dirty_ratio zeroes vm.dirty_bytes).
    public var defeats: String
  }

  public var path: String
  public var keys: [String]
  public var overrides: [Override]
  /// The file already held exactly this content: nothing was written.
  public var unchanged = false
  /// `vmtune off` removed the file.
  public var removed = false
  /// `percent_of_ram` keys left out of the file: a boot-time `vmtune apply` recomputes them from
  /// the RAM the host boots with (examples/systemd/vmtune-apply.service).
  public var recomputedAtBoot: [String] = []
  /// The file before (nil: there was none) and after (nil: removed), for diffs.
  public var before: String?
  public var after: String?

  /// Whether the file changes: written anew, rewritten or removed.
  public var changed: Bool { !unchanged }
}

/// Boot persistence through sysctl.d (systemd-sysctl and `sysctl --system`).
public enum Persistence {
  public static let directory = "etc/sysctl.d"
  /// The default file, relative to the root.
  public static let relativePath = "\(directory)/\(PersistFileName.defaultName)"
  /// Searched by systemd-sysctl; for equal file names the earlier directory wins.
  public static let directories = [
    "etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d", "lib/sysctl.d",
  ]

  /// The file `name` (checked by ``PersistFileName/problem(_:)``), relative to the root.
  public static func relativePath(_ name: String) -> String { "\(directory)/\(name)" }

  /// Where an apply's file is staged before the first sysctl write; not `*.conf`, so neither
  /// systemd-sysctl nor `sysctl --system` reads it.
  static func pendingPath(_ relative: String) -> String { relative + ".pending" }

  /// The file content for a plan: every fixed entry in force after apply, in write order. A
  /// `percent_of_ram` entry is a comment: frozen, it would be wrong after the host boots with
  /// other RAM, so the boot-time apply recomputes it. The content depends only on the plan's
  /// values, so an apply that changes nothing finds the file identical and leaves it alone.
  public static func render(_ plan: Plan) -> (text: String, keys: [String], recomputed: [String]) {
    var lines = [
      "# Written by vmtune apply --persist (profile \(plan.profile)).",
      "# Do not edit: change the profile and run 'vmtune apply --persist' again.",
    ]
    var keys: [String] = []
    var recomputed: [String] = []
    for e in plan.entries where e.action == .change || e.action == .unchanged {
      guard let v = e.after, !e.released else { continue }
      if e.ramRelative {
        lines.append("# vm.\(e.key) = \(v) is RAM-relative (\(e.target)): recomputed at boot by 'vmtune apply'")
        recomputed.append(e.key)
        continue
      }
      lines.append("vm.\(e.key) = \(v)")
      keys.append(e.key)
    }
    return (lines.joined(separator: "\n") + "\n", keys, recomputed)
  }

  /// What `apply --persist` of `plan` would do to its file, without writing: the file now, the
  /// file after, and whether it changes (Ansible's check mode and diff).
  public static func preview(_ plan: Plan, files: HostFiles, name: String? = nil) -> (
    path: String, before: String?, after: String, changed: Bool
  ) {
    let rel = relativePath(name ?? plan.persistFile ?? PersistFileName.defaultName)
    let before = files.kind(rel) == .file ? try? files.readText(rel) : nil
    let after = render(plan).text
    return (files.path(rel), before, after, before != after)
  }

  /// `vm.swappiness = 10` / `vm/swappiness=10` / `-vm.x = 1` → (swappiness, 10). Others: nil.
  static func parseLine(_ line: Substring) -> (key: String, value: String)? {
    var s = line.drop(while: { $0 == " " || $0 == "\t" })
    if s.first == "#" || s.first == ";" || s.isEmpty { return nil }
    if s.first == "-" { s = s.dropFirst() }
    guard let eq = s.firstIndex(of: "=") else { return nil }
    let key = String(s[..<eq].trimmingWhitespace()).replacingSlashes()
    let value = String(s[s.index(after: eq)...].trimmingWhitespace())
    guard key.hasPrefix("vm.") else { return nil }
    return (String(key.dropFirst(3)), value)
  }

  /// Files sysctl.d loading would read after ours (`name`), which set one of `keys` or its
  /// exclusive partner (writing either of a pair zeroes the other).
  public static func overrides(
    of keys: [String], files: HostFiles, name: String = PersistFileName.defaultName
  ) -> [PersistResult.Override] {
    var byName: [String: String] = [:]
    for dir in directories.reversed() {
      for file in files.list(dir) where file.hasSuffix(".conf") { byName[file] = "\(dir)/\(file)" }
    }
    var later = byName.filter { $0.key > name }.sorted { $0.key < $1.key }.map(\.value)
    // procps `sysctl --system` reads /etc/sysctl.conf after every directory.
    later.append("etc/sysctl.conf")
    var found: [PersistResult.Override] = []
    var wanted: [String: String] = [:]
    for k in keys {
      wanted[k] = k
      if let partner = KnobCatalog.knob(k)?.exclusiveWith, !keys.contains(partner) { wanted[partner] = k }
    }
    for rel in later {
      guard let text = try? files.readTextWithinRoot(rel) else { continue }
      var n = 0
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        n += 1
        if let (k, v) = parseLine(line), let ours = wanted[k] {
          found.append(.init(key: k, file: files.path(rel), line: n, value: v, defeats: ours))
        }
      }
    }
    return found
  }
}

extension String {
  func replacingSlashes() -> String {
    String(map { $0 == "/" ? "." : $0 })
  }
}

extension Persistence {
  /// After an apply without `--persist`: the keys it wrote (or released) that the sysctl.d file an
  /// earlier `apply --persist` left still sets to another value — at boot those values come back.
  /// Nil when vmtune owns no such file or it agrees with what was written.
  public static func staleFile(after plan: Plan, files: HostFiles) -> (path: String, settings: [String])? {
    guard let owned = Applier.persistedFile(JournalStore(files: files).scan().journals),
      let text = try? files.readText(owned)
    else { return nil }
    var persisted: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, !line.hasPrefix("#") else { continue }
      let key = parts[0].trimmingWhitespace()
      guard key.hasPrefix("vm.") else { continue }
      persisted[String(key.dropFirst(3))] = String(parts[1].trimmingWhitespace())
    }
    let stale = plan.changes.compactMap { e -> String? in
      guard let value = persisted[e.key], value != e.after.map({ "\($0)" }) else { return nil }
      return "vm.\(e.key) = \(value)"
    }
    return stale.isEmpty ? nil : (files.path(owned), stale)
  }
}

import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// The sysctl.d file apply --persist wrote, and later files that override it at boot.
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
  /// The file before (nil: there was none) and after.
  public var before: String?
  public var after: String
  /// Whether the file's settings changed (its comments aside): false when it already held them.
  public var changed: Bool
}

/// Boot persistence through sysctl.d (systemd-sysctl and `sysctl --system`).
public enum Persistence {
  public static let relativePath = "etc/sysctl.d/90-vmtune.conf"
  /// Searched by systemd-sysctl; for equal file names the earlier directory wins.
  public static let directories = [
    "etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d", "lib/sysctl.d",
  ]

  /// The file content for a plan: every entry in force after apply, in write order.
  public static func render(_ plan: Plan, generation: Int?) -> (text: String, keys: [String]) {
    var lines = [
      "# Written by vmtune apply --persist (profile "
        + "\(plan.profile)\(generation.map { ", journal generation \($0)" } ?? "")).",
      "# Do not edit: change the profile and run 'vmtune apply --persist' again.",
    ]
    var keys: [String] = []
    for e in plan.entries where e.action == .change || e.action == .unchanged {
      guard let v = e.after else { continue }
      lines.append("vm.\(e.key) = \(v)")
      keys.append(e.key)
    }
    return (lines.joined(separator: "\n") + "\n", keys)
  }

  /// The settings of a sysctl.d file: its lines without comments, blank lines and surrounding
  /// blanks. Two files with the same settings set the same values at boot.
  public static func settings(_ text: String) -> [String] {
    text.split(separator: "\n").map { $0.trimmingWhitespace() }.filter {
      !$0.isEmpty && $0.first != "#" && $0.first != ";"
    }.map(String.init)
  }

  /// What `apply --persist` of `plan` would leave in the file, without writing: the file now,
  /// the file after, and whether its settings change. `generation` is the journal the apply
  /// would write (nil when no value changes).
  public static func preview(_ plan: Plan, generation: Int?, files: HostFiles) -> (
    before: String?, after: String, changed: Bool
  ) {
    let before = files.kind(relativePath) == .file ? try? files.readText(relativePath) : nil
    let after = render(plan, generation: generation).text
    let changed = before.map { settings($0) != settings(after) } ?? true
    return (before, changed || generation != nil ? after : before ?? after, changed)
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

  /// Files sysctl.d loading would read after ours, which set one of `keys` or its exclusive
  /// partner (writing either of a pair zeroes the other).
  public static func overrides(of keys: [String], files: HostFiles) -> [PersistResult.Override] {
    var byName: [String: String] = [:]
    for dir in directories.reversed() {
      for name in files.list(dir) where name.hasSuffix(".conf") { byName[name] = "\(dir)/\(name)" }
    }
    let ours = String(relativePath.split(separator: "/").last ?? "")
    var later = byName.filter { $0.key > ours }.sorted { $0.key < $1.key }.map(\.value)
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

extension Applier {
  /// Writes the sysctl.d file for `plan`. A file that already holds the same settings is left
  /// as it is when no value changed (`generation` nil), so a repeated apply changes nothing.
  func persist(_ plan: Plan, generation: Int?) throws(ApplyError) -> PersistResult {
    let keys = Persistence.render(plan, generation: generation).keys
    let (before, after, changed) = Persistence.preview(plan, generation: generation, files: files)
    if changed || generation != nil {
      do {
        try files.makeDirectories("etc/sysctl.d")
        try files.writeAtomically(Persistence.relativePath, Array(after.utf8), mode: 0o644)
      } catch {
        throw .persist(error)
      }
    }
    return PersistResult(
      path: files.path(Persistence.relativePath), keys: keys,
      overrides: Persistence.overrides(of: keys, files: files), before: before, after: after, changed: changed)
  }
}

extension String {
  func replacingSlashes() -> String {
    String(map { $0 == "/" ? "." : $0 })
  }
}

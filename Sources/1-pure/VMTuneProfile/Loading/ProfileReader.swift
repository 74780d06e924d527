import SystemPackage

/// Where profile bytes come from. The CLI supplies one backed by the kernel layer's file
/// access; tests supply an in-memory one. VMTuneProfile itself never touches files.
public protocol ProfileReader: Sendable {
  /// The file's bytes; throws when it cannot be read.
  func read(_ path: String) throws -> [UInt8]
  /// Whether a regular file exists at `path`.
  func exists(_ path: String) -> Bool
  /// The file names in directory `dir`, for "did you mean" (empty when it cannot be listed).
  func list(_ dir: String) -> [String]
}

extension ProfileReader {
  /// Readers that cannot list directories suggest nothing.
  public func list(_ dir: String) -> [String] { [] }
}

/// An in-memory ``ProfileReader`` keyed by path.
public struct MemoryProfileReader: ProfileReader {
  public struct Missing: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "no such file" }
  }

  public var files: [String: String]

  public init(_ files: [String: String]) { self.files = files }

  public func read(_ path: String) throws -> [UInt8] {
    guard let text = files[path] else { throw Missing(path: path) }
    return Array(text.utf8)
  }

  public func exists(_ path: String) -> Bool { files[path] != nil }

  /// The names directly inside `dir`, sorted.
  public func list(_ dir: String) -> [String] {
    let prefix = dir.isEmpty ? "" : (dir.hasSuffix("/") ? dir : dir + "/")
    return files.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
      .filter { !$0.contains("/") }.sorted()
  }
}

/// Path helpers on swift-system's `FilePath` (a value type only: nothing here opens a file).
/// Profiles name files relative to each other.
public enum ProfilePath {
  /// `profiles/kvm-host.yaml` → `profiles`; `kvm-host.yaml` → ``; `/kvm-host.yaml` → `/`.
  public static func directory(of path: String) -> String {
    FilePath(path).removingLastComponent().string
  }

  /// `name` inside `dir` (`name` itself when `dir` is empty).
  public static func join(_ dir: String, _ name: String) -> String {
    FilePath(dir).appending(name).string
  }

  /// `profiles/kvm-host.yaml` → `kvm-host`. Only `.yaml` and `.yml` are removed.
  public static func stem(_ path: String) -> String {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) && name.utf8.count > suffix.utf8.count {
      return String(name.dropLast(suffix.count))
    }
    return name
  }
}

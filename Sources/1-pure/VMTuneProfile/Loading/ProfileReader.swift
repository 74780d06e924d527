/// Where profile bytes come from. The CLI supplies one backed by the kernel layer's file
/// access; tests supply an in-memory one. VMTuneProfile itself never touches files.
public protocol ProfileReader: Sendable {
  /// The file's bytes; throws when it cannot be read.
  func read(_ path: String) throws -> [UInt8]
  /// Whether a regular file exists at `path`.
  func exists(_ path: String) -> Bool
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
}

/// Minimal path helpers (no Foundation): profiles name files relative to each other.
public enum ProfilePath {
  public static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    let dir = String(path[..<slash])
    return dir.isEmpty ? "/" : dir
  }

  public static func join(_ dir: String, _ name: String) -> String {
    if dir.isEmpty { return name }
    return dir.hasSuffix("/") ? dir + name : dir + "/" + name
  }

  /// `profiles/kvm-host.yaml` → `kvm-host`.
  public static func stem(_ path: String) -> String {
    var name = path.split(separator: "/").last.map(String.init) ?? path
    for ext in [".yaml", ".yml"] where name.hasSuffix(ext) {
      name.removeLast(ext.count)
    }
    return name
  }
}

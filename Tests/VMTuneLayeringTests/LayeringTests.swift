import Foundation
import Testing

/// The pure layer (Sources/1-pure) must not reach files, the clock or the network. SwiftPM
/// already refuses imports of modules a target does not depend on (VMTuneKernel); the platform
/// modules are importable by any target, so this test rejects them. SystemPackage is allowed for
/// `FilePath` (a value) but nothing there may name `FileDescriptor`, or swift-system's other
/// file operations.
@Suite struct LayeringTests {
  static let sources = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources")

  static func swiftFiles(under folder: String) throws -> [URL] {
    let root = sources.appendingPathComponent(folder)
    let walker = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
    return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
  }

  static func imports(_ file: URL) throws -> [String] {
    try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
      let words = line.split(separator: " ")
      guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
        words[..<i].allSatisfy({ ["@testable", "internal", "public", "private", "@_exported"].contains($0) })
      else { return nil }
      return String(words[i + 1])
    }
  }

  @Test func pureModulesImportOnlyPureModules() throws {
    let files = try Self.swiftFiles(under: "1-pure")
    #expect(files.count > 20, "the pure layer's sources were not found under \(Self.sources.path)")
    let allowed: Set<String> = [
      "VMTuneProfile", "VMTuneHost", "VMTuneModel", "VMTunePlan", "VMTuneDiagnose", "CYaml",
      // For the FilePath value type only; pureModulesNeverOpenFiles keeps FileDescriptor out.
      "SystemPackage",
    ]
    for file in files {
      for module in try Self.imports(file) {
        #expect(allowed.contains(module), "\(file.lastPathComponent) imports \(module)")
      }
    }
  }

  @Test func pureModulesNeverOpenFiles() throws {
    // swift-system reaches the file system through these types; FilePath alone only names files.
    let forbidden: Set<Substring> = [
      "FileDescriptor", "Stat", "FileMode", "FilePermissions", "IORing", "withTemporaryFilePath",
    ]
    for file in try Self.swiftFiles(under: "1-pure") {
      let words = try String(contentsOf: file, encoding: .utf8)
        .split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
      for word in Set(words).intersection(forbidden) {
        Issue.record("\(file.lastPathComponent) mentions \(word)")
      }
    }
  }

  @Test func onlyTheYAMLFolderTouchesLibyaml() throws {
    for file in try Self.swiftFiles(under: "1-pure") where try Self.imports(file).contains("CYaml") {
      #expect(file.path.contains("/VMTuneProfile/YAML/"), "\(file.lastPathComponent) imports CYaml")
    }
  }
}

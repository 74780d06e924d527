import Foundation
import Testing

/// The repository stands alone: what a user or contributor reads must not point at documents,
/// incident numbers or paths outside it. Kernel facts are cited from docs/KERNEL.md or by kernel
/// function name; incidents are described by what happened.
@Suite struct RepositoryHygieneTests {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Top-level folders and files that are shipped or read by contributors.
  static let scanned = [
    "Sources", "Tests", "profiles", "examples", "docs", "bench", "schema", "packaging",
    "README.md", "Makefile", "Package.swift",
  ]

  /// Built by concatenation so that this file does not match itself.
  static let forbidden: [String] = [
    "kernel-" + "vm.md",
    ".." + "/shared",
    "peers" + "-",
    "seed" + " 0",
    "seed" + "0",
    "(seed" + " ",
    "\u{00A7}",
  ]

  static func files() throws -> [(path: String, url: URL)] {
    let fm = FileManager.default
    var found: [(String, URL)] = []
    for entry in scanned {
      let url = root.appendingPathComponent(entry)
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
      if !isDirectory.boolValue {
        found.append((entry, url))
        continue
      }
      let walker = try #require(fm.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]))
      for case let file as URL in walker {
        let name = file.lastPathComponent
        if name.hasPrefix(".build") || name == "fuzz-out" {
          walker.skipDescendants()
          continue
        }
        guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
        let relative = String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
        found.append((relative, file))
      }
    }
    return found
  }

  static func hits(in text: String) -> [(line: Int, pattern: String)] {
    var result: [(Int, String)] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let lowered = line.lowercased()
      for pattern in forbidden where lowered.contains(pattern) {
        result.append((index + 1, pattern))
      }
    }
    return result
  }

  @Test func patternsAreCaught() {
    #expect(Set(Self.hits(in: "ok\n(S" + "eed 002) here").map(\.line)) == [2])
    #expect(Self.hits(in: "see kernel-" + "vm.md \u{00A7}3").count == 2)
    #expect(Self.hits(in: "Jitter(seed: 42), seeded, SEED_FILE").isEmpty)
  }

  @Test func noReferencesOutsideTheRepository() throws {
    let files = try Self.files()
    #expect(files.count > 100, "the repository's files were not found under \(Self.root.path)")
    var scannedText = 0
    for (path, url) in files {
      for pattern in Self.forbidden where path.lowercased().contains(pattern) {
        Issue.record("\(path): file name contains '\(pattern)'")
      }
      guard let data = FileManager.default.contents(atPath: url.path),
        let text = String(data: data, encoding: .utf8)
      else { continue }  // binary files
      scannedText += 1
      for hit in Self.hits(in: text) {
        Issue.record(
          """
          \(path):\(hit.line): '\(hit.pattern)' refers to material outside the repository; cite docs/KERNEL.md \
          or describe the incident
          """
        )
      }
    }
    #expect(scannedText > 100)
  }

  /// Section headings of docs/KERNEL.md, which comments cite as "docs/KERNEL.md, Section".
  static func kernelSections() throws -> [String] {
    let text = try String(contentsOf: root.appendingPathComponent("docs/KERNEL.md"), encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
      guard line.hasPrefix("## ") || line.hasPrefix("### ") else { return nil }
      return String(line.drop(while: { $0 == "#" }).dropFirst())
    }
  }

  @Test func kernelCitationsNameExistingSections() throws {
    let sections = try Self.kernelSections()
    #expect(sections.contains("Watermarks") && sections.contains("Fragmentation indexes"))
    let marker = "KERNEL.md, "
    let own = URL(fileURLWithPath: #filePath).lastPathComponent
    for (path, url) in try Self.files() where !path.hasSuffix("docs/KERNEL.md") && !path.hasSuffix(own) {
      guard let text = try? String(contentsOf: url, encoding: .utf8), text.contains(marker) else { continue }
      for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        var rest = line[...]
        while let range = rest.range(of: marker) {
          rest = rest[range.upperBound...]
          let cited = rest.trimmingCharacters(in: .whitespaces)
          // A citation may wrap onto the next line: then the heading starts with what is left.
          let known = sections.contains { cited.hasPrefix($0) || (!cited.isEmpty && $0.hasPrefix(cited)) }
          if !known {
            Issue.record("\(path):\(index + 1): '\(cited.prefix(40))' is not a section of docs/KERNEL.md")
          }
        }
      }
    }
  }
}

import Foundation
import Testing
import VMTuneProfile
import VMTuneTestSupport

struct DiskReader: ProfileReader {
  func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
  func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

@Suite struct ShippedProfilesTests {
  static let dir = repositoryRoot() + "/profiles"
  static let names = ["base", "kvm-host", "file-server", "database", "numa-hpc", "latency", "slab-heavy"]

  @Test(arguments: names)
  func shippedProfileValidates(name: String) throws {
    let loader = ProfileLoader(reader: DiskReader(), searchPath: [Self.dir])
    let path = try #require(loader.locate(name), "profiles/\(name).yaml is missing")
    let profile = try loader.load(path: path)
    #expect(profile.name == name)
    #expect(!profile.description.isEmpty)
    #expect(!profile.settings.isEmpty)
  }

  @Test(arguments: names)
  func shippedProfileExplainsEveryValueInItsHeader(name: String) throws {
    let text = try String(contentsOfFile: "\(Self.dir)/\(name).yaml", encoding: .utf8)
    let profile = try ProfileLoader(reader: DiskReader(), searchPath: [Self.dir]).load(path: "\(Self.dir)/\(name).yaml")
    let comments = text.split(separator: "\n").filter { $0.hasPrefix("#") }.joined(separator: "\n")
    for s in profile.settings where s.profile == name {
      #expect(comments.contains(s.key), "\(name).yaml's header does not explain \(s.key)")
    }
  }

  @Test func everyYAMLFileInProfilesIsAShippedProfile() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir).filter { $0.hasSuffix(".yaml") }
    #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Self.names))
  }
}

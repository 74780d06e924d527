import Foundation

/// The absolute path of a file under Tests/Fixtures (`proc/zoneinfo-6.18`, `logs/…`).
public func fixturePath(_ relative: String) -> String {
  repositoryRoot() + "/Tests/Fixtures/" + relative
}

/// The text of a file under Tests/Fixtures.
public func fixtureText(_ relative: String) throws -> String {
  try String(contentsOfFile: fixturePath(relative), encoding: .utf8)
}

import Foundation
import Testing
import VMTuneTestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `check --format junit` as JUnit readers take it: validated by the real xmllint against the
/// schema in Tests/Fixtures/junit (what Jenkins, GitLab and GitHub's reporters all accept), with
/// every count matching the testcases it counts.
@Suite struct JUnitConsumerTests {
  static let xmllint = Prerequisite.executable("/usr/bin/xmllint", package: "libxml2-utils")
  static let schema = repositoryRoot() + "/Tests/Fixtures/junit/vmtune-junit.xsd"

  /// xmllint's verdict on `xml` against the schema: nil when valid, else its messages.
  static func schemaProblems(_ xml: String, in host: FixtureHost) throws -> String? {
    let file = try scratchFile(host, "report-\(UUID().uuidString).xml", xml)
    let r = try runProgram("/usr/bin/xmllint", ["--noout", "--schema", schema, file])
    return r.status == 0 ? nil : r.stderr
  }

  /// Every count on <testsuites> and <testsuite> equals the testcases and outcomes it counts.
  static func expectCountsMatch(_ xml: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    // FoundationXML crashes on an empty document instead of throwing.
    try #require(!xml.isEmpty, "no XML at all", sourceLocation: sourceLocation)
    let doc = try XMLDocument(data: Data(xml.utf8))
    func count(_ path: String, in node: XMLNode) throws -> Int { try node.nodes(forXPath: path).count }
    func attribute(_ name: String, of node: XMLNode) -> Int? {
      ((node as? XMLElement)?.attribute(forName: name)?.stringValue).flatMap { Int($0) }
    }
    let root = try #require(doc.rootElement())
    for (node, prefix) in [(root as XMLNode, ".//")] + (try root.nodes(forXPath: "testsuite")).map({ ($0, "./") }) {
      #expect(
        attribute("tests", of: node) == (try count("\(prefix)testcase", in: node)), sourceLocation: sourceLocation)
      #expect(
        attribute("failures", of: node) == (try count("\(prefix)testcase/failure", in: node)),
        sourceLocation: sourceLocation)
      #expect(
        attribute("errors", of: node) == (try count("\(prefix)testcase/error", in: node)),
        sourceLocation: sourceLocation)
      if node !== root {
        #expect(
          attribute("skipped", of: node) == (try count("\(prefix)testcase/skipped", in: node)),
          sourceLocation: sourceLocation)
      }
    }
  }

  /// The schema is not vacuous: the report vmtune used to write (`skipped` on <testsuites>, no
  /// `errors` on <testsuite>), which Jenkins' junit-10 schema refuses, is refused here too.
  @Test(xmllint.trait) func theSchemaRefusesWhatJenkinsRefused() throws {
    guard Self.xmllint.check() else { return }
    let host = try FixtureHost()
    let old = """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="vmtune check" tests="1" failures="0" skipped="0">
        <testsuite name="h.t" tests="1" failures="0" skipped="0" timestamp="2026-01-01T00:00:00Z">
          <testcase classname="h" name="vm.swappiness"></testcase>
        </testsuite>
      </testsuites>

      """
    let problems = try #require(try Self.schemaProblems(old, in: host))
    #expect(problems.contains("'skipped' is not allowed"), "\(problems)")
    #expect(problems.contains("'errors' is required"), "\(problems)")
  }

  @Test(xmllint.trait) func oneHostValidatesAndCountsMatch() throws {
    guard Self.xmllint.check() else { return }
    let host = try FixtureHost()
    let p = try writeProfile(
      host,
      "sysctl:\n  swappiness: { at_most: 10 }\n  max_map_count: 65530\n"
        + "  defrag_mode: { value: 1, when: { kernel: \">=7.0\" } }\n")
    let r = try runVMTune(["check", p, "--root", host.root, "--format", "junit"])
    #expect(r.status == 2)
    #expect(try Self.schemaProblems(r.stdout, in: host) == nil)
    try Self.expectCountsMatch(r.stdout)
    #expect(r.stdout.contains("<testsuites name=\"vmtune check\" tests=\"3\" failures=\"1\" errors=\"0\" time=\"0\">"))
    #expect(r.stdout.contains("<testcase classname=\"fixture\" name=\"vm.max_map_count\" time=\"0\"></testcase>"))
  }

  /// A snapshot that cannot be read is a testcase with an <error>, not a host that vanished.
  @Test(xmllint.trait) func aFleetWithUnreadableSnapshotsValidatesWithAnErrorPerSnapshot() throws {
    guard Self.xmllint.check() else { return }
    let fleet = try FleetFixture()
    try fleet.snapshot("db-1.json", hostname: "db-1", drifted: true)
    try fleet.garbage("broken.json")
    try fleet.garbage("old.json", "{\"formatVersion\": 0}")
    let r = try fleet.check(["--format", "junit"])
    #expect(r.status == 1, "unreadable snapshots are errors")
    #expect(try Self.schemaProblems(r.stdout, in: fleet.host) == nil)
    try Self.expectCountsMatch(r.stdout)
    let doc = try XMLDocument(data: Data(r.stdout.utf8))
    #expect(try doc.nodes(forXPath: "//testsuite").count == 3)
    let errors = try doc.nodes(forXPath: "//testcase[error]/@classname").map { $0.stringValue ?? "" }
    #expect(errors == ["broken.json", "old.json"])
    #expect(try doc.nodes(forXPath: "/testsuites/@errors").first?.stringValue == "2")
    #expect(try doc.nodes(forXPath: "//testsuite[@file='old.json']/testcase/error/@message").count == 1)
  }

  /// A check that cannot run at all (here: no such profile) still leaves a report a CI system
  /// shows as an error, besides exit status 1 and the message on stderr.
  @Test(xmllint.trait) func aFailedCheckIsAnErrorTestcase() throws {
    guard Self.xmllint.check() else { return }
    let host = try FixtureHost()
    let r = try runVMTune(["check", "no-such-profile", "--root", host.root, "--format", "junit"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("no profile 'no-such-profile'"))
    #expect(try Self.schemaProblems(r.stdout, in: host) == nil)
    try Self.expectCountsMatch(r.stdout)
    #expect(r.stdout.contains("<error message=\"no profile &apos;no-such-profile&apos;"), "\(r.stdout)")
  }
}

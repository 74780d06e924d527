import Foundation
import Testing
import VMTuneTestSupport

/// The man pages packaging/man.py writes from `vmtune --experimental-dump-help`: one per command,
/// named as `man vmtune-plan` finds them, rendering without warnings and with the help text whole.
@Suite struct ManPageTests {
  static let python = Prerequisite.python3(modules: ["json"], install: "apt-get install python3")
  static let man = Prerequisite.executable("/usr/bin/man", package: "man-db")

  /// Writes the pages into a fresh directory and returns it.
  func generate() throws -> String {
    let dir = NSTemporaryDirectory() + "vmtune-man-\(UUID().uuidString)"
    let r = try runProgram(
      "/usr/bin/env",
      ["python3", repositoryRoot() + "/packaging/man.py", vmtuneBinary(), dir, "--date", "2025-01-02"])
    #expect(r.status == 0, "\(r.stderr)")
    return dir
  }

  func render(_ page: String) throws -> RunResult {
    try runProgram(
      "/usr/bin/man", ["--warnings", "-E", "UTF-8", "-P", "cat", "-l", page],
      environment: ["PATH": "/usr/bin:/bin", "MANWIDTH": "100", "LC_ALL": "C.UTF-8"])
  }

  @Test(python.trait) func onePagePerCommand() throws {
    guard Self.python.check() else { return }
    let dir = try generate()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let pages = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
    for command in [
      "plan", "apply", "rollback", "check", "validate", "profiles", "explain", "snapshot", "diagnose",
      "watermarks", "agent", "schema", "import", "import-sysctl", "import-tuned", "recommend",
    ] {
      #expect(pages.contains("vmtune-\(command).1"), "\(pages.sorted())")
    }
    #expect(pages.contains("vmtune.1"))
    #expect(!pages.contains("vmtune-help.1"))
    let plan = try String(contentsOfFile: dir + "/vmtune-plan.1", encoding: .utf8)
    #expect(plan.contains(".TH \"VMTUNE\\-PLAN\" 1 2025-01-02 \"vmtune 0.1.0\""), "\(plan)")
    #expect(plan.contains("\\fB\\-\\-snapshot\\fR \\fIFILE\\fR"))
  }

  @Test(python.trait, man.trait) func pagesRenderWholeAndWithoutWarnings() throws {
    guard Self.python.check(), Self.man.check() else { return }
    let dir = try generate()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for page in try FileManager.default.contentsOfDirectory(atPath: dir) {
      let r = try render(dir + "/" + page)
      #expect(r.status == 0 && r.stderr.isEmpty, "\(page): \(r.stderr)")
    }
    let plan = try render(dir + "/vmtune-plan.1").stdout
    #expect(plan.contains("vmtune-plan - Show what applying a profile would change on this host"), "\(plan)")
    // Non-ASCII help text and a line starting with an apostrophe (a roff control character) survive.
    #expect(plan.contains("  ~ key   old → new     will be written"), "\(plan)")
    #expect(plan.contains("'vmtune apply --plan FILE';"), "\(plan)")
    #expect(plan.contains("--snapshot FILE"))
    let main = try render(dir + "/vmtune.1").stdout
    #expect(main.contains("vmtune-import(1)"))
    #expect(main.contains("/etc/vmtune/profiles"))
    let recommend = try render(dir + "/vmtune-recommend.1").stdout
    #expect(recommend.contains("libvirtd running → kvm-host"), "\(recommend)")
  }
}

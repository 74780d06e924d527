import Foundation
import Testing
import VMTuneTestSupport

/// `vmtune off` and `vmtune status` (issue 15).
@Suite struct OffStatusCLITests {
  let body = "sysctl:\n  swappiness: 10\n  vfs_cache_pressure: 50\n"

  /// off releases every managed key, removes the persist file, stands the agent down; all of it
  /// is one generation that rollback undoes.
  @Test func offReleasesEverythingAndRollbackUndoesIt() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let p = try writeProfile(host, body)
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"]).status == 0)
    let off = try runVMTune(["off", "--root", host.root, "--yes"])
    #expect(off.status == 0, "\(off.stderr)")
    #expect(off.stdout.contains("swappiness: 10 → 60 (released)"), "\(off.stdout)")
    #expect(host.allValues() == before)
    #expect(!FileManager.default.fileExists(atPath: host.root + "/etc/sysctl.d/90-vmtune.conf"))
    #expect(FileManager.default.fileExists(atPath: host.root + "/var/lib/vmtune/stand-down.json"))

    let agent = try runVMTune(["agent", p, "--root", host.root, "--once"])
    #expect(agent.stderr.contains("'vmtune off'") || agent.stdout.contains("'vmtune off'"), "\(agent.stderr)")
    #expect(host.value("swappiness") == "60", "the agent does not put the profile back")

    let status = try runVMTune(["status", "--root", host.root])
    #expect(status.status == 0, "\(status.stderr)")
    #expect(status.stdout.contains("off"), "\(status.stdout)")

    let undo = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(undo.status == 0, "\(undo.stderr)")
    #expect(host.value("swappiness") == "10")
    #expect(FileManager.default.fileExists(atPath: host.root + "/etc/sysctl.d/90-vmtune.conf"))

    let again = try runVMTune(["off", "--root", host.root, "--yes"])
    #expect(again.status == 0)
    let nothing = try runVMTune(["off", "--root", host.root, "--yes"])
    #expect(nothing.stdout.contains("nothing to release"), "\(nothing.stdout)")
  }

  /// status: the profile, when, by which command, generation, persist file, agent, drift.
  @Test func statusShowsWhatIsAppliedAndDrift() throws {
    let host = try FixtureHost()
    let none = try runVMTune(["status", "--root", host.root])
    #expect(none.status == 0)
    #expect(none.stdout.contains("none"), "\(none.stdout)")

    let p = try writeProfile(host, body)
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"]).status == 0)
    let s = try runVMTune(["status", "--root", host.root, "--no-color"])
    #expect(s.status == 0, "\(s.stdout)\(s.stderr)")
    #expect(s.stdout.contains("Profile   t, applied"), "\(s.stdout)")
    #expect(s.stdout.contains("'vmtune apply'"), "\(s.stdout)")
    #expect(s.stdout.contains("generation 1"), "\(s.stdout)")
    #expect(s.stdout.contains("90-vmtune.conf: matches"), "\(s.stdout)")
    #expect(s.stdout.contains("in sync"), "\(s.stdout)")

    try host.set("swappiness", "30")
    try host.write("etc/sysctl.d/90-vmtune.conf", "vm.swappiness = 1\n")
    let d = try runVMTune(["status", "--root", host.root, "--format", "json"])
    #expect(d.status == 2, "\(d.stdout)")
    let json = try JSONSerialization.jsonObject(with: Data(d.stdout.utf8)) as? [String: Any]
    #expect(json?["state"] as? String == "applied")
    let drift = json?["drift"] as? [String: Any]
    #expect(drift?["changes"] as? [String] == ["swappiness"], "\(d.stdout)")
    let persist = json?["persist"] as? [String: Any]
    #expect(persist?["matches"] as? Bool == false, "\(d.stdout)")
    let applied = json?["applied"] as? [String: Any]
    #expect(applied?["command"] as? String == "apply")
    #expect(applied?["generation"] as? Int == 1)

    // The agent's cycle is recorded; a corrupt generation is named.
    _ = try runVMTune(["agent", p, "--root", host.root, "--once"])
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: host.root + "/var/lib/vmtune/journal/000001.json"))
    let a = try runVMTune(["status", "--root", host.root, "--no-color"])
    #expect(a.stdout.contains("Agent     last cycle"), "\(a.stdout)")
    #expect(a.stdout.contains("corrupt"), "\(a.stdout)")
    #expect(a.stdout.contains("by 'vmtune agent'"), "the agent's enforcement is the newest generation: \(a.stdout)")
  }
}

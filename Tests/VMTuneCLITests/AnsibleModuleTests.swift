import Foundation
import Testing
import VMTuneTestSupport

/// vmtune as an Ansible module, through the protocol Ansible uses (an arguments file with
/// `_ansible_*` keys, one JSON object on stdout). Tests/ansible/run.sh drives the same module
/// with the real ansible-playbook.
@Suite struct AnsibleModuleTests {
  /// Runs the module with `arguments` (JSON object members) and returns its answer.
  static func module(_ host: FixtureHost, _ arguments: String) throws -> (status: Int32, result: [String: Any]) {
    let file = try scratchFile(host, "args-\(UUID().uuidString).json", "{\(arguments), \"_ansible_diff\": true}")
    let r = try runVMTune([file])
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    return (r.status, object ?? ["unparsed stdout": r.stdout, "stderr": r.stderr])
  }

  static func applied(_ host: FixtureHost) throws -> String {
    let p = try writeProfile(host, "sysctl:\n  swappiness: 10\n")
    return "\"profile\": \"\(p)\", \"root\": \"\(host.root)\""
  }

  /// Values as Ansible passes them from `key=value` arguments, `-e` variables and templates:
  /// strings for booleans, comma-separated strings for lists, numbers as strings.
  @Test func stringArgumentsAreCoercedLikeAnsibleModules() throws {
    let host = try FixtureHost()
    _ = try writeProfile(host, "sysctl:\n  swappiness: 10\n", name: "web")
    let base = "\"root\": \"\(host.root)\", \"_ansible_check_mode\": false"
    let dirs = "\"profile_dir\": \"/nonexistent,\(host.root)/profiles\""
    let r = try Self.module(host, "\"profile\": \"web\", \(dirs), \"persist\": \"yes\", \"force\": \"off\", \(base)")
    #expect(r.status == 0, "\(r.result)")
    #expect(r.result["changed"] as? Bool == true)
    #expect(host.value("swappiness") == "10")
    #expect(FileManager.default.fileExists(atPath: host.root + "/etc/sysctl.d/90-vmtune.conf"), "persist=yes")
    for spelling in ["\"True\"", "\"1\"", "1", "\"on\"", "\"y\""] {
      let again = try Self.module(host, "\"profile\": \"web\", \(dirs), \"persist\": \(spelling), \(base)")
      #expect(again.status == 0 && again.result["changed"] as? Bool == false, "persist: \(spelling): \(again.result)")
    }
  }

  @Test func argumentsThatCannotBeConvertedFailTheTaskWithTheirName() throws {
    let host = try FixtureHost()
    let base = try Self.applied(host)
    let maybe = try Self.module(host, "\(base), \"persist\": \"maybe\"")
    #expect(maybe.status == 1)
    #expect(maybe.result["failed"] as? Bool == true)
    #expect(
      maybe.result["msg"] as? String
        == "argument 'persist' is of type str and we were unable to convert to bool: 'maybe' is not a valid boolean")
    let state = try Self.module(host, "\(base), \"state\": \"present\"")
    #expect(
      (state.result["msg"] as? String)?.hasPrefix(
        "value of state must be one of: applied, checked, rolled_back, off, got: present") == true)
    let unknown = try Self.module(host, "\(base), \"colour\": 1, \"size\": 2")
    #expect(
      unknown.result["msg"] as? String
        == "Unsupported parameters for (vmtune) module: colour, size. Supported parameters include: force, generation, "
        + "persist, persist_file, profile, profile_dir, root, state.")
    let missing = try Self.module(host, "\"root\": \"\(host.root)\"")
    #expect(missing.result["msg"] as? String == "missing required arguments: profile")
    #expect(host.value("swappiness") == "60")
  }

  /// `state: off` does what `vmtune off` does: every managed key back to its baseline and the
  /// persist file removed, as one journaled change; check mode says so and writes nothing; a
  /// second run changes nothing; YAML's bare `off` (the boolean false) means the same, said.
  @Test func stateOffReleasesEveryManagedKeyAndRemovesThePersistFile() throws {
    let host = try FixtureHost()
    let args = try Self.applied(host)
    let applied = try Self.module(host, "\(args), \"persist\": true, \"_ansible_check_mode\": false")
    #expect(applied.result["changed"] as? Bool == true, "\(applied.result)")
    let file = host.root + "/etc/sysctl.d/90-vmtune.conf"
    #expect(FileManager.default.fileExists(atPath: file))
    let off = "\"root\": \"\(host.root)\", \"state\": \"off\""
    let check = try Self.module(host, "\(off), \"_ansible_check_mode\": true")
    #expect(check.result["changed"] as? Bool == true, "\(check.result)")
    #expect(check.result["msg"] as? String == "1 key(s) would be released to their baseline; \(file) would be removed")
    let diffs = try #require(check.result["diff"] as? [[String: Any]])
    #expect(
      diffs.first?["before"] as? String == "vm.swappiness = 10\n"
        && diffs.first?["after"] as? String == "vm.swappiness = 60\n")
    #expect(
      (diffs.last?["before"] as? String)?.contains("vm.swappiness = 10") == true
        && diffs.last?["after"] as? String == "")
    #expect(host.value("swappiness") == "10" && FileManager.default.fileExists(atPath: file), "check mode wrote")
    let done = try Self.module(host, "\(off), \"_ansible_check_mode\": false")
    #expect(done.status == 0 && done.result["changed"] as? Bool == true, "\(done.result)")
    #expect((done.result["msg"] as? String)?.hasPrefix("vmtune is off: 1 key(s) released to their baseline") == true)
    #expect(host.value("swappiness") == "60" && !FileManager.default.fileExists(atPath: file))
    let again = try Self.module(host, "\"root\": \"\(host.root)\", \"state\": false, \"_ansible_check_mode\": false")
    #expect(again.status == 0 && again.result["changed"] as? Bool == false, "\(again.result)")
    #expect(
      (again.result["warnings"] as? [String])?.first?.hasPrefix("state: off was read as the boolean false") == true)
    // The release is a journaled change: rolled_back puts the values and the file back.
    let undo = try Self.module(host, "\"root\": \"\(host.root)\", \"state\": \"rolled_back\", \"generation\": 2")
    #expect(undo.result["changed"] as? Bool == true, "\(undo.result)")
    #expect(host.value("swappiness") == "10" && FileManager.default.fileExists(atPath: file))
  }

  /// `persist_file` names the sysctl.d file (so it can sort after a distribution's
  /// 99-sysctl.conf) and implies `persist`; a name sysctl.d would not read fails the task.
  @Test func persistFileNamesTheSysctlDFile() throws {
    let host = try FixtureHost()
    let args = try Self.applied(host)
    let r = try Self.module(host, "\(args), \"persist_file\": \"99-zz-vmtune.conf\", \"_ansible_check_mode\": false")
    #expect(r.status == 0 && r.result["changed"] as? Bool == true, "\(r.result)")
    let file = host.root + "/etc/sysctl.d/99-zz-vmtune.conf"
    #expect((try? String(contentsOfFile: file, encoding: .utf8))?.contains("vm.swappiness = 10") == true)
    #expect(!FileManager.default.fileExists(atPath: host.root + "/etc/sysctl.d/90-vmtune.conf"))
    let again = try Self.module(host, "\(args), \"persist_file\": \"99-zz-vmtune.conf\", \"_ansible_check_mode\": true")
    #expect(again.result["changed"] as? Bool == false, "\(again.result)")
    let bad = try Self.module(host, "\(args), \"persist_file\": \"../evil.conf\"")
    #expect(bad.status == 1)
    #expect(bad.result["msg"] as? String == "persist_file: '../evil.conf' is a path; give a file name in /etc/sysctl.d")
  }

  /// With values already in place, creating the sysctl.d file is the change; the diff shows it.
  @Test func persistThatCreatesTheFileIsAChangeWithItsDiff() throws {
    let host = try FixtureHost()
    try host.set("swappiness", "10")
    let args = "\(try Self.applied(host)), \"persist\": true"
    let check = try Self.module(host, "\(args), \"_ansible_check_mode\": true")
    #expect(check.result["changed"] as? Bool == true, "\(check.result)")
    #expect(!FileManager.default.fileExists(atPath: host.root + "/etc/sysctl.d/90-vmtune.conf"))
    let first = try Self.module(host, "\(args), \"_ansible_check_mode\": false")
    #expect(first.result["changed"] as? Bool == true, "\(first.result)")
    let diffs = try #require(first.result["diff"] as? [[String: Any]], "\(first.result)")
    let file = try #require(diffs.first { ($0["after_header"] as? String)?.hasSuffix("90-vmtune.conf") == true })
    #expect(file["before"] as? String == "")
    #expect((file["after"] as? String)?.contains("vm.swappiness = 10\n") == true)
    let second = try Self.module(host, "\(args), \"_ansible_check_mode\": false")
    #expect(second.result["changed"] as? Bool == false, "\(second.result)")
    let checkAgain = try Self.module(host, "\(args), \"_ansible_check_mode\": true")
    #expect(checkAgain.result["changed"] as? Bool == false, "\(checkAgain.result)")
  }

  @Test func warningsAreReturned() throws {
    let host = try FixtureHost()
    try host.write("etc/sysctl.d/99-local.conf", "vm.swappiness = 30\n")
    let r = try Self.module(host, "\(try Self.applied(host)), \"persist\": true, \"_ansible_check_mode\": false")
    #expect(r.status == 0)
    let warnings = try #require(r.result["warnings"] as? [String], "\(r.result)")
    #expect(warnings.contains { $0.contains("99-local.conf:1 sets vm.swappiness = 30") }, "\(warnings)")
    let converted = try Self.module(host, "\(try Self.applied(host)), \"profile_dir\": [7]")
    let said = converted.result["warnings"] as? [String] ?? []
    #expect(said.contains { $0.contains("The value '7' (type int) in a string field was converted to '7'") }, "\(said)")
  }

  /// `state: rolled_back` runs vmtune's rollback: every applied journal undone (check mode only
  /// says so), and a second run has nothing left to undo.
  @Test func rolledBackUndoesTheAppliedJournalsOnce() throws {
    let host = try FixtureHost()
    let args = try Self.applied(host)
    #expect(try Self.module(host, "\(args), \"_ansible_check_mode\": false").result["changed"] as? Bool == true)
    try host.set("watermark_scale_factor", "10")
    // The second profile keeps swappiness, so switching to it releases nothing.
    let p2 = try writeProfile(host, "sysctl:\n  swappiness: 10\n  watermark_scale_factor: 200\n", name: "t2")
    let second = "\"profile\": \"\(p2)\", \"root\": \"\(host.root)\", \"_ansible_check_mode\": false"
    #expect(try Self.module(host, second).result["changed"] as? Bool == true)
    let rollback = "\(args), \"state\": \"rolled_back\""
    let check = try Self.module(host, "\(rollback), \"_ansible_check_mode\": true")
    #expect(check.result["changed"] as? Bool == true, "\(check.result)")
    #expect(host.value("swappiness") == "10" && host.value("watermark_scale_factor") == "200")
    let diff = try #require((check.result["diff"] as? [[String: Any]])?.first)
    #expect(diff["before"] as? String == "vm.swappiness = 10\nvm.watermark_scale_factor = 200\n", "\(diff)")
    #expect(diff["after"] as? String == "vm.swappiness = 60\nvm.watermark_scale_factor = 10\n", "\(diff)")
    let done = try Self.module(host, "\(rollback), \"_ansible_check_mode\": false")
    #expect(done.status == 0 && done.result["changed"] as? Bool == true, "\(done.result)")
    #expect(done.result["rolled_back_generations"] as? [Int] == [2, 1])
    #expect(host.value("swappiness") == "60" && host.value("watermark_scale_factor") == "10")
    let again = try Self.module(host, "\(rollback), \"_ansible_check_mode\": false")
    #expect(again.status == 0 && again.result["changed"] as? Bool == false, "\(again.result)")
    #expect(again.result["msg"] as? String == "nothing to roll back: no applied journal")
  }

  /// As `vmtune rollback`: a key someone changed since vmtune wrote it refuses the rollback, in
  /// check mode too, unless `force`.
  @Test func rolledBackRefusesAKeyChangedSinceUnlessForced() throws {
    let host = try FixtureHost()
    let args = try Self.applied(host)
    _ = try Self.module(host, "\(args), \"_ansible_check_mode\": false")
    try host.set("swappiness", "30")
    for checkMode in [true, false] {
      let r = try Self.module(host, "\(args), \"state\": \"rolled_back\", \"_ansible_check_mode\": \(checkMode)")
      #expect(r.status == 1 && r.result["failed"] as? Bool == true, "check mode \(checkMode): \(r.result)")
      #expect((r.result["msg"] as? String)?.contains("swappiness") == true, "\(r.result)")
    }
    #expect(host.value("swappiness") == "30")
    let forced = try Self.module(host, "\(args), \"state\": \"rolled_back\", \"force\": \"yes\"")
    #expect(forced.status == 0 && forced.result["changed"] as? Bool == true, "\(forced.result)")
    #expect(host.value("swappiness") == "60")
  }

  @Test func rolledBackStopsAtTheGenerationGiven() throws {
    let host = try FixtureHost()
    let args = try Self.applied(host)
    _ = try Self.module(host, "\(args), \"_ansible_check_mode\": false")
    try host.set("swappiness", "30")
    _ = try Self.module(host, "\(args), \"_ansible_check_mode\": false")
    let r = try Self.module(
      host, "\(args), \"state\": \"rolled_back\", \"generation\": \"2\", \"_ansible_check_mode\": false")
    #expect(r.result["rolled_back_generations"] as? [Int] == [2], "\(r.result)")
    #expect(host.value("swappiness") == "30")
  }
}

import Foundation
import Testing
import VMTuneTestSupport

/// The sysctl.d file is part of the journaled change (issue 13, finding 4) and its name can be
/// chosen (issue 15, persist target).
@Suite struct PersistJournalCLITests {
  let body = "sysctl:\n  swappiness: 10\n  vfs_cache_pressure: 50\n"
  let conf = "/etc/sysctl.d/90-vmtune.conf"

  func text(_ host: FixtureHost, _ path: String) -> String? {
    try? String(contentsOfFile: host.root + path, encoding: .utf8)
  }

  /// On a host already in sync, `apply --persist` writes the file as a journaled generation that
  /// `rollback` undoes (file removed); applying again leaves an identical file alone.
  @Test func persistOnAnInSyncHostIsJournaledAndRolledBack() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, body)
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes"]).status == 0)
    let persisted = try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"])
    #expect(persisted.status == 0, "\(persisted.stderr)")
    #expect(persisted.stdout.contains("journal generation 2"), "\(persisted.stdout)")
    #expect(text(host, conf)?.contains("vm.swappiness = 10") == true)
    let list = try runVMTune(["rollback", "--list", "--root", host.root])
    #expect(list.stdout.contains("2 "), "\(list.stdout)")

    let again = try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist", "--detailed-exitcode"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("not rewritten"), "\(again.stdout)")
    #expect(!FileManager.default.fileExists(atPath: host.root + "/var/lib/vmtune/journal/000003.json"))

    let back = try runVMTune(["rollback", "--root", host.root, "--yes"])
    #expect(back.status == 0, "\(back.stderr)")
    #expect(text(host, conf) == nil, "rollback of the persist generation removes the file")
    #expect(host.value("swappiness") == "10", "the live values of generation 1 stay")
  }

  /// An apply without --persist after one with it: the old file would bring the old values back at
  /// boot, so the apply says which settings it holds and what to do; a persisted apply ends that.
  @Test func applyWithoutPersistWarnsAboutTheOlderPersistFile() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, body)
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"]).status == 0)
    let p2 = try writeProfile(host, "sysctl:\n  swappiness: 20\n  vfs_cache_pressure: 50\n", name: "p2")
    let r = try runVMTune(["apply", p2, "--root", host.root, "--yes"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      r.stderr.contains(
        "warning: \(host.root + conf), written by an earlier 'vmtune apply --persist', still sets vm.swappiness = 10: "
          + "those values come back at boot"), "\(r.stderr)")
    #expect(!r.stderr.contains("vfs_cache_pressure"), "an unchanged key is not stale: \(r.stderr)")
    let fixed = try runVMTune(["apply", p2, "--root", host.root, "--yes", "--persist"])
    #expect(fixed.status == 0 && !fixed.stderr.contains("still sets"), "\(fixed.stderr)")
    #expect(text(host, conf)?.contains("vm.swappiness = 20") == true)
  }

  /// A file that was there before is put back as it was, not removed.
  @Test func rollbackPutsBackTheFileThatWasThere() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, body)
    try host.write("etc/sysctl.d/90-vmtune.conf", "# an older file\nvm.swappiness = 30\n")
    #expect(try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"]).status == 0)
    #expect(text(host, conf)?.contains("vm.swappiness = 10") == true)
    #expect(try runVMTune(["rollback", "--root", host.root, "--yes"]).status == 0)
    #expect(text(host, conf) == "# an older file\nvm.swappiness = 30\n")
    #expect(host.value("swappiness") == "60")
  }

  /// /etc/sysctl.d that cannot be written is found before the first sysctl write.
  @Test func unwritableSysctlDirectoryIsRefusedBeforeAnyWrite() throws {
    let host = try FixtureHost()
    let p = try writeProfile(host, body)
    try host.write("etc/sysctl.d", "not a directory\n")
    let before = host.allValues()
    let r = try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("nothing was changed"), "\(r.stderr)")
    #expect(r.stderr.contains("sysctl.d"), "\(r.stderr)")
    #expect(host.allValues() == before)
    #expect(try runVMTune(["rollback", "--list", "--root", host.root]).stdout.contains("No journals"))
  }

  /// `--persist-file` and the profile's `persist.file` choose the name; percent_of_ram values
  /// are left to the boot-time apply instead of being frozen.
  @Test func persistTargetAndRAMRelativeValues() throws {
    let host = try FixtureHost()
    let p = try writeProfile(
      host,
      "persist: { file: 99-zz-vmtune.conf }\nsysctl:\n  swappiness: 10\n"
        + "  min_free_kbytes: { percent_of_ram: 0.25, min: 16384 }\n")
    let r = try runVMTune(["apply", p, "--root", host.root, "--yes", "--persist"])
    #expect(r.status == 0, "\(r.stderr)")
    let file = text(host, "/etc/sysctl.d/99-zz-vmtune.conf") ?? ""
    #expect(file.contains("vm.swappiness = 10"), "\(file)")
    #expect(file.contains("# vm.min_free_kbytes = "), "RAM-relative values are a comment: \(file)")
    #expect(!file.contains("\nvm.min_free_kbytes"), "\(file)")
    #expect(r.stderr.contains("recomputes them"), "\(r.stderr)")
    #expect(text(host, conf) == nil)

    let cli = try FixtureHost()
    let q = try writeProfile(cli, body)
    let named = try runVMTune(["apply", q, "--root", cli.root, "--yes", "--persist-file", "95-site.conf"])
    #expect(named.status == 0, "\(named.stderr)")
    #expect(text(cli, "/etc/sysctl.d/95-site.conf")?.contains("vm.vfs_cache_pressure = 50") == true)
    let bad = try runVMTune(["apply", q, "--root", cli.root, "--yes", "--persist-file", "../x.conf"])
    #expect(bad.status == 64, "\(bad.stderr)")
    let badProfile = try writeProfile(cli, "persist: { file: vmtune }\nsysctl:\n  swappiness: 10\n", name: "bad")
    let v = try runVMTune(["validate", badProfile])
    #expect(v.status == 1)
    #expect(v.stderr.contains("persist.file"), "\(v.stderr)")
  }
}

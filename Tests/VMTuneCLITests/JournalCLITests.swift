import Foundation
import Testing
import VMTuneTestSupport

/// Journals end to end: a full state disk, hand-edited and corrupt journals, long histories and
/// rollbacks that meet values changed since.
@Suite struct JournalCLITests {
  let body = "sysctl:\n  min_free_kbytes: 90000\n  watermark_scale_factor: 200\n  swappiness: 10\n"

  /// With ~4 KiB left on the state file system the in-progress journal fits and the final one
  /// does not: apply must refuse before the first sysctl write, every time, instead of leaving
  /// every value written under "nothing was changed" and flipping the host on each run.
  @Test func fullStateDiskAfterTheFirstJournalWriteChangesNothing() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let p = try writeProfile(host, body)
    for run in 1...2 {
      let r = try runVMTune(["apply", p, "--root", host.root, "--yes", "--inject-fault", "space:4096"])
      #expect(r.status == 1, "run \(run): \(r.stdout)")
      #expect(r.stderr.contains("cannot write the rollback journal, so nothing was changed"), "\(r.stderr)")
      #expect(r.stderr.contains("ENOSPC"), "\(r.stderr)")
      #expect(host.allValues() == before, "run \(run) left the host changed")
      let list = try runVMTune(["rollback", "--list", "--root", host.root])
      #expect(!list.stdout.contains("in-progress"), "run \(run): \(list.stdout)")
    }
    let ok = try runVMTune(["apply", p, "--root", host.root, "--yes", "--inject-fault", "space:8192"])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(host.value("swappiness") == "10")
    #expect(try runVMTune(["rollback", "--list", "--root", host.root]).stdout.contains("applied"))
  }
}

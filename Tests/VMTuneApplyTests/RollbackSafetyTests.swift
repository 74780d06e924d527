import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneApply

/// Rollback meets a host that moved on: values changed since the apply, another kernel, an agent
/// that would put the profile back.
@Suite struct RollbackSafetyTests {
  func applier(_ host: FixtureHost) -> Applier { Applier(files: host.files, store: KernelEmulatingStore(host.files)) }

  func apply(_ host: FixtureHost, _ sysctl: String, options: ApplyOptions = ApplyOptions()) throws -> ApplyReport {
    try applier(host).apply(Planner.plan(try profile(sysctl), on: try HostSnapshot.read(host.files)), options: options)
  }

  /// Someone set swappiness after the apply: rollback refuses (naming the key, what vmtune wrote
  /// and what is live) and writes nothing; --force restores every original.
  @Test func aValueChangedSinceTheApplyIsNotOverwrittenUnlessForced() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    _ = try apply(host, "  swappiness: 10\n  watermark_scale_factor: 200\n")
    try host.set("swappiness", "30")
    let store = RecordingStore(host.files)
    do {
      _ = try Applier(files: host.files, store: store).rollback()
      Issue.record("rollback overwrote a value changed since the apply")
    } catch {
      guard case .changedSince(let conflicts) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(conflicts.map(\.key) == ["swappiness"])
      #expect("\(error)".contains("swappiness: vmtune wrote 10, live 30 (the original was 60)"), "\(error)")
      #expect("\(error)".contains("nothing was written"), "\(error)")
    }
    #expect(store.writes.isEmpty)
    #expect(host.value("watermark_scale_factor") == "200")
    let forced = try applier(host).rollback(force: true)
    #expect(forced.restore.restored.map(\.key).sorted() == ["swappiness", "watermark_scale_factor"])
    #expect(host.allValues() == before)
  }

  /// A value someone already put back to its original is no conflict: it is left alone.
  @Test func aValueAlreadyBackAtItsOriginalIsNoConflict() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    _ = try apply(host, "  swappiness: 10\n  watermark_scale_factor: 200\n")
    try host.set("swappiness", "60")
    let report = try applier(host).rollback()
    #expect(report.restore.untouched == ["swappiness"])
    #expect(host.allValues() == before)
  }

  /// Rolling back several generations compares each key with the newest write to it and
  /// restores the oldest original: a key another tool flipped between applies and vmtune put
  /// back is no conflict, and ends at the host's value before vmtune.
  @Test func severalGenerationsCompareWithTheNewestWriteAndRestoreTheOldestOriginal() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    _ = try apply(host, "  swappiness: 10\n")
    try host.set("swappiness", "30")  // another tool
    _ = try apply(host, "  swappiness: 10\n  watermark_scale_factor: 200\n")  // vmtune puts it back
    let report = try applier(host).rollback(to: 1)
    #expect(report.generations == [2, 1])
    #expect(host.allValues() == before, "swappiness \(host.value("swappiness") ?? "?")")
  }

  /// A journal written on another kernel release is still rolled back (its originals checked
  /// against this kernel's ranges), with a warning that says both releases.
  @Test func anotherKernelReleaseIsWarnedAbout() throws {
    let host = try FixtureHost()
    _ = try apply(host, "  swappiness: 10\n")
    try host.write("proc/sys/kernel/osrelease", "6.19.2-test\n")
    let report = try applier(host).rollback()
    #expect(host.value("swappiness") == "60")
    #expect(
      report.warnings == [
        "generation 1 was applied on kernel 6.18.44-test, this is 6.19.2-test: its originals were checked against "
          + "this kernel's ranges"
      ])
  }

  /// Rollback leaves a stand-down marker: the agent's enforcement is refused under the lock
  /// until an operator's apply, which clears it.
  @Test func rollbackStandsTheAgentDownUntilTheNextApply() throws {
    let host = try FixtureHost()
    _ = try apply(host, "  swappiness: 10\n")
    #expect(StandDown.read(host.files) == nil)
    _ = try applier(host).rollback()
    let marker = try #require(StandDown.read(host.files))
    #expect(marker.generations == [1])
    do {
      _ = try apply(host, "  swappiness: 10\n", options: ApplyOptions(enforcement: true))
      Issue.record("the agent's enforcement went ahead after a rollback")
    } catch {
      guard case .standingDown? = error as? ApplyError else {
        Issue.record("unexpected \(error)")
        return
      }
    }
    #expect(host.value("swappiness") == "60")
    _ = try apply(host, "  swappiness: 10\n")
    #expect(StandDown.read(host.files) == nil)
    #expect(try apply(host, "  swappiness: 5\n", options: ApplyOptions(enforcement: true)).generation == 3)
  }
}

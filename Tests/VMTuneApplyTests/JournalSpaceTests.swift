import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneApply

/// A state file system that fills up during an apply: the journal's final record must never need
/// space the apply has not already taken, so a full disk either refuses before the first sysctl
/// write or leaves a complete, correct record.
@Suite struct JournalSpaceTests {
  func plan(_ host: FixtureHost) throws -> Plan {
    Planner.plan(
      try profile("  swappiness: 10\n  watermark_scale_factor: 200\n  min_free_kbytes: 90000\n"),
      on: try HostSnapshot.read(host.files))
  }

  /// `files` of `host` with `bytes` of room under var/lib/vmtune.
  func limited(_ host: FixtureHost, _ bytes: Int64) -> HostFiles {
    var files = host.files
    files.spaceLimit = SpaceLimit(directory: SpaceLimit.stateDirectory, capacity: bytes)
    return files
  }

  /// One 4 KiB block left: the in-progress journal fits, the final record would not. Every run
  /// refuses before any write, leaves no journal behind and says that nothing changed (the host
  /// used to be left changed with "nothing was changed", and flipped back and forth on every run).
  @Test func oneBlockLeftRefusesBeforeAnyWriteOnEveryRun() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let files = limited(host, 4096)
    for run in 1...3 {
      let store = RecordingStore(files)
      do {
        _ = try Applier(files: files, store: store).apply(try plan(host))
        Issue.record("run \(run): apply went ahead with one block left")
      } catch {
        #expect("\(error)".hasPrefix("cannot write the rollback journal, so nothing was changed"), "\(error)")
        #expect("\(error)".contains("ENOSPC"), "\(error)")
      }
      #expect(store.writes.isEmpty, "run \(run): \(store.writes)")
      #expect(host.allValues() == before, "run \(run)")
      #expect(JournalStore(files: host.files).generations().isEmpty, "run \(run)")
    }
  }

  /// Room for the record before the first write: the apply completes with an applied journal.
  /// Rollback takes the room of its record and of the agent's stand-down marker first: with one
  /// block left it refuses before any write, with two it restores the host.
  @Test func twoBlocksLeaveACompleteRecord() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let files = limited(host, 8192)
    let applier = Applier(files: files, store: KernelEmulatingStore(files))
    let report = try applier.apply(try plan(host))
    #expect(report.generation == 1)
    #expect(host.value("swappiness") == "10")
    #expect(try JournalStore(files: host.files).load(1).state == .applied)
    let applied = host.allValues()
    do {
      _ = try applier.rollback()
      Issue.record("rollback went ahead without room for its records")
    } catch {
      #expect("\(error)".hasPrefix("cannot write the rollback journal, so nothing was changed"), "\(error)")
    }
    #expect(host.allValues() == applied)
    #expect(try JournalStore(files: host.files).load(1).state == .applied)
    let roomier = limited(host, 12288)
    #expect(try Applier(files: roomier, store: KernelEmulatingStore(roomier)).rollback().generations == [1])
    #expect(host.allValues() == before)
    #expect(try JournalStore(files: host.files).load(1).state == .rolledBack)
  }

  /// A write fails on a full state file system: every original is restored and the record says
  /// the apply failed (the room taken for the final record is given back first).
  @Test func aFailedWriteOnAFullDiskIsRecordedAsFailed() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let files = limited(host, 8192)
    let store = FaultInjectingSysctl(base: KernelEmulatingStore(files), fault: Fault(.writeNumber(2)))
    do {
      _ = try Applier(files: files, store: store).apply(try plan(host))
      Issue.record("apply succeeded despite a fault at write 2")
    } catch {
      #expect("\(error)".contains("every value written was restored (1 restored); the host is as before"), "\(error)")
    }
    #expect(host.allValues() == before)
    #expect(try JournalStore(files: host.files).load(1).state == .failed)
  }
}

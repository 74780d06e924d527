import Foundation
import Synchronization
import Testing
import VMTuneTestSupport

@testable import VMTuneKernel

/// Compaction to a target through kcompactd: compaction_proactiveness is raised for the run and
/// always put back, also after a crash.
@Suite struct TargetedCompactionTests {
  func host(proactiveness: String = "30") throws -> FixtureHost {
    let host = try FixtureHost()
    try host.set("compaction_proactiveness", proactiveness)
    try host.write("proc/vmstat", "compact_migrate_scanned 100\ncompact_free_scanned 50\n")
    return host
  }

  @Test func raisesProactivenessForTheRunAndPutsItBack() throws {
    let host = try host()
    let seen = Mutex<[String]>([])
    let stop = Atomic<Bool>(false)
    let watcher = Thread {
      while !stop.load(ordering: .relaxed) {
        if let v = host.value("compaction_proactiveness"), !v.isEmpty {  // empty: mid-write
          seen.withLock { if $0.last != v { $0.append(v) } }
        }
        usleep(1000)
      }
    }
    watcher.start()
    let run = TargetedCompaction(files: host.files, settle: .milliseconds(300))
    try run.run(untilUnusablePercent: 50)
    // Let the watcher see the value written back (bounded: a loaded machine may delay it).
    for _ in 0..<200 where seen.withLock({ $0.count }) < 3 { usleep(10_000) }
    stop.store(true, ordering: .relaxed)
    #expect(seen.withLock { $0 } == ["30", "50", "30"])
    #expect(host.value("compaction_proactiveness") == "30")
    #expect(!FileManager.default.fileExists(atPath: host.root + "/var/lib/vmtune/proactiveness-restore"))
  }

  @Test func aValueLeftRaisedByACrashIsRestored() throws {
    let host = try host(proactiveness: "50")
    try host.write("var/lib/vmtune/proactiveness-restore", "20\n")
    let run = TargetedCompaction(files: host.files, settle: .milliseconds(30))
    #expect(try run.restorePending() == 20)
    #expect(host.value("compaction_proactiveness") == "20")
    #expect(try run.restorePending() == nil)
    // A run after a crash starts from the restored value and ends on it.
    try host.set("compaction_proactiveness", "70")
    try host.write("var/lib/vmtune/proactiveness-restore", "20\n")
    try run.run(untilUnusablePercent: 40)
    #expect(host.value("compaction_proactiveness") == "20")
  }

  @Test func waitsWhileKcompactdWorksAndStopsAtTheLimit() throws {
    let host = try host()
    let stop = Atomic<Bool>(false)
    // A "kcompactd" that keeps scanning: the wait ends at the limit, not before.
    let worker = Thread {
      var n = 100
      while !stop.load(ordering: .relaxed) {
        n += 1000
        try? host.write("proc/vmstat", "compact_migrate_scanned \(n)\ncompact_free_scanned 50\n")
        usleep(5000)
      }
    }
    worker.start()
    let run = TargetedCompaction(files: host.files, settle: .milliseconds(100), limit: .milliseconds(600))
    let clock = ContinuousClock()
    let took = try clock.measure { try run.run(untilUnusablePercent: 50) }
    stop.store(true, ordering: .relaxed)
    #expect(took >= .milliseconds(600))
    #expect(host.value("compaction_proactiveness") == "30")
  }

  @Test func onlyKernelsWithProactiveCompactionHaveIt() throws {
    let host = try host()
    #expect(TargetedCompaction(files: host.files).isAvailable)
    try host.remove("compaction_proactiveness")
    #expect(!TargetedCompaction(files: host.files).isAvailable)
  }
}

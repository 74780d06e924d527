import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneApply

/// A long history (an agent correcting a key another tool keeps flipping) is compacted without
/// losing the host as it was before vmtune: the first applied generation is kept whole, finished
/// history (rolled back, failed) goes first, and then the middle generations are folded into one.
@Suite struct JournalHistoryTests {
  func applier(_ host: FixtureHost) -> Applier { Applier(files: host.files, store: KernelEmulatingStore(host.files)) }

  func apply(_ host: FixtureHost, _ sysctl: String) throws -> ApplyReport {
    try applier(host).apply(Planner.plan(try profile(sysctl), on: try HostSnapshot.read(host.files)))
  }

  /// Apply, then 55 corrections of swappiness after another tool set it: at most ``JournalStore/keep``
  /// journals remain, generation 1 among them unchanged, the middle folded; `rollback --to 1`
  /// restores the host as it was before vmtune.
  @Test func churnKeepsTheFirstGenerationAndFoldsTheMiddle() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    _ = try apply(host, "  swappiness: 10\n  watermark_scale_factor: 200\n")
    let first = try JournalStore(files: host.files).load(1)
    for i in 0..<55 {
      try host.set("swappiness", String(30 + i % 2))
      _ = try apply(host, "  swappiness: 10\n  watermark_scale_factor: 200\n")
    }
    let store = JournalStore(files: host.files)
    let gens = store.generations()
    #expect(gens.count == JournalStore.keep, "\(gens)")
    #expect(gens.first == 1)
    #expect(gens.last == 56)
    #expect(try store.load(1) == first, "generation 1 is kept as it was")
    let folded = try store.load(2)
    #expect(folded.through == 8, "generations 2…8 folded: \(gens)")
    #expect(folded.entries.first { $0.key == "swappiness" }?.original == .int(30))
    #expect(folded.entries.first { $0.key == "swappiness" }?.desired == .int(10))
    #expect(Array(gens.dropFirst(2)) == Array(9...56))

    do {
      _ = try applier(host).rollback(to: 5)
      Issue.record("rolled back to a generation inside a fold")
    } catch {
      #expect("\(error)".contains("generation 5 was folded into generation 2 (2…8)"), "\(error)")
    }
    let report = try applier(host).rollback(to: 1)
    #expect(report.generations.first == 56)
    #expect(report.generations.last == 1)
    #expect(host.allValues() == before)
  }

  /// Finished history goes before anything is folded: rolled-back and failed journals are
  /// removed oldest first, applied ones are left whole while that is enough.
  @Test func finishedHistoryIsPrunedBeforeAnythingIsFolded() throws {
    let host = try FixtureHost()
    _ = try apply(host, "  swappiness: 10\n")
    for i in 0..<30 {
      _ = try apply(host, "  max_map_count: \(70000 + i)\n")
      _ = try applier(host).rollback()
    }
    for i in 0..<25 { _ = try apply(host, "  watermark_scale_factor: \(100 + i)\n") }
    let store = JournalStore(files: host.files)
    let scan = store.scan()
    #expect(scan.journals.count == JournalStore.keep)
    #expect(scan.journals.allSatisfy { $0.through == nil }, "nothing folded while history could go")
    #expect(scan.journals.first?.generation == 1)
    #expect(scan.journals.filter { $0.state == .applied }.count == 26)
    let newest = try #require(scan.journals.last)
    #expect(newest.generation == 56)
  }
}

import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneApply

/// The persist file as part of the journaled change, and what the journals say vmtune manages.
@Suite struct PersistJournalTests {
  func applier(_ host: FixtureHost) -> Applier { Applier(files: host.files, store: KernelEmulatingStore(host.files)) }

  func plan(_ host: FixtureHost, _ sysctl: String, managed: ManagedKeys = ManagedKeys()) throws -> Plan {
    Planner.plan(try profile(sysctl), on: try HostSnapshot.read(host.files), managed: managed)
  }

  /// An in-sync persist is a generation of its own; the identical file is not rewritten.
  @Test func persistIsRecordedAndNotRewrittenWhenIdentical() throws {
    let host = try FixtureHost()
    let a = applier(host)
    _ = try a.apply(try plan(host, "  swappiness: 10\n"))
    let persisted = try a.apply(try plan(host, "  swappiness: 10\n"), options: ApplyOptions(persist: true))
    #expect(persisted.generation == 2)
    let journal = try a.journals.load(2)
    #expect(journal.entries.isEmpty)
    #expect(journal.persisted?.previous == nil)
    #expect(journal.persisted?.written?.contains("vm.swappiness = 10") == true)
    let again = try a.apply(try plan(host, "  swappiness: 10\n"), options: ApplyOptions(persist: true))
    #expect(again.generation == nil)
    #expect(again.persisted?.unchanged == true)
  }

  /// A journal whose persisted path was edited to leave /etc/sysctl.d is refused by meaning.
  @Test func aPersistPathOutsideSysctlDIsRefused() throws {
    let host = try FixtureHost()
    let a = applier(host)
    _ = try a.apply(try plan(host, "  swappiness: 10\n"), options: ApplyOptions(persist: true))
    var journal = try a.journals.load(1)
    journal.persisted?.path = "etc/shadow"
    #expect(journal.problems(on: nil).contains { $0.contains("persisted.path etc/shadow") })
    try a.journals.save(journal)
    #expect(throws: ApplyError.self) { try a.rollback() }
    #expect(host.value("swappiness") == "10")
  }

  /// Baselines come from the oldest applied journal; a released key is no longer managed.
  @Test func managedKeysFollowTheJournals() throws {
    let host = try FixtureHost()
    let a = applier(host)
    _ = try a.apply(try plan(host, "  swappiness: 10\n  vfs_cache_pressure: 50\n"))
    var managed = Journal.managed(a.journals.scan().journals)
    #expect(managed.managed.map(\.name) == ["swappiness", "vfs_cache_pressure"])
    #expect(managed.baseline[KnobCatalog.knob("swappiness")!] == .int(60))
    let switched = try plan(host, "  swappiness: 20\n", managed: managed)
    let release = switched.entries.first { $0.key == "vfs_cache_pressure" }
    #expect(release?.released == true)
    #expect(release?.desired == .int(100))
    _ = try a.apply(switched)
    managed = Journal.managed(a.journals.scan().journals)
    #expect(managed.managed.map(\.name) == ["swappiness"])
    #expect(managed.baseline[KnobCatalog.knob("swappiness")!] == .int(60), "the baseline stays the first original")
  }
}

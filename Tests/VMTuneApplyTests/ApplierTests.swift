import Foundation
import Synchronization
import SystemPackage
import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneApply

/// Counts writes; optionally makes one key read back something else (a kernel that clamps).
final class RecordingStore: SysctlAccess {
  let base: KernelEmulatingStore
  let clamp: (key: String, value: String)?
  let log = Mutex<[String]>([])

  init(_ files: HostFiles, clamp: (key: String, value: String)? = nil) {
    base = KernelEmulatingStore(files)
    self.clamp = clamp
  }

  var writes: [String] { log.withLock { $0 } }

  func read(_ key: String) throws(KernelError) -> String { try base.read(key) }
  func write(_ key: String, _ value: String) throws(KernelError) {
    log.withLock { $0.append("\(key)=\(value)") }
    try base.write(key, clamp?.key == key ? clamp!.value : value)
  }
  func writeProblem(_ key: String) -> KernelError? { base.writeProblem(key) }
}

let kvm = """
    min_free_kbytes: 131072
    watermark_scale_factor: 200
    swappiness: { at_most: 10 }
    dirty_bytes: 100000000
    dirty_background_ratio: 5
    compaction_proactiveness: 40
    lowmem_reserve_ratio: [128]

  """

@Suite struct ApplierTests {
  func plan(_ host: FixtureHost, _ sysctl: String = kvm) throws -> Plan {
    Planner.plan(try profile(sysctl), on: try HostSnapshot.read(host.files))
  }

  @Test func applyThenPlanShowsNoDriftAndJournalsOriginals() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let report = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(try plan(host))
    #expect(report.generation == 1)
    #expect(report.writes.count == 7)
    #expect(host.value("swappiness") == "10")
    #expect(host.value("lowmem_reserve_ratio") == "128\t256\t32\t0\t0")
    #expect(try plan(host).changes.isEmpty)
    let journal = try JournalStore(files: host.files).load(1)
    #expect(journal.state == .applied)
    #expect(journal.entries.first { $0.key == "swappiness" }?.original == .int(60))
    #expect(journal.entries.first { $0.key == "dirty_ratio" }?.original.description == before["dirty_ratio"])
    #expect(host.files.mode("var/lib/vmtune/journal/000001.json") == 0o600)
  }

  @Test func secondApplyWritesNothing() throws {
    let host = try FixtureHost()
    _ = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(try plan(host))
    let store = RecordingStore(host.files)
    let second = try Applier(files: host.files, store: store).apply(try plan(host))
    #expect(second.generation == nil)
    #expect(store.writes.isEmpty)
    #expect(JournalStore(files: host.files).generations() == [1])
  }

  @Test func failureAtEachWritePositionRestoresEveryOriginal() throws {
    let changes = try plan(try FixtureHost()).changes.count
    #expect(changes == 7)
    for position in 1...changes {
      let host = try FixtureHost()
      let before = host.allValues()
      let store = FaultInjectingSysctl(base: KernelEmulatingStore(host.files), fault: Fault(.writeNumber(position)))
      do {
        _ = try Applier(files: host.files, store: store).apply(try plan(host))
        Issue.record("apply succeeded despite a fault at write \(position)")
      } catch {
        guard let e = error as? ApplyError, case .writeFailed(_, _, let restore) = e else {
          Issue.record("unexpected error \(error)")
          continue
        }
        #expect(restore.failures.isEmpty)
        #expect(restore.restored.count == position - 1, "fault at \(position)")
      }
      #expect(host.allValues() == before, "fault at write \(position) left the host changed")
      #expect(try JournalStore(files: host.files).load(1).state == .failed)
    }
  }

  @Test func readBackMismatchRollsBack() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let store = RecordingStore(host.files, clamp: ("compaction_proactiveness", "20"))
    #expect(throws: ApplyError.self) { try Applier(files: host.files, store: store).apply(try plan(host)) }
    #expect(host.allValues() == before)
  }

  @Test func preflightProblemsWriteNothing() throws {
    let host = try FixtureHost()
    try host.remove("swappiness")
    try host.write("proc/sys/vm/swappiness/.keep", "")  // a directory: not writable as a file
    let p = Planner.plan(try profile("  watermark_scale_factor: 200\n"), on: try HostSnapshot.read(host.files))
    var withBadKey = p
    withBadKey.entries.append(
      PlanEntry(
        knob: try #require(KnobCatalog.knob("swappiness")), action: .change, current: .int(60), desired: .int(10),
        target: "10", location: p.entries[0].location, profile: "t"))
    let before = host.allValues()
    #expect(throws: ApplyError.self) {
      try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(withBadKey)
    }
    #expect(host.allValues() == before)
    #expect(JournalStore(files: host.files).generations().isEmpty)
  }

  @Test func journalFailureAbortsBeforeAnyWrite() throws {
    let host = try FixtureHost()
    // A file where the state directory should be: the journal cannot be written.
    try host.write("var/lib/vmtune", "not a directory")
    let store = RecordingStore(host.files)
    #expect(throws: ApplyError.self) { try Applier(files: host.files, store: store).apply(try plan(host)) }
    #expect(store.writes.isEmpty)
    #expect(host.value("swappiness") == "60")
  }

  @Test func stalePlansAreRefused() throws {
    let host = try FixtureHost()
    let p = try plan(host)
    try host.set("swappiness", "30")
    do {
      _ = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(p)
      Issue.record("stale plan applied")
    } catch {
      guard case .stalePlan(let diffs) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(diffs.map(\.key) == ["swappiness"])
    }
    #expect(host.value("watermark_scale_factor") == "10")
  }

  @Test func guardsRefuseUnlessForced() throws {
    let host = try FixtureHost(memTotalKB: 4_024_116)
    let p = try plan(host, "  min_free_kbytes: 3000000\n")
    #expect(throws: ApplyError.self) {
      try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(p)
    }
    #expect(host.value("min_free_kbytes") == "67584")
    _ = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(
      p, options: ApplyOptions(force: true))
    #expect(host.value("min_free_kbytes") == "3000000")
  }

  @Test func rollbackRestoresThePreApplyStateExactly() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let applier = Applier(files: host.files, store: KernelEmulatingStore(host.files))
    _ = try applier.apply(try plan(host))
    #expect(host.allValues() != before)
    let report = try applier.rollback()
    #expect(report.generations == [1])
    #expect(host.allValues() == before)
    #expect(try JournalStore(files: host.files).load(1).state == .rolledBack)
    #expect(throws: ApplyError.self) { try applier.rollback() }
  }

  @Test func rollbackToAnOlderGenerationUndoesNewerOnes() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let applier = Applier(files: host.files, store: KernelEmulatingStore(host.files))
    _ = try applier.apply(try plan(host, "  swappiness: 10\n"))
    _ = try applier.apply(try plan(host, "  swappiness: 5\n  max_map_count: 262144\n"))
    #expect(host.value("swappiness") == "5")
    let report = try applier.rollback(to: 1)
    #expect(report.generations == [2, 1])
    #expect(host.allValues() == before)
  }

  @Test func dirtyPairRestoresTheModeThatWasInForce() throws {
    let host = try FixtureHost()
    let applier = Applier(files: host.files, store: KernelEmulatingStore(host.files))
    _ = try applier.apply(try plan(host, "  dirty_bytes: 100000000\n"))
    #expect(host.value("dirty_ratio") == "0")
    let store = RecordingStore(host.files)
    _ = try Applier(files: host.files, store: store).rollback()
    // Only the ratio is written back (the kernel then zeroes dirty_bytes itself); writing
    // dirty_bytes=0 would be EINVAL on a real kernel.
    #expect(store.writes == ["dirty_ratio=20"])
  }

  @Test func interruptedApplyIsRecoveredOnTheNextRun() throws {
    let host = try FixtureHost()
    let p = try plan(host)
    // Simulate a crash after the journal and two writes: journal in progress, values half set.
    let journals = JournalStore(files: host.files)
    try journals.save(
      Journal(
        generation: 1, createdAt: 0, profile: "t", files: [], kernelRelease: nil, state: .inProgress,
        entries: [
          .init(knob: try knob("min_free_kbytes"), original: .int(67584), desired: .int(131_072)),
          .init(knob: try knob("watermark_scale_factor"), original: .int(10), desired: .int(200)),
          .init(knob: try knob("swappiness"), original: .int(60), desired: .int(10)),
        ]))
    try host.set("min_free_kbytes", "131072")
    try host.set("watermark_scale_factor", "200")
    let stale = try plan(host)
    _ = p
    let report = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(
      try plan(host, "  max_map_count: 262144\n"))
    #expect(report.recovered?.generation == 1)
    #expect(report.recovered?.report.restored.count == 2)
    #expect(host.value("min_free_kbytes") == "67584")
    #expect(host.value("watermark_scale_factor") == "10")
    #expect(host.value("max_map_count") == "262144")
    #expect(try journals.load(1).state == .rolledBack)
    #expect(stale.changes.count < 7)
  }

  @Test func persistWritesSysctlDAndFindsLaterOverrides() throws {
    let host = try FixtureHost()
    try host.write("etc/sysctl.d/99-sysctl.conf", "# local\nvm.swappiness = 60\nnet.core.somaxconn = 1024\n")
    try host.write("etc/sysctl.d/10-early.conf", "vm.swappiness=1\n")
    try host.write("usr/lib/sysctl.d/95-vendor.conf", "vm/watermark_scale_factor = 10\n")
    let report = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(
      try plan(host), options: ApplyOptions(persist: true))
    let text = try host.files.readText(Persistence.relativePath)
    #expect(text.contains("vm.swappiness = 10\n"))
    #expect(text.contains("vm.min_free_kbytes = 131072\n"))
    let overrides = try #require(report.persisted?.overrides)
    #expect(overrides.map(\.key).sorted() == ["swappiness", "watermark_scale_factor"])
    #expect(overrides.first { $0.key == "swappiness" }?.line == 2)
    // Rollback removes the file again (there was none before).
    _ = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).rollback()
    #expect(host.files.kind(Persistence.relativePath) == .missing)
  }

  /// A later file that sets the exclusive partner of a persisted key defeats it at boot: writing
  /// vm.dirty_ratio makes the kernel zero vm.dirty_bytes.
  @Test func persistFindsLaterFilesSettingAnExclusivePartner() throws {
    let host = try FixtureHost()
    try host.write("etc/sysctl.d/99-local.conf", "vm.dirty_ratio = 20\n")
    try host.write("etc/sysctl.conf", "vm.dirty_background_ratio=5\n")
    let p = Planner.plan(
      try profile("  dirty_bytes: 1073741824\n  dirty_background_bytes: 268435456\n"),
      on: try HostSnapshot.read(host.files))
    let report = try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(
      p, options: ApplyOptions(persist: true))
    let overrides = try #require(report.persisted?.overrides)
    #expect(overrides.map(\.key) == ["dirty_ratio", "dirty_background_ratio"])
    #expect(overrides.map(\.defeats) == ["dirty_bytes", "dirty_background_bytes"])
    #expect(overrides.first?.line == 1)
  }

  @Test func heldLockTimesOutAndWritesNothing() async throws {
    let host = try FixtureHost()
    let held = try HostLock.acquire(host.files)
    #expect(throws: ApplyError.self) {
      try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(
        try plan(host), options: ApplyOptions(lockTimeoutSeconds: 0))
    }
    #expect(host.value("swappiness") == "60")
    withExtendedLifetime(held) {}
  }

  /// Two applies of different profiles race on one root. The first holds the lock while it
  /// plans until the second has started; the second must wait, plan against what the first
  /// wrote, and journal its own generation. Without the lock the second would plan during the
  /// first's pause and see swappiness 60.
  @Test func concurrentAppliesSerialize() throws {
    let host = try FixtureHost()
    let before = host.allValues()
    let first = try profile("  swappiness: 10\n")
    let second = try profile("  swappiness: 20\n  max_map_count: 262144\n")
    final class Log: Sendable {
      let events = Mutex<[String]>([])
      let results = Mutex<[String: Result<ApplyReport, ApplyError>]>([:])
      func add(_ e: String) { events.withLock { $0.append(e) } }
    }
    let log = Log()
    let firstIsPlanning = DispatchSemaphore(value: 0)
    let secondStarted = DispatchSemaphore(value: 0)
    let done = DispatchGroup()
    func apply(_ name: String, _ p: Profile, whilePlanning: @escaping @Sendable () -> Void) {
      done.enter()
      Thread.detachNewThread {
        let result = Result { () throws(ApplyError) -> ApplyReport in
          try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply {
            () throws(ApplyError) -> Plan in
            whilePlanning()
            do { return Planner.plan(p, on: try HostSnapshot.read(host.files)) } catch { throw .planning("\(error)") }
          }
        }
        log.results.withLock { $0[name] = result }
        done.leave()
      }
    }
    apply("first", first) {
      log.add("first plans")
      firstIsPlanning.signal()
      secondStarted.wait()
      Thread.sleep(forTimeInterval: 0.3)  // the second is now waiting for the lock
    }
    firstIsPlanning.wait()
    log.add("second starts")
    secondStarted.signal()
    apply("second", second) {
      // What the second sees once it holds the lock: the first's write and its finished journal.
      let journal1 = try? JournalStore(files: host.files).load(1)
      log.add(
        "second plans: swappiness \(host.value("swappiness") ?? "?"), journal 1 "
          + "\(journal1.map { "\($0.state)" } ?? "missing")"
      )
    }
    #expect(done.wait(timeout: .now() + 30) == .success, "the applies did not finish")

    #expect(
      log.events.withLock { $0 } == ["first plans", "second starts", "second plans: swappiness 10, journal 1 applied"])
    let results = log.results.withLock { $0 }
    let r1 = try #require(try results["first"]?.get())
    let r2 = try #require(try results["second"]?.get())
    #expect([r1.generation, r2.generation] == [1, 2])
    #expect(JournalStore(files: host.files).generations() == [1, 2])
    let journals = JournalStore(files: host.files)
    #expect(try journals.load(1).entries.first { $0.key == "swappiness" }?.original == .int(60))
    #expect(
      try journals.load(2).entries.first { $0.key == "swappiness" }?.original == .int(10),
      "the second planned against what the first wrote")
    #expect(host.value("swappiness") == "20")
    #expect(host.value("max_map_count") == "262144")
    // Both generations undo cleanly, newest first.
    #expect(
      try Applier(files: host.files, store: KernelEmulatingStore(host.files)).rollback(to: 1).generations == [2, 1])
    #expect(host.allValues() == before)
  }
}

@Suite struct SavedPlanValidationTests {
  @Test func editedPlansAreRevalidatedBeforeAnyWrite() throws {
    let host = try FixtureHost()
    var p = Planner.plan(try profile("  swappiness: 10\n"), on: try HostSnapshot.read(host.files))
    p.entries[0].desired = .int(300)
    do {
      _ = try Applier(files: host.files).apply(p)
      Issue.record("an out-of-range value from a saved plan was written")
    } catch {
      guard case .blocked(let entries) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(entries.first?.reason == "300 is above the kernel's maximum 200 for swappiness on 6.18.44")
    }
    #expect(host.value("swappiness") == "60")
    p.entries[0].knob = try knob("drop_caches")
    #expect(throws: ApplyError.self) { try Applier(files: host.files).apply(p) }
  }
}

@Suite struct StateSafetyTests {
  func plan(_ host: FixtureHost) throws -> Plan {
    Planner.plan(try profile("  swappiness: 10\n"), on: try HostSnapshot.read(host.files))
  }

  @Test func journalAndLockAreCreatedPrivate() throws {
    let host = try FixtureHost()
    _ = try Applier(files: host.files).apply(try plan(host))
    #expect(host.files.mode("var/lib/vmtune") == 0o700)
    #expect(host.files.mode("var/lib/vmtune/journal") == 0o700)
    #expect(host.files.mode("var/lib/vmtune/journal/000001.json") == 0o600)
    #expect(host.files.mode("run/vmtune.lock") == 0o600)
  }

  @Test func symlinkedStateDirectoryIsRefusedBeforeAnyWrite() throws {
    let host = try FixtureHost()
    try FileManager.default.createDirectory(atPath: host.root + "/elsewhere", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: host.root + "/var/lib", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/var/lib/vmtune", withDestinationPath: host.root + "/elsewhere")
    do {
      _ = try Applier(files: host.files).apply(try plan(host))
      Issue.record("a symlinked state directory was used")
    } catch {
      #expect("\(error)".contains("refusing state directory \(host.root)/var/lib/vmtune: it is a symbolic link"))
    }
    #expect(host.value("swappiness") == "60")
    #expect(try FileManager.default.contentsOfDirectory(atPath: host.root + "/elsewhere").isEmpty)
  }

  @Test func worldWritableStateDirectoryIsRefused() throws {
    let host = try FixtureHost()
    try FileManager.default.createDirectory(atPath: host.root + "/var/lib/vmtune", withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: host.root + "/var/lib/vmtune")
    #expect(throws: ApplyError.self) { try Applier(files: host.files).apply(try plan(host)) }
    #expect(host.value("swappiness") == "60")
  }

  @Test func symlinkedLockDirectoryIsRefused() throws {
    let host = try FixtureHost()
    try FileManager.default.createDirectory(atPath: host.root + "/elsewhere", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/run", withDestinationPath: host.root + "/elsewhere")
    #expect(throws: ApplyError.self) { try Applier(files: host.files).apply(try plan(host)) }
    #expect(host.value("swappiness") == "60")
  }
}

@Suite struct FullDiskTests {
  /// ENOSPC while writing the journal (a full tmpfs mounted on the state directory) aborts the
  /// apply before any sysctl is written. Needs root and mount(8): skipped with the reason
  /// elsewhere, a failure in CI.
  @Test(Prerequisite.tmpfsMount.trait)
  func fullStateFileSystemAbortsBeforeAnyWrite() throws {
    guard Prerequisite.tmpfsMount.check() else { return }
    let host = try FixtureHost()
    let state = host.root + "/var/lib/vmtune"
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    let mount = try runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=16k,mode=0700", "tmpfs", state])
    try #require(mount.status == 0, "cannot run: mount -t tmpfs failed: \(mount.stderr)")
    defer { _ = try? runProgram("/bin/umount", [state]) }
    // Fill it: every later write fails with ENOSPC.
    let filler =
      FileHandle(forWritingAtPath: state + "/filler")
      ?? {
        _ = FileManager.default.createFile(atPath: state + "/filler", contents: nil)
        return FileHandle(forWritingAtPath: state + "/filler")!
      }()
    for _ in 0..<64 { try? filler.write(contentsOf: Data(repeating: 0x41, count: 4096)) }
    try? filler.close()
    let p = Planner.plan(
      try profile("  swappiness: 10\n  watermark_scale_factor: 200\n"), on: try HostSnapshot.read(host.files))
    do {
      _ = try Applier(files: host.files).apply(p)
      Issue.record("apply went ahead on a full state file system")
    } catch {
      #expect("\(error)".contains("ENOSPC"), "\(error)")
      #expect("\(error)".hasPrefix("cannot write the rollback journal, so nothing was changed"))
    }
    #expect(host.value("swappiness") == "60")
    #expect(host.value("watermark_scale_factor") == "10")
  }
}

extension FullDiskTests {
  /// One free page on a real tmpfs after the in-progress journal would fit: the final record must
  /// not need a page the apply has not taken before its first write.
  @Test(Prerequisite.tmpfsMount.trait)
  func onePageLeftRefusesBeforeAnyWrite() throws {
    guard Prerequisite.tmpfsMount.check() else { return }
    let host = try FixtureHost()
    let before = host.allValues()
    let state = host.root + "/var/lib/vmtune"
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    let mount = try runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=16k,mode=0700", "tmpfs", state])
    try #require(mount.status == 0, "cannot run: mount -t tmpfs failed: \(mount.stderr)")
    defer { _ = try? runProgram("/bin/umount", [state]) }
    // 3 of the 4 pages taken: one page (4 KiB) left.
    try Data(repeating: 0x41, count: 3 * 4096).write(to: URL(fileURLWithPath: state + "/filler"))
    let p = Planner.plan(
      try profile("  swappiness: 10\n  watermark_scale_factor: 200\n"), on: try HostSnapshot.read(host.files))
    do {
      _ = try Applier(files: host.files).apply(p)
      Issue.record("apply went ahead with one page left")
    } catch {
      #expect("\(error)".contains("ENOSPC"), "\(error)")
      #expect("\(error)".hasPrefix("cannot write the rollback journal, so nothing was changed"), "\(error)")
    }
    #expect(host.allValues() == before)
  }
}

/// The catalog knob named `name` (the test fails when the catalog lacks it).
func knob(_ name: String) throws -> Knob { try #require(KnobCatalog.knob(name)) }

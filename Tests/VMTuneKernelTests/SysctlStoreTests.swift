import Foundation
import SystemPackage
import Testing
import VMTuneHost
import VMTuneTestSupport

@testable import VMTuneKernel

@Suite struct SysctlStoreTests {
  @Test func readsTrimmedAndWritesWholeValues() throws {
    let host = try FixtureHost()
    let store = SysctlStore(files: host.files)
    #expect(try store.read("swappiness") == "60")
    try store.write("swappiness", "10")
    #expect(host.value("swappiness") == "10")
    // Shorter values replace longer ones completely (O_TRUNC, one write).
    try store.write("min_free_kbytes", "5")
    #expect(try String(contentsOfFile: host.root + "/proc/sys/vm/min_free_kbytes", encoding: .utf8) == "5\n")
  }

  @Test func missingKnobIsENOENTAndNeverCreated() throws {
    let host = try FixtureHost()
    let store = SysctlStore(files: host.files)
    #expect(
      throws: KernelError.io(
        operation: "open for writing", path: host.root + "/proc/sys/vm/defrag_mode_x", errno: .noSuchFileOrDirectory)
    ) {
      try store.write("defrag_mode_x", "1")
    }
    #expect(!FileManager.default.fileExists(atPath: host.root + "/proc/sys/vm/defrag_mode_x"))
  }

  @Test(arguments: ["../kernel/core_pattern", "a/b", "..", ".", "", "x\u{0}y"])
  func unsafeNamesAreRefused(name: String) throws {
    let host = try FixtureHost()
    #expect(throws: KernelError.unsafeName(name)) { try SysctlStore(files: host.files).write(name, "1") }
    #expect(throws: KernelError.unsafeName(name)) { try SysctlStore(files: host.files).read(name) }
  }

  @Test func symlinkedEntriesAreNotFollowed() throws {
    let host = try FixtureHost()
    let outside = host.root + "/outside"
    try "precious\n".write(toFile: outside, atomically: false, encoding: .utf8)
    try FileManager.default.removeItem(atPath: host.root + "/proc/sys/vm/swappiness")
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/proc/sys/vm/swappiness", withDestinationPath: outside)
    let store = SysctlStore(files: host.files)
    #expect(throws: KernelError.self) { try store.write("swappiness", "10") }
    #expect(try String(contentsOfFile: outside, encoding: .utf8) == "precious\n")
    #expect(store.writeProblem("swappiness")?.errno == .tooManySymbolicLinkLevels)
  }

  @Test func errorMessagesCarryAdvice() {
    let e = KernelError.io(operation: "open for writing", path: "/proc/sys/vm/swappiness", errno: .permissionDenied)
    #expect(
      e.description
        == "cannot open for writing /proc/sys/vm/swappiness: EACCES: Permission denied; run as root (sudo vmtune …)")
    let ro = KernelError.io(operation: "open for writing", path: "/proc/sys/vm/swappiness", errno: .readOnlyFileSystem)
    #expect(ro.description.contains("mounted read-only"))
  }

  @Test func atomicWritesLeaveNoTemporaryAndSetTheMode() throws {
    let host = try FixtureHost()
    try host.files.makeDirectories("var/lib/vmtune/journal", mode: 0o700)
    try host.files.writeAtomically("var/lib/vmtune/journal/000001.json", Array("{}".utf8), mode: 0o600)
    #expect(host.files.mode("var/lib/vmtune/journal/000001.json") == 0o600)
    #expect(host.files.mode("var/lib/vmtune/journal") == 0o700)
    #expect(host.files.list("var/lib/vmtune/journal") == ["000001.json"])
  }

  @Test func lockIsExclusive() throws {
    let host = try FixtureHost()
    let first = try HostLock.acquire(host.files)
    #expect(throws: KernelError.locked(path: first.path, waitedSeconds: 0)) {
      _ = try HostLock.acquire(host.files, timeoutSeconds: 0)
    }
    withExtendedLifetime(first) {}
  }

  @Test func faultInjectionFailsTheNamedWrite() throws {
    let host = try FixtureHost()
    let store = FaultInjectingSysctl(base: SysctlStore(files: host.files), fault: Fault(.writeNumber(2)))
    try store.write("swappiness", "1")
    #expect(throws: KernelError.injected(key: "dirty_ratio", errno: .invalidArgument)) {
      try store.write("dirty_ratio", "5")
    }
    #expect(host.value("dirty_ratio") == "20")
    #expect(Fault(parsing: "key:swappiness") == Fault(.key("swappiness")))
    #expect(Fault(parsing: "write:0") == nil)
  }
}

@Suite struct HostSnapshotTests {
  @Test func readsValuesKernelMemoryAndNodes() throws {
    let host = try FixtureHost(kernel: "5.15.0-91-generic", memTotalKB: 16_384_000, numaNodes: 2)
    let snap = try HostSnapshot.read(host.files)
    #expect(snap.values["swappiness"] == "60")
    #expect(snap.values["lowmem_reserve_ratio"] == "256\t256\t32\t0\t0")
    #expect(snap.kernelRelease == "5.15.0-91-generic")
    #expect(snap.memInfo.memTotalKB == 16_384_000)
    #expect(snap.numaNodes == 2)
    #expect(snap.cpus == 2)
    #expect(snap.hostname == "fixture")
  }

  @Test func triggerFilesAreNeverOpened() throws {
    let host = try FixtureHost()
    // A FIFO blocks any open for reading: the snapshot would hang if it touched it.
    #expect(mkfifo(host.root + "/proc/sys/vm/stat_refresh", 0o600) == 0)
    let snap = try HostSnapshot.read(host.files)
    #expect(snap.values["stat_refresh"] == nil)
    #expect(snap.unreadable["stat_refresh"] == "write-only trigger (not read)")
    #expect(snap.has("stat_refresh"))
  }

  @Test func meminfoParsesRealLinesAndNamesMalformedOnes() throws {
    let m = try MemInfo.parse("MemTotal:       24684084 kB\nHugePages_Total:       0\nDirectMap2M:    1234 kB\n")
    #expect(m.memTotalKB == 24_684_084)
    #expect(m.values["HugePages_Total"] == 0)
    #expect(
      try MemInfo.parse("MemTotal: 1 kB\nMemFree:  12x4 kB\n").skipped == [
        ParseError.malformed(
          path: "/proc/meminfo", line: 2, message: "'MemFree' has no valid number: 'MemFree:  12x4 kB'")
      ])
    #expect(try MemInfo.parse("garbage without colon\n").skipped.count == 1)
  }
}

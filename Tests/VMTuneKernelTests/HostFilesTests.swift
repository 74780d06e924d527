import Foundation
import SystemPackage
import Testing
import VMTuneHost
import VMTuneTestSupport

@testable import VMTuneKernel

@Suite struct HostFilesTests {
  @Test func pathsJoinUnderTheRoot() {
    #expect(HostFiles(root: "/").path("proc/sys/vm/swappiness") == "/proc/sys/vm/swappiness")
    #expect(HostFiles(root: "/srv/host/").path("proc/meminfo") == "/srv/host/proc/meminfo")
    #expect(HostFiles(root: "/srv/host").path("/etc/sysctl.conf") == "/srv/host/etc/sysctl.conf")
    #expect(HostFiles.plain.path("profiles/a.yaml") == "profiles/a.yaml")
  }

  @Test func linksInsideTheRootAreFollowed() throws {
    let host = try FixtureHost()
    try host.write("usr/lib/sysctl.d/50-x.conf", "vm.swappiness = 5\n")
    try host.write("etc/sysctl.d/.keep", "")
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/etc/sysctl.d/50-x.conf", withDestinationPath: "../../usr/lib/sysctl.d/./50-x.conf")
    #expect(try host.files.readTextWithinRoot("etc/sysctl.d/50-x.conf") == "vm.swappiness = 5\n")
  }

  @Test func linksClimbingAboveTheRootAreRefused() throws {
    let host = try FixtureHost()
    // A file just outside the fixture root, where `..` from etc/sysctl.d/ would land.
    let outsideName = "vmtune-outside-" + UUID().uuidString + ".conf"
    let outside = (host.root as NSString).deletingLastPathComponent + "/" + outsideName
    try "vm.swappiness = 99\n".write(toFile: outside, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: outside) }
    try host.write("etc/sysctl.d/.keep", "")
    let link = host.root + "/etc/sysctl.d/60-escape.conf"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "../../../" + outsideName)
    let refused = KernelError.io(operation: "follow symbolic link", path: link, errno: .tooManySymbolicLinkLevels)
    #expect(throws: refused) {
      try host.files.readTextWithinRoot("etc/sysctl.d/60-escape.conf")
    }
    // Also when the climb happens in a second hop.
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/etc/sysctl.d/61-hop.conf", withDestinationPath: "60-escape.conf")
    #expect(throws: refused) {
      try host.files.readTextWithinRoot("etc/sysctl.d/61-hop.conf")
    }
  }

  @Test func absoluteLinkTargetsResolveUnderTheRoot() throws {
    let host = try FixtureHost()
    try host.write("etc/sysctl.d/.keep", "")
    try host.write("etc/hostname", "inside\n")
    // On the real host /etc/hostname says something else; the fixture's copy must be read.
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/etc/sysctl.d/70-abs.conf", withDestinationPath: "/etc/hostname")
    #expect(try host.files.readTextWithinRoot("etc/sysctl.d/70-abs.conf") == "inside\n")
    // `..` in an absolute target cannot climb above the root either.
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/etc/sysctl.d/71-abs.conf", withDestinationPath: "/../../etc/hostname")
    #expect(throws: KernelError.self) { try host.files.readTextWithinRoot("etc/sysctl.d/71-abs.conf") }
  }

  @Test func linkLoopsStopAfterTheHopLimit() throws {
    let host = try FixtureHost()
    try host.write("etc/sysctl.d/.keep", "")
    let fm = FileManager.default
    try fm.createSymbolicLink(atPath: host.root + "/etc/sysctl.d/a.conf", withDestinationPath: "b.conf")
    try fm.createSymbolicLink(atPath: host.root + "/etc/sysctl.d/b.conf", withDestinationPath: "a.conf")
    #expect(
      throws: KernelError.io(
        operation: "open", path: host.root + "/etc/sysctl.d/a.conf", errno: .tooManySymbolicLinkLevels)
    ) {
      try host.files.readTextWithinRoot("etc/sysctl.d/a.conf")
    }
  }

  @Test func failedAtomicWriteLeavesNoTemporary() throws {
    let host = try FixtureHost()
    // The target is a non-empty directory: the temporary is written, then rename(2) fails.
    try host.write("var/lib/vmtune/state.json/keep", "x")
    #expect(throws: KernelError.self) {
      try host.files.writeAtomically("var/lib/vmtune/state.json", Array("{}".utf8))
    }
    do {
      try host.files.writeAtomically("var/lib/vmtune/state.json", Array("{}".utf8))
    } catch {
      #expect(error.errno == .directoryNotEmpty || error.errno == .isDirectory, "\(error)")
      if case .io(let operation, let path, _) = error {
        #expect(operation == "rename to")
        #expect(path == host.root + "/var/lib/vmtune/state.json")
      }
    }
    #expect(host.files.list("var/lib/vmtune") == ["state.json"])
    #expect(host.files.list("var/lib/vmtune/state.json") == ["keep"])
  }

  @Test func atomicWriteReplacesWholeAndNeverFollowsAPlantedTemporary() throws {
    let host = try FixtureHost()
    try host.files.makeDirectories("var/lib/vmtune")
    let big = Array(repeating: UInt8(ascii: "x"), count: 1 << 20)
    try host.files.writeAtomically("var/lib/vmtune/a.json", big)
    #expect(try host.files.read("var/lib/vmtune/a.json") == big)
    // A symbolic link where the temporary goes is removed, not written through.
    try "precious\n".write(toFile: host.root + "/outside", atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/var/lib/vmtune/.a.json.tmp\(getpid())", withDestinationPath: host.root + "/outside")
    try host.files.writeAtomically("var/lib/vmtune/a.json", Array("short".utf8), mode: 0o644)
    #expect(try host.files.readText("var/lib/vmtune/a.json") == "short")
    #expect(host.files.mode("var/lib/vmtune/a.json") == 0o644)
    #expect(host.files.list("var/lib/vmtune") == ["a.json"])
    #expect(try String(contentsOfFile: host.root + "/outside", encoding: .utf8) == "precious\n")
  }

  @Test func kindModeAndStateDirectoryChecksUseOneLstat() throws {
    let host = try FixtureHost()
    #expect(host.files.kind("proc/sys/vm/swappiness") == .file)
    #expect(host.files.kind("proc/sys/vm") == .directory)
    #expect(host.files.kind("nope") == .missing)
    #expect(host.files.mode("nope") == nil)
    try FileManager.default.createSymbolicLink(atPath: host.root + "/link", withDestinationPath: "proc")
    #expect(host.files.kind("link") == .symlink)
    #expect(mkfifo(host.root + "/fifo", 0o640) == 0)
    #expect(host.files.kind("fifo") == .other)
    #expect(host.files.mode("fifo") == 0o640 & ~currentUmask())

    try host.files.secureStateDirectory("var/lib/vmtune")
    #expect(host.files.mode("var/lib/vmtune") == 0o700)
    #expect(chmod(host.root + "/var/lib/vmtune", 0o777) == 0)
    #expect(
      throws: KernelError.insecureState(
        path: host.root + "/var/lib/vmtune", reason: "is writable by group or others (mode 777)")
    ) {
      try host.files.secureStateDirectory("var/lib/vmtune")
    }
    #expect(throws: KernelError.insecureState(path: host.root + "/link", reason: "is a symbolic link")) {
      try host.files.secureStateDirectory("link")
    }
  }

  func currentUmask() -> mode_t {
    let old = umask(0o022)
    umask(old)
    return old
  }

  @Test func oneWhitespaceTrim() {
    #expect(" \t60\r\n".trimmingWhitespace() == "60")
    #expect("256\t256\t32\t0\t0\n".trimmingWhitespace() == "256\t256\t32\t0\t0")
    #expect(Substring(" a b ").trimmingWhitespace() == "a b")
    #expect(" \n\t ".trimmingWhitespace().isEmpty)
    #expect("".trimmingWhitespace().isEmpty)
    #expect("\u{A0}x\u{A0}".trimmingWhitespace() == "\u{A0}x\u{A0}")
    #expect(" \u{E9}t\u{E9} \n".trimmingWhitespace() == "\u{E9}t\u{E9}")  // multi-byte ends stay whole
    #expect("\r\nkvm\r\n".trimmingWhitespace() == "kvm")
  }
}

struct HostTablesTests {
  /// A plan reads the THP mode (the min_free_kbytes recommendation) but not KSM, which only
  /// diagnosis uses: fewer files on every plan and check.
  @Test func thpAndKSMAreReadOnlyWhenAskedFor() throws {
    let host = try FixtureHost()
    try host.write("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n")
    try host.write("sys/kernel/mm/ksm/run", "1\n")
    let plan = try HostSnapshot.read(HostFiles(root: host.root), keys: [], tables: [.thp])
    #expect(plan.transparentHugepage == "always [madvise] never")
    #expect(plan.ksm == nil)
    let diagnosis = try HostSnapshot.read(HostFiles(root: host.root), keys: [], tables: .mm)
    #expect(diagnosis.ksm?["run"] == 1)
  }
}

import Foundation
import Testing
import VMTuneTestSupport

/// `vmtune import`: the profile on stdout loads with vmtune's own loader (`vmtune validate`),
/// skipped lines go to stderr. The tuned cases use the real profiles of Debian's `tuned` package
/// (installed by `make test`; reported skipped elsewhere, a failure in CI).
@Suite struct ImportCLITests {
  /// Writes `stdout` to a file and validates it with the built binary.
  static func validate(_ yaml: String, _ host: FixtureHost, name: String) throws -> RunResult {
    try host.write("imported/\(name).yaml", yaml)
    return try runVMTune(["validate", host.root + "/imported/\(name).yaml"])
  }

  @Test func importSysctlPrintsALoadableProfileAndListsTheRest() throws {
    let host = try FixtureHost()
    try host.write(
      "etc/sysctl.d/10-a.conf", "# site\nvm.swappiness = 30\nnet.ipv4.ip_forward=1\n-vm/max_map_count = 262144\n")
    try host.write("etc/sysctl.d/20-b.conf", "; later wins\nvm.swappiness=5\nvm.watermark_scale_factor = 9999\n")
    let a = host.root + "/etc/sysctl.d/10-a.conf"
    let b = host.root + "/etc/sysctl.d/20-b.conf"
    let r = try runVMTune(["import", "sysctl", a, b, "--name", "site"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("name: site\n"))
    #expect(r.stdout.contains("  # \(b):2: vm.swappiness=5 (overrides \(a):2)\n  swappiness: 5\n"), "\(r.stdout)")
    #expect(r.stdout.contains("  max_map_count: 262144\n"))
    #expect(!r.stdout.contains("watermark_scale_factor: 9999"))
    #expect(r.stderr.contains("\(a):3: skipped: net.ipv4.ip_forward=1: not a vm sysctl"), "\(r.stderr)")
    #expect(r.stderr.contains("\(b):3: skipped: vm.watermark_scale_factor = 9999: 9999 is above the kernel's maximum"))
    #expect(r.stderr.contains("vmtune: imported 2 vm setting(s) from 2 file(s); 2 line(s) not imported"))
    let v = try Self.validate(r.stdout, host, name: "site")
    #expect(v.status == 0, "\(v.stderr)")
    #expect(v.stdout.contains("site, 2 sysctl(s)"))
    let plan = try runVMTune(["plan", host.root + "/imported/site.yaml", "--root", host.root])
    #expect(plan.stdout.contains("60 → 5"), "\(plan.stdout)")
  }

  @Test func unreadableFilesAndMissingProfilesAreErrors() throws {
    let missing = try runVMTune(["import", "sysctl", "/nonexistent/vmtune-test.conf"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("vmtune: error: cannot read sysctl file /nonexistent/vmtune-test.conf"))
    let host = try FixtureHost()
    let tuned = try runVMTune(["import", "tuned", "no-such-tuned-profile", "--root", host.root])
    #expect(tuned.status == 1)
    #expect(tuned.stderr.contains("vmtune: error: no tuned profile at no-such-tuned-profile"), "\(tuned.stderr)")
    #expect(try runVMTune(["import", "sysctl"]).status == 64)
  }

  @Test func tunedProfilesUnderARootAndExtraDirectories() throws {
    let host = try FixtureHost()
    try host.write("usr/lib/tuned/parent/tuned.conf", "[main]\nsummary=p\n[sysctl]\nvm.swappiness=10\n")
    try host.write("site/child/tuned.conf", "[main]\ninclude=parent\n[sysctl]\nvm.dirty_ratio=15\n")
    let r = try runVMTune(["import", "tuned", host.root + "/site/child", "--root", host.root])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("  swappiness: 10\n"))
    #expect(r.stdout.contains("  dirty_ratio: 15\n"))
    #expect(r.stdout.contains("#   \(host.root)/usr/lib/tuned/parent/tuned.conf\n"))
    try host.write("extra/parent/tuned.conf", "[main]\n[sysctl]\nvm.swappiness=1\n")
    let extra = try runVMTune(
      [
        "import", "tuned", host.root + "/site/child/tuned.conf", "--root", host.root, "--tuned-dir",
        host.root + "/extra",
      ])
    #expect(extra.stdout.contains("  swappiness: 1\n"), "\(extra.stdout)")
  }

  static let tuned = Prerequisite.file("/usr/lib/tuned/virtual-host/tuned.conf", package: "tuned")

  @Test(ImportCLITests.tuned.trait)
  func tunedsVirtualHostAndThroughputPerformance() throws {
    guard Self.tuned.check() else { return }
    let host = try FixtureHost()
    let vh = try runVMTune(["import", "tuned", "/usr/lib/tuned/virtual-host"])
    #expect(vh.status == 0, "\(vh.stderr)")
    #expect(vh.stdout.contains("name: virtual-host\n"))
    #expect(
      vh.stdout.contains("description: \"Imported from tuned profile virtual-host: Optimize for running KVM guests\""))
    #expect(
      vh.stdout.contains(
        "#   /usr/lib/tuned/virtual-host/tuned.conf\n#   /usr/lib/tuned/throughput-performance/tuned.conf\n"))
    #expect(vh.stdout.contains("  swappiness: 10\n"))
    #expect(vh.stdout.contains("  dirty_ratio: 40\n"))
    #expect(vh.stdout.contains("  dirty_background_ratio: 5\n"), "virtual-host overrides throughput-performance's 10")
    #expect(
      vh.stdout.contains("vm.dirty_background_ratio = 5 (overrides /usr/lib/tuned/throughput-performance/tuned.conf:"))
    #expect(vh.stderr.contains("skipped: net.core.somaxconn=>2048: not a vm sysctl"), "\(vh.stderr)")
    #expect(try Self.validate(vh.stdout, host, name: "virtual-host").status == 0)

    let tp = try runVMTune(["import", "tuned", "/usr/lib/tuned/throughput-performance/tuned.conf"])
    #expect(tp.status == 0, "\(tp.stderr)")
    #expect(tp.stdout.contains("  dirty_ratio: 40\n"))
    #expect(tp.stdout.contains("  dirty_background_ratio: 10\n"))
    #expect(tp.stdout.contains("  swappiness: 10\n"))
    #expect(tp.stdout.contains("[vm.thunderx] transparent_hugepages=never, only where uname_regex 'aarch64'"))
    #expect(tp.stdout.contains("[sysctl.thunderx]: applies only where"))
    #expect(try Self.validate(tp.stdout, host, name: "throughput-performance").status == 0)

    let pg = try runVMTune(["import", "tuned", "postgresql"])
    #expect(pg.stdout.contains("  dirty_bytes: 536870912\n"))
    #expect(pg.stdout.contains("  dirty_background_bytes: 67108864\n"))
    #expect(pg.stdout.contains("  swappiness: 3\n"))
    #expect(!pg.stdout.contains("  dirty_ratio:"), "dirty_bytes is written after dirty_ratio, which the kernel zeroes")
    #expect(pg.stdout.contains("[vm] transparent_hugepages=never: tuned sets the transparent huge page mode"))
  }

  @Test(ImportCLITests.tuned.trait)
  func everyProfileTunedShipsImportsToAValidProfile() throws {
    guard Self.tuned.check() else { return }
    let host = try FixtureHost()
    let names = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/tuned").sorted().filter {
      FileManager.default.fileExists(atPath: "/usr/lib/tuned/\($0)/tuned.conf")
    }
    #expect(names.count >= 20, "\(names)")
    for name in names {
      let r = try runVMTune(["import", "tuned", name])
      #expect(r.status == 0, "\(name): \(r.stderr)")
      let v = try Self.validate(r.stdout, host, name: name)
      #expect(v.status == 0, "\(name): \(v.stderr)\n\(r.stdout)")
    }
  }
}

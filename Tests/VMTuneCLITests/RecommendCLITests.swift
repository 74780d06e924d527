import Foundation
import Testing
import VMTuneTestSupport

/// `vmtune recommend` on fixture trees: processes from proc/*/comm, dev/kvm, NUMA nodes,
/// meminfo and the kernel command line under --root; nothing is written.
@Suite struct RecommendCLITests {
  @Test func aFixtureHypervisorIsAKVMHost() throws {
    let host = try FixtureHost(numaNodes: 2)
    try host.addDevice("kvm")
    try host.addProcess(pid: 1, comm: "systemd")
    try host.addProcess(pid: 812, comm: "libvirtd")
    try host.addProcess(pid: 4242, comm: "qemu-system-x86_64")
    let before = host.allValues()
    let r = try runVMTune(["recommend", "--root", host.root])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Recommended: kvm-host"), "\(r.stdout)")
    #expect(r.stdout.contains("  - /dev/kvm is present\n"))
    #expect(r.stdout.contains("  - libvirtd is running\n"))
    #expect(r.stdout.contains("  - qemu-system-x86 is running\n"), "comm is truncated to 15 bytes")
    #expect(r.stdout.contains("Also fits: numa-hpc (2 NUMA nodes)"))
    #expect(r.stdout.contains("vmtune plan kvm-host"))
    #expect(host.allValues() == before, "recommend is read-only")

    let json = try runVMTune(["recommend", "--root", host.root, "--format", "json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(obj["profile"] as? String == "kvm-host")
    #expect((obj["reasons"] as? [String])?.contains("/dev/kvm is present") == true)
    #expect(((obj["alsoFits"] as? [[String: Any]])?.first?["profile"]) as? String == "numa-hpc")
    let facts = try #require(obj["facts"] as? [String: Any])
    #expect(facts["numaNodes"] as? Int == 2)
    #expect(facts["kvmDevice"] as? Bool == true)
  }

  @Test func fixtureFileServersDatabasesAndSlabHeavyHosts() throws {
    let nfs = try FixtureHost()
    try nfs.addProcess(pid: 900, comm: "nfsd")
    #expect(try runVMTune(["recommend", "--root", nfs.root]).stdout.contains("Recommended: file-server"))
    let db = try FixtureHost()
    try db.addProcess(pid: 77, comm: "postgres")
    #expect(try runVMTune(["recommend", "--root", db.root]).stdout.contains("Recommended: database"))
    let slab = try FixtureHost(memTotalKB: 10_000_000)
    try slab.write(
      "proc/meminfo", "MemTotal:       10000000 kB\nMemFree:         1000000 kB\nSReclaimable:    3000000 kB\n")
    let s = try runVMTune(["recommend", "--root", slab.root])
    #expect(s.stdout.contains("Recommended: slab-heavy"), "\(s.stdout)")
    #expect(s.stdout.contains("reclaimable slab (dentries, inodes) is 30% of RAM"))
    let plain = try FixtureHost()
    let b = try runVMTune(["recommend", "--root", plain.root])
    #expect(b.stdout.contains("Recommended: base"), "\(b.stdout)")
  }
}

import Testing
import VMTunePlan

/// Which shipped profile fits a host, from what runs on it and how it is built.
@Suite struct RecommenderTests {
  static func facts(
    processes: [String] = [], kvm: Bool = false, nodes: Int = 1, memTotalKB: Int64 = 32 << 20,
    slabKB: Int64 = 0, cmdline: String = ""
  ) -> RoleFacts {
    RoleFacts(
      processes: processes, kvmDevice: kvm, numaNodes: nodes, memTotalKB: memTotalKB,
      reclaimableSlabKB: slabKB, kernelCommandLine: cmdline)
  }

  @Test func aHypervisorRunningGuestsIsAKVMHost() {
    let r = Recommender.recommend(Self.facts(processes: ["qemu-system-x86", "sshd"], kvm: true))
    #expect(r.profile == "kvm-host")
    #expect(r.reasons == ["/dev/kvm is present", "qemu-system-x86 is running"])
    #expect(Recommender.recommend(Self.facts(processes: ["libvirtd"], kvm: true)).profile == "kvm-host")
    // /dev/kvm alone is a capable host, not a hypervisor at work.
    #expect(Recommender.recommend(Self.facts(kvm: true)).profile == "base")
    #expect(Recommender.recommend(Self.facts(processes: ["qemu-system-x86"])).profile == "base")
  }

  @Test func databasesAndFileServersByTheirProcesses() {
    #expect(Recommender.recommend(Self.facts(processes: ["postgres"])).profile == "database")
    #expect(Recommender.recommend(Self.facts(processes: ["mysqld"])).reasons == ["mysqld is running"])
    #expect(Recommender.recommend(Self.facts(processes: ["mariadbd"])).profile == "database")
    #expect(Recommender.recommend(Self.facts(processes: ["nfsd"])).profile == "file-server")
    #expect(Recommender.recommend(Self.facts(processes: ["smbd"])).reasons == ["smbd is running"])
  }

  @Test func numaSlabAndLatencyByHowTheHostIsBuilt() {
    let numa = Recommender.recommend(Self.facts(nodes: 2))
    #expect(numa.profile == "numa-hpc")
    #expect(numa.reasons == ["2 NUMA nodes"])
    let slab = Recommender.recommend(Self.facts(memTotalKB: 10_000_000, slabKB: 2_500_000))
    #expect(slab.profile == "slab-heavy")
    #expect(slab.reasons == ["reclaimable slab (dentries, inodes) is 25% of RAM"])
    #expect(Recommender.recommend(Self.facts(memTotalKB: 10_000_000, slabKB: 1_000_000)).profile == "base")
    let latency = Recommender.recommend(Self.facts(cmdline: "ro quiet nohz_full=2-7 isolcpus=2-7"))
    #expect(latency.profile == "latency")
    #expect(latency.reasons == ["the kernel command line isolates CPUs (nohz_full=2-7, isolcpus=2-7)"])
  }

  @Test func theMostSpecificRoleWinsAndTheOthersAreListed() {
    let r = Recommender.recommend(Self.facts(processes: ["qemu-kvm", "postgres"], kvm: true, nodes: 2))
    #expect(r.profile == "kvm-host")
    #expect(r.alsoFits.map(\.profile) == ["database", "numa-hpc"])
    #expect(r.alsoFits.last?.reasons == ["2 NUMA nodes"])
  }

  @Test func nothingSpecificIsBase() {
    let r = Recommender.recommend(Self.facts(processes: ["sshd", "systemd"]))
    #expect(r.profile == "base")
    #expect(r.reasons == ["no hypervisor, database or file-server process, 1 NUMA node, no isolated CPUs"])
    #expect(r.alsoFits.isEmpty)
  }
}

/// A shipped profile that fits a host, and why.
public struct Recommendation: Sendable, Hashable, Codable {
  /// A profile and the facts that point at it.
  public struct Candidate: Sendable, Hashable, Codable {
    public var profile: String
    public var reasons: [String]
  }

  public var profile: String
  public var reasons: [String]
  /// Other roles the host also shows, most specific first.
  public var alsoFits: [Candidate]
  public var facts: RoleFacts
}

/// Pure: which shipped profile fits a host. Roles seen in running processes (a hypervisor with
/// guests, a database, a file server) come first, most specific first; then how the host is built
/// (NUMA nodes, a dentry/inode-heavy slab, CPUs isolated for latency); `base` when nothing is seen.
public enum Recommender {
  /// Hypervisor processes: QEMU (`qemu-system-x86_64` appears as `qemu-system-x86`), libvirt.
  static let hypervisors = ["qemu-kvm", "libvirtd", "virtqemud"]
  static let databases = ["postgres", "postmaster", "mysqld", "mariadbd", "mongod"]
  static let fileServers = ["nfsd", "smbd", "ganesha.nfsd"]
  /// Reclaimable slab at or above this share of RAM (percent) makes a host slab-heavy.
  public static let slabHeavyPercent: Int64 = 20

  public static func recommend(_ facts: RoleFacts) -> Recommendation {
    var found: [Recommendation.Candidate] = []
    func running(_ names: [String], prefix: String? = nil) -> [String] {
      facts.processes.filter { p in names.contains(p) || prefix.map { p.hasPrefix($0) } == true }
        .map { "\($0) is running" }
    }
    let guests = running(hypervisors, prefix: "qemu-system-")
    if facts.kvmDevice, !guests.isEmpty {
      found.append(.init(profile: "kvm-host", reasons: ["/dev/kvm is present"] + guests))
    }
    let db = running(databases)
    if !db.isEmpty { found.append(.init(profile: "database", reasons: db)) }
    let files = running(fileServers)
    if !files.isEmpty { found.append(.init(profile: "file-server", reasons: files)) }
    if facts.numaNodes >= 2 { found.append(.init(profile: "numa-hpc", reasons: ["\(facts.numaNodes) NUMA nodes"])) }
    if facts.memTotalKB > 0 {
      let percent = facts.reclaimableSlabKB * 100 / facts.memTotalKB
      if percent >= slabHeavyPercent {
        found.append(
          .init(profile: "slab-heavy", reasons: ["reclaimable slab (dentries, inodes) is \(percent)% of RAM"]))
      }
    }
    let isolating = facts.kernelCommandLine.split(separator: " ").filter {
      $0.hasPrefix("nohz_full=") || $0.hasPrefix("isolcpus=")
    }
    if !isolating.isEmpty {
      found.append(
        .init(
          profile: "latency",
          reasons: ["the kernel command line isolates CPUs (\(isolating.joined(separator: ", ")))"]))
    }
    guard let best = found.first else {
      let nodes = "\(facts.numaNodes) NUMA node\(facts.numaNodes == 1 ? "" : "s")"
      return Recommendation(
        profile: "base",
        reasons: ["no hypervisor, database or file-server process, \(nodes), no isolated CPUs"],
        alsoFits: [], facts: facts)
    }
    return Recommendation(
      profile: best.profile, reasons: best.reasons, alsoFits: Array(found.dropFirst()), facts: facts)
  }
}

import VMTunePlan

extension Frontend {
  /// What ``Recommender`` judges, read under the root: process names from proc/*/comm, dev/kvm,
  /// the NUMA nodes and meminfo, proc/cmdline. Read-only; a process that exits while being
  /// listed is left out.
  public func readRoleFacts() throws(VMTuneError) -> RoleFacts {
    let snapshot = try readHost(keys: [], tables: [])
    var processes: [String] = []
    for pid in files.list("proc") where pid.allSatisfy({ $0.isASCII && $0.isNumber }) {
      if let comm = try? files.readText("proc/\(pid)/comm", limit: 64) {
        let name = comm.trimmingWhitespace()
        if !name.isEmpty { processes.append(String(name)) }
      }
    }
    let slab = snapshot.memInfo.values["SReclaimable"].flatMap { Int64(exactly: $0) } ?? 0
    return RoleFacts(
      processes: processes, kvmDevice: files.kind("dev/kvm") != .missing, numaNodes: snapshot.numaNodes,
      memTotalKB: snapshot.memInfo.memTotalKB ?? 0, reclaimableSlabKB: slab,
      kernelCommandLine: String((try? files.readText("proc/cmdline", limit: 64 << 10))?.trimmingWhitespace() ?? ""))
  }
}

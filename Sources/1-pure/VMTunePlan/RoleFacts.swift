/// What a host runs and how it is built, as far as choosing a shipped profile needs: read from
/// /proc and /sys by the frontend, judged by ``Recommender``.
public struct RoleFacts: Sendable, Hashable, Codable {
  /// Names of running processes (`/proc/PID/comm`, at most 15 bytes each), without repeats.
  public var processes: [String]
  /// Whether `/dev/kvm` exists.
  public var kvmDevice: Bool
  public var numaNodes: Int
  public var memTotalKB: Int64
  /// meminfo's SReclaimable: dentry and inode caches, mostly.
  public var reclaimableSlabKB: Int64
  /// `/proc/cmdline`.
  public var kernelCommandLine: String

  public init(
    processes: [String], kvmDevice: Bool, numaNodes: Int, memTotalKB: Int64, reclaimableSlabKB: Int64,
    kernelCommandLine: String
  ) {
    var seen: Set<String> = []
    self.processes = processes.filter { seen.insert($0).inserted }.sorted()
    self.kvmDevice = kvmDevice
    self.numaNodes = numaNodes
    self.memTotalKB = memTotalKB
    self.reclaimableSlabKB = reclaimableSlabKB
    self.kernelCommandLine = kernelCommandLine
  }
}

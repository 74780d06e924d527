import VMTuneHost
import VMTuneProfile

/// What binds a saved plan to the host and boot it was made on: a plan's observed values and
/// guards are only true there.
public struct HostIdentity: Sendable, Hashable, Codable {
  public var hostname: String?
  public var machineID: String?
  public var bootID: String?
  public var kernelRelease: String?
  public var memTotalKB: Int64
  /// `node/zone` of every zone, when zoneinfo was read.
  public var zones: [String]?

  public init(_ snapshot: HostSnapshot) {
    hostname = snapshot.hostname
    machineID = snapshot.machineID
    bootID = snapshot.bootID
    kernelRelease = snapshot.kernelRelease
    memTotalKB = snapshot.memInfo.memTotalKB ?? 0
    zones = snapshot.zoneInfo.map { $0.zones.map { "\($0.node)/\($0.name)" } }
  }

  /// Why a plan made on `self` must not be applied on `live`, or nil when it is the same host and
  /// boot. MemTotal may move by up to 1 % (a balloon driver) without making it another host.
  public func mismatch(_ live: HostIdentity) -> String? {
    func differ<T: Equatable>(_ a: T?, _ b: T?) -> Bool { a != nil && b != nil && a != b }
    var why: [String] = []
    if differ(hostname, live.hostname) { why.append("hostname \(hostname ?? "") there, \(live.hostname ?? "") here") }
    if differ(machineID, live.machineID) {
      why.append("machine-id \(machineID ?? "") there, \(live.machineID ?? "") here")
    }
    if abs(memTotalKB - live.memTotalKB) * 100 > max(memTotalKB, 1) {
      why.append("MemTotal \(memTotalKB) kB there, \(live.memTotalKB) kB here")
    }
    if differ(zones, live.zones) { why.append("zones \(zones?.joined(separator: " ") ?? "") there") }
    if !why.isEmpty { return "was made on another host (\(why.joined(separator: "; ")))" }
    if differ(kernelRelease, live.kernelRelease) {
      return "was made on another kernel (\(kernelRelease ?? "") there, \(live.kernelRelease ?? "") here)"
    }
    if differ(bootID, live.bootID) { return "was made before this host last booted (boot id \(bootID ?? ""))" }
    return nil
  }
}
